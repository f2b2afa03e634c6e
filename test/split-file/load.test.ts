import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatDiagnostic, hasErrors } from '../../src/diagnostics/diagnostic.js';
import { loadSpecFile, loadSpecText, MAX_DIAGNOSTICS } from '../../src/split-file/load.js';

const VALID = `apiVersion: splitpipelines.dev/v1alpha1
kind: SplitPipeline
metadata:
  name: churn
spec:
  pipeline:
    package: churn.yaml
  locations:
    - name: train
      kfp: { endpoint: "https://kfp.example.com" }
      mlmd: { endpoint: "mlmd:8080" }
      objectStore: { endpoint: "https://s3.example.com", pipelineRoot: "s3://b/root" }
  stages:
    - location: train
      steps: [a]
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spec-load-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadSpecFile', () => {
  test('reports a missing file as a diagnostic at 1:1, not a throw', async () => {
    const file = join(dir, 'nope.yaml');
    const loaded = await loadSpecFile(file);
    expect(loaded.spec).toBeUndefined();
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(new RegExp(`^${file}:1:1: cannot read file: ENOENT`)),
    ]);
  });

  test('reports a directory given as the file', async () => {
    const loaded = await loadSpecFile(dir);
    expect(loaded.diagnostics.map((d) => d.message)).toEqual(['cannot read file: it is a directory']);
  });

  test('refuses a 2 MiB file without reading it', async () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `${VALID}notes: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    const loaded = await loadSpecFile(file);
    expect(loaded.spec).toBeUndefined();
    expect(loaded.diagnostics).toHaveLength(1);
    expect(formatDiagnostic(loaded.diagnostics[0]!)).toMatch(
      /^.*huge\.yaml:1:1: file is too large \(\d+ bytes; at most 1048576 bytes are read\)/,
    );
  });

  test('loads a valid file, resolving its directory', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, VALID);
    const loaded = await loadSpecFile(file);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.file).toBe(file);
    expect(loaded.dir).toBe(resolve(dir));
    expect(loaded.spec?.spec.stages[0]?.steps).toEqual(['a']);
    expect(loaded.source.positionOf(['spec', 'stages', 0, 'steps', 0])).toEqual({ line: 15, col: 15 });
  });

  test('reports text that is not UTF-8 at the first bad byte', async () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('kind: SplitPipeline\nmetadata:\n  name: caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
    );
    const loaded = await loadSpecFile(file);
    expect(loaded.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '3:12 file is not UTF-8 text (is it binary, or saved in another encoding?)',
    ]);
  });
});

describe('loadSpecText', () => {
  test('refuses 2 MiB of text', () => {
    const loaded = loadSpecText(`${VALID}# ${'x'.repeat(2 * 1024 * 1024)}\n`, 'big.yaml');
    expect(loaded.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('file is too large')]);
  });

  test('runs the schema, secret and location checks together and reports all their problems, sorted', () => {
    const text = VALID.replace('name: churn', 'name: Churn')
      .replace(
        'kfp: { endpoint: "https://kfp.example.com" }',
        'kfp: { endpoint: "https://kfp.example.com", auth: { token: "abc" } }',
      )
      .replace(
        '    - location: train\n      steps: [a]\n',
        '    - location: train\n      steps: [a]\n    - location: serve\n      steps: [a]\n',
      );
    const loaded = loadSpecText(text, 'f.yaml');
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^f\.yaml:4:9: metadata\.name: must be a DNS-1123 label/),
      expect.stringMatching(/^f\.yaml:10:59: spec\.locations\[0\]\.kfp\.auth\.token: a secret must not be written/),
      expect.stringMatching(/^f\.yaml:16:17: spec\.stages\[1\]\.location: location "serve" is not declared/),
      expect.stringMatching(/^f\.yaml:17:15: spec\.stages\[1\]\.steps\[0\]: step "a" is already placed in stage 1/),
    ]);
  });

  test('returns the spec of a schema-valid file even when semantic checks fail, with errors to say so', () => {
    const text = VALID.replace('      steps: [a]\n', '      steps: [a, a]\n');
    const loaded = loadSpecText(text, 'f.yaml');
    expect(loaded.spec).toBeDefined();
    expect(hasErrors(loaded.diagnostics)).toBe(true);
  });

  test('withholds the spec when the file does not match the schema', () => {
    expect(loadSpecText(VALID.replace('kind: SplitPipeline', 'kind: Other'), 'f.yaml').spec).toBeUndefined();
  });

  test(`shows at most ${MAX_DIAGNOSTICS} problems and says how many more there are`, () => {
    const junk = Array.from({ length: MAX_DIAGNOSTICS + 20 }, (_, i) => `unknown${i}: 1`).join('\n');
    const loaded = loadSpecText(`${VALID}${junk}\n`, 'f.yaml');
    expect(loaded.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(loaded.diagnostics.at(-1)?.message).toBe('20 more problems not shown; fix these first');
  });

  // Positioning each finding by rescanning its mapping made this take minutes; the timeout guards it.
  test('positions 35 000 findings in a 900 kB file and reports the first ones', () => {
    const lines = ['spec:', '  pipeline:', '    parameters:'];
    for (let i = 0, size = 0; size < 900_000; i++) {
      lines.push(`      p${i}: https://u:p@x`);
      size += lines[lines.length - 1]!.length + 1;
    }
    const loaded = loadSpecText(`${lines.join('\n')}\n`, 'f.yaml');
    expect(loaded.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(loaded.diagnostics.find((d) => d.message.startsWith('spec.pipeline.parameters.p0:'))).toMatchObject({
      line: 4,
      col: 11,
    });
    expect(loaded.diagnostics.find((d) => d.message.startsWith('spec.pipeline.parameters.p1:'))).toMatchObject({
      line: 5,
      col: 11,
    });
  }, 15_000);

  test('never throws, whatever the text', () => {
    const inputs = [
      '',
      '\u0000',
      ':',
      '- - -',
      '{',
      '"',
      '&a [*a]',
      '!!binary',
      '? ? ?',
      '%YAML 1.1\n---\na: 1',
      'a: &x 1\nb: *x\nc: *y',
      '\t\t',
      '---\n---\n---',
      'a: &x {b: *x}',
    ];
    for (const text of inputs) {
      const loaded = loadSpecText(text, 'f.yaml');
      expect(hasErrors(loaded.diagnostics), JSON.stringify(text)).toBe(true);
    }
  });
});
