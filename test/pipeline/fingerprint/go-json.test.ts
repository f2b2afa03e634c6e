// Expected outputs are Go's: from golang/go `src/encoding/json/encode_test.go` (encodeStringTests,
// TestHTMLEscape) where it has them, otherwise read off `encode.go` (appendString, floatEncoder,
// mapEncoder) and `tables.go` (htmlSafeSet).
import { describe, expect, it } from 'vitest';
import { GoJsonError, goJsonStringify } from '../../../src/pipeline/fingerprint/go-json.js';

describe('goJsonStringify: structure', () => {
  it('writes compact JSON with object keys sorted', () => {
    expect(goJsonStringify({ b: 1, a: [true, false, null], c: { z: 'x', y: [] }, d: {} })).toBe(
      '{"a":[true,false,null],"b":1,"c":{"y":[],"z":"x"},"d":{}}',
    );
  });

  it('sorts keys by UTF-8 bytes, putting astral characters after U+E000–U+FFFF unlike JavaScript', () => {
    const value = { '\u{1F600}': 1, '\uFB01': 2, a: 3, '\u00E9': 4, B: 5 };
    expect(Object.keys(value).sort()).toEqual(['B', 'a', '\u00E9', '\u{1F600}', '\uFB01']); // UTF-16 order
    expect(goJsonStringify(value)).toBe('{"B":5,"a":3,"\u00E9":4,"\uFB01":2,"\u{1F600}":1}');
  });

  it('escapes object keys like string values', () => {
    expect(goJsonStringify({ '<k>': '&' })).toBe('{"\\u003ck\\u003e":"\\u0026"}');
  });

  it('leaves out object properties holding undefined, like unset proto fields', () => {
    expect(goJsonStringify({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});

describe('goJsonStringify: strings', () => {
  it('uses the short escapes \\b \\f \\n \\r \\t of Go >= 1.22 (encodeStringTests)', () => {
    expect(goJsonStringify('\b\f\n\r\t')).toBe('"\\b\\f\\n\\r\\t"');
  });

  it('writes the other control characters as \\u00XX in lower-case hex (encodeStringTests)', () => {
    expect(goJsonStringify('\x00\x01\x0b\x0e\x1b\x1f')).toBe('"\\u0000\\u0001\\u000b\\u000e\\u001b\\u001f"');
  });

  it('escapes the quote and the backslash and leaves the slash and DEL raw', () => {
    expect(goJsonStringify('"\\/\x7f')).toBe('"\\"\\\\/\x7f"');
  });

  it('escapes <, >, & and U+2028, U+2029 for HTML safety (TestHTMLEscape)', () => {
    expect(goJsonStringify('<html>foo &\u2028 \u2029</html>')).toBe(
      '"\\u003chtml\\u003efoo \\u0026\\u2028 \\u2029\\u003c/html\\u003e"',
    );
  });

  it('writes non-ASCII and astral characters raw', () => {
    expect(goJsonStringify('caf\u00E9 \u4E2D \u{1F600}')).toBe('"caf\u00E9 \u4E2D \u{1F600}"');
  });

  it('replaces lone surrogates by a raw U+FFFD, as Go decodes them', () => {
    expect(goJsonStringify('a\uD800b\uDC00c\uD83D')).toBe('"a\uFFFDb\uFFFDc\uFFFD"');
  });

  it('rejects two keys that become the same once lone surrogates are replaced', () => {
    expect(() => goJsonStringify({ '\uD800': 1, '\uDC00': 2 })).toThrow(GoJsonError);
  });
});

describe('goJsonStringify: numbers (float64)', () => {
  const cases: [number, string][] = [
    [5, '5'],
    [100, '100'],
    [0.1, '0.1'],
    [-1.5, '-1.5'],
    [123456789012, '123456789012'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
    [-1.25e-10, '-1.25e-10'],
    [1e-100, '1e-100'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [2 ** 53 + 1, '9007199254740992'], // 9007199254740993 has no float64: it rounds down
    [0, '0'],
  ];
  for (const [value, text] of cases) {
    it(`writes ${text} for the float64 ${value}`, () => {
      expect(goJsonStringify(value)).toBe(text);
    });
  }

  it('keeps the sign of negative zero as Go does', () => {
    expect(goJsonStringify(-0)).toBe('-0');
  });

  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`throws a GoJsonError naming the path for ${value}`, () => {
      let caught: unknown;
      try {
        goJsonStringify({ params: [1, value] });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(GoJsonError);
      expect((caught as GoJsonError).reason).toBe('non-finite-number');
      expect((caught as GoJsonError).path).toBe('$["params"][1]');
    });
  }
});
