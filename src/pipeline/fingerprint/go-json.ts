// The bytes KFP hashes for a cache fingerprint. `GenerateFingerPrint` in
// `backend/src/v2/cacheutils/cache.go` does `protojson.Marshal(cacheKey)`, then `json.Unmarshal` into
// `interface{}` and `json.Marshal` again with Go's `encoding/json`, precisely so that the hashed bytes
// follow encoding/json's stable format rather than protojson's deliberately unstable one. After the
// round trip every object is a `map[string]interface{}` and every number a float64, so only
// encoding/json's rules for maps, strings, float64, bools, null and slices matter. These rules come from
// golang/go `src/encoding/json/encode.go` (`mapEncoder.encode`, `appendString`, `floatEncoder.encode`)
// and `src/encoding/json/tables.go` (`htmlSafeSet`). That is the non-jsonv2 build, which KFP's driver
// uses: go.mod `go 1.26`, `backend/Dockerfile.driver` sets no GOEXPERIMENT, and every release since 2.4.0
// builds with Go >= 1.22, so `\b` and `\f` get their short escapes.

import type { JsonValue } from './json-value.js';

/** Why a value has no encoding/json form. Go's Marshal would fail too (or protojson before it). */
export type GoJsonErrorReason = 'non-finite-number' | 'unsupported-value' | 'duplicate-key';

/** A value that Go's `json.Marshal` would refuse, with the JSON path where it was found. */
export class GoJsonError extends Error {
  override readonly name = 'GoJsonError';
  constructor(
    readonly reason: GoJsonErrorReason,
    /** JSONPath-like location, e.g. `$.inputParameterValues.lr`. */
    readonly path: string,
    detail: string,
  ) {
    super(`cannot encode the value at ${path} as Go encoding/json would: ${detail}`);
  }
}

/** An object whose optional properties may be absent or `undefined` (left out, like unset proto fields). */
export interface GoJsonInput {
  readonly [key: string]: JsonValue | GoJsonInput | readonly (JsonValue | GoJsonInput)[] | undefined;
}

/**
 * Serialise `value` exactly as Go's `json.Marshal` writes the same data after `json.Unmarshal` into
 * `interface{}`: compact, object keys in UTF-8 byte order, HTML-safe string escaping, Go float64 text.
 * Throws {@link GoJsonError} for NaN, ±Infinity, `undefined`, functions, bigints and similar.
 */
export function goJsonStringify(value: JsonValue | GoJsonInput): string {
  return encodeValue(value, '$');
}

function encodeValue(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return goFloat64(value, path);
    case 'string':
      return goQuote(value);
    case 'object':
      return Array.isArray(value) ? encodeArray(value, path) : encodeObject(value as Record<string, unknown>, path);
    default:
      throw new GoJsonError('unsupported-value', path, `a ${typeof value} is not JSON`);
  }
}

function encodeArray(items: readonly unknown[], path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) parts.push(encodeValue(items[i], `${path}[${i}]`));
  return `[${parts.join(',')}]`;
}

function encodeObject(object: Record<string, unknown>, path: string): string {
  // Keys are compared as Go strings (UTF-8 bytes, `strings.Compare` in `mapEncoder.encode`). A lone
  // surrogate cannot exist in a Go string: Go's decoder turns it into U+FFFD (decode.go `unquoteBytes`,
  // "Invalid surrogate; fall back to replacement rune"), so keys are normalised the same way first.
  // Properties holding `undefined` are left out, like unpopulated proto fields (and JSON.stringify).
  const entries = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .map((key) => ({ key: toWellFormed(key), value: object[key], raw: key }));
  entries.sort((a, b) => compareUtf8(a.key, b.key));
  const parts: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const childPath = `${path}${JSON.stringify([entry.raw])}`;
    if (i > 0 && entries[i - 1]!.key === entry.key) {
      const detail = 'two keys become the same Go string once lone surrogates are replaced by U+FFFD';
      throw new GoJsonError('duplicate-key', childPath, detail);
    }
    parts.push(`${goQuote(entry.key)}:${encodeValue(entry.value, childPath)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Go's float64 text (`floatEncoder.encode`): `strconv.AppendFloat(f, 'f', -1, 64)`, or the 'e' form with
 * a cleaned exponent (`1e-07` → `1e-7`) when |f| < 1e-6 or |f| >= 1e21. Go's own comment says this is
 * "as if by ES6 number to string conversion", and ECMAScript's Number::toString uses the same shortest
 * round-trip digits and the same two cut-offs, so `String(f)` is byte-identical, with one exception:
 * Go keeps the sign of negative zero (`-0`) where JavaScript prints `0`.
 */
export function goFloat64(value: number, path = '$'): string {
  if (!Number.isFinite(value)) {
    // encode.go returns UnsupportedValueError for NaN and ±Inf (protojson rejects them in a Value too).
    throw new GoJsonError('non-finite-number', path, `${value} has no JSON form`);
  }
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/**
 * Go's `appendString(dst, s, escapeHTML=true)`: `"` and `\` are backslash-escaped; `\b \f \n \r \t` get
 * short escapes; other bytes below 0x20 and `<`, `>`, `&` become `\u00XX` (lower-case hex); U+2028 and
 * U+2029 become `\u2028` / `\u2029`; everything else, DEL and astral characters included, is written raw.
 */
export function goQuote(text: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string | undefined;
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26) continue;
      replacement = asciiEscape(c);
    } else if (c === 0x2028 || c === 0x2029) {
      replacement = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair is an astral character, written raw
        continue;
      }
      replacement = '\ufffd'; // lone high surrogate: U+FFFD, as Go's decoder produced it
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      replacement = '\ufffd'; // lone low surrogate
    } else {
      continue;
    }
    out += text.slice(start, i) + replacement;
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}

const HEX = '0123456789abcdef';

function asciiEscape(c: number): string {
  switch (c) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    default:
      return `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
  }
}

/** Replace lone surrogates by U+FFFD, the string Go holds after decoding the same JSON text. */
export function toWellFormed(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    out += `${text.slice(start, i)}\ufffd`;
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * Order two well-formed strings by their UTF-8 bytes, which is code point order (Go's
 * `strings.Compare`, `sort.Strings`). JavaScript's default comparison uses UTF-16 code units and puts
 * astral characters (surrogates, 0xD800–0xDFFF) before U+E000–U+FFFF; here they sort after.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
