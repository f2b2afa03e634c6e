import { describe, expect, test } from 'vitest';
import { parseSpecSource, SOURCE_LIMITS } from '../../src/split-file/source.js';

const TEXT = [
  'apiVersion: splitpipelines.dev/v1alpha1', // 1
  'kind: SplitPipeline', // 2
  'metadata:', // 3
  '  name: churn', // 4
  'spec:', // 5
  '  locations:', // 6
  '    - name: train', // 7
  '      kfp:', // 8
  '        endpoint: https://kfp.example.com', // 9
  '      mlmd:', // 10
  '  stages:', // 11
  '    - location: train', // 12
  '      steps: [a, b]', // 13
  '',
].join('\n');

describe('SpecSource.positionOf', () => {
  const { source, diagnostics } = parseSpecSource(TEXT, 'f.yaml');

  test('parses a well-formed file without diagnostics', () => {
    expect(diagnostics).toEqual([]);
  });

  test('gives the position of a value', () => {
    expect(source.positionOf(['spec', 'locations', 0, 'kfp', 'endpoint'])).toEqual({ line: 9, col: 19 });
  });

  test('gives the position of the key when asked', () => {
    expect(source.positionOf(['spec', 'locations', 0, 'kfp', 'endpoint'], { on: 'key' })).toEqual({ line: 9, col: 9 });
  });

  test('gives the position of a list entry', () => {
    expect(source.positionOf(['spec', 'stages', 0, 'steps', 1])).toEqual({ line: 13, col: 18 });
    expect(source.positionOf(['spec', 'stages', 0])).toEqual({ line: 12, col: 7 });
  });

  test('points at the key of an empty value, which has no text of its own', () => {
    expect(source.positionOf(['spec', 'locations', 0, 'mlmd'])).toEqual({ line: 10, col: 7 });
  });

  test('falls back to the key of the nearest parent that exists', () => {
    expect(source.positionOf(['spec', 'locations', 0, 'kfp', 'auth', 'tokenEnv'])).toEqual({ line: 8, col: 7 });
    expect(source.positionOf(['spec', 'stages', 5, 'steps'])).toEqual({ line: 11, col: 3 });
  });

  test('gives the start of the document for the empty path', () => {
    expect(source.positionOf([])).toEqual({ line: 1, col: 1 });
  });
});

describe('parseSpecSource', () => {
  test('counts lines of CRLF files as an editor does', () => {
    const { source, diagnostics } = parseSpecSource(TEXT.replace(/\n/g, '\r\n'), 'f.yaml');
    expect(diagnostics).toEqual([]);
    expect(source.positionOf(['spec', 'locations', 0, 'kfp', 'endpoint'])).toEqual({ line: 9, col: 19 });
  });

  test('ignores a byte-order mark', () => {
    const { source, data } = parseSpecSource(`\uFEFF${TEXT}`, 'f.yaml');
    expect(data?.['kind']).toBe('SplitPipeline');
    expect(source.positionOf(['kind'])).toEqual({ line: 2, col: 7 });
  });

  test('accepts a leading document marker and a trailing empty document', () => {
    const { data, diagnostics } = parseSpecSource(`---\n${TEXT}---\n`, 'f.yaml');
    expect(diagnostics).toEqual([]);
    expect(data?.['kind']).toBe('SplitPipeline');
  });

  test('refuses text over the size limit before parsing it', () => {
    const { data, diagnostics } = parseSpecSource(`a: "${'x'.repeat(SOURCE_LIMITS.maxBytes)}"\n`, 'big.yaml');
    expect(data).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 1, col: 1, severity: 'error' });
    expect(diagnostics[0]?.message).toContain('file is too large');
  });

  test('accepts nesting exactly at the depth limit and refuses one level more', () => {
    const nested = (levels: number): string => `a: ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}\n`;
    expect(parseSpecSource(nested(SOURCE_LIMITS.maxDepth), 'f.yaml').diagnostics).toEqual([]);
    const deeper = parseSpecSource(nested(SOURCE_LIMITS.maxDepth + 1), 'f.yaml');
    expect(deeper.data).toBeUndefined();
    expect(deeper.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('nesting is too deep')]);
  });

  test('refuses 100 000 nested lists without crashing the process', () => {
    const { diagnostics } = parseSpecSource(`${'- '.repeat(100_000)}x\n`, 'f.yaml');
    expect(diagnostics[0]?.message).toContain('nesting is too deep');
  });

  test('allows a few aliases and refuses more than the limit', () => {
    const anchors = 'base: &b {x: 1}\n';
    const few = parseSpecSource(`${anchors}${[1, 2, 3].map((i) => `k${i}: *b`).join('\n')}\n`, 'f.yaml');
    expect(few.diagnostics).toEqual([]);
    expect(few.data?.['k3']).toEqual({ x: 1 });
    const lines = Array.from({ length: SOURCE_LIMITS.maxAliasCount + 1 }, (_, i) => `k${i}: *b`);
    const many = parseSpecSource(`${anchors}${lines.join('\n')}\n`, 'f.yaml');
    expect(many.data).toBeUndefined();
    expect(many.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('too many aliases')]);
    expect(many.diagnostics[0]?.line).toBe(SOURCE_LIMITS.maxAliasCount + 2);
  });

  test('refuses an alias inside the value it refers to, which would make the data cyclic', () => {
    for (const text of ['a: &x [1, *x]\n', 'a: &x {b: {c: *x}}\n', 'a: &x\n  <<: *x\n']) {
      const { data, diagnostics } = parseSpecSource(text, 'f.yaml');
      expect(data, text).toBeUndefined();
      expect(diagnostics.map((d) => d.message)).toEqual([
        'alias *x is inside the value it refers to (a recursive structure)',
      ]);
    }
  });

  test('checks a 1 MiB mapping of 50 000 keys in linear time (no quadratic duplicate-key check)', () => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < SOURCE_LIMITS.maxBytes - 64; i++) {
      const line = `key${i}: value\n`;
      lines.push(line);
      size += line.length;
    }
    lines.push('key7: again\n');
    const { diagnostics } = parseSpecSource(lines.join(''), 'f.yaml');
    expect(diagnostics.map((d) => d.message)).toEqual(['duplicate key "key7" (first written at line 8, column 1)']);
  }, 10_000);

  test('refuses numbers that JSON cannot carry', () => {
    const { diagnostics } = parseSpecSource('a: .inf\nb: .nan\n', 'f.yaml');
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '1:4 numbers must be finite (.inf and .nan cannot be passed on)',
      '2:4 numbers must be finite (.inf and .nan cannot be passed on)',
    ]);
  });

  test('reports an unknown directive as a warning and reads the document', () => {
    const { data, diagnostics } = parseSpecSource('%FOO bar\n---\na: 1\n', 'f.yaml');
    expect(diagnostics).toEqual([
      { file: 'f.yaml', line: 1, col: 1, severity: 'warning', message: 'unknown directive %FOO' },
    ]);
    expect(data).toEqual({ a: 1 });
  });

  test('reads `yes` and `on` as strings, as YAML 1.2 does', () => {
    const { data } = parseSpecSource('a: yes\nb: on\nc: true\n', 'f.yaml');
    expect(data).toEqual({ a: 'yes', b: 'on', c: true });
  });

  test('accepts tags that only restate the plain type', () => {
    const { data, diagnostics } = parseSpecSource('a: !!str 1\nb: !!int "2"\n', 'f.yaml');
    expect(diagnostics).toEqual([]);
    expect(data).toEqual({ a: '1', b: 2 });
  });
});
