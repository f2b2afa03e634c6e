// The corpus of broken spec files in test/fixtures/bad-specs/. Each file states in its header the
// problems it must produce (`# expect: LINE:COL message substring`), the secrets it contains
// (`# secret: VALUE`, which no message may repeat), and whether the document still matches the
// schema (`# schema-valid`). The number of errors must match the expectations exactly: one problem,
// one message.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/diagnostic.js';
import { loadSpecFile } from '../../src/split-file/load.js';

const CORPUS = 'test/fixtures/bad-specs';

interface Header {
  expects: { line: number; col: number; text: string }[];
  secrets: string[];
  schemaValid: boolean;
}

function readHeader(file: string): Header {
  const header: Header = { expects: [], secrets: [], schemaValid: false };
  for (const line of readFileSync(join(CORPUS, file), 'latin1').split('\n')) {
    const e = /^# expect: (\d+):(\d+) (.+)$/.exec(line);
    if (e) header.expects.push({ line: Number(e[1]), col: Number(e[2]), text: e[3] as string });
    const s = /^# secret: (.+)$/.exec(line);
    if (s) header.secrets.push(s[1] as string);
    if (line.startsWith('# schema-valid')) header.schemaValid = true;
  }
  return header;
}

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const withSecrets = files.filter((f) => readHeader(f).secrets.length > 0);

test('the corpus holds at least 30 broken files, each stating what it expects', () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
  for (const f of files) expect(readHeader(f).expects.length, f).toBeGreaterThan(0);
});

describe.each(files)('%s', (name) => {
  const { expects, schemaValid } = readHeader(name);

  test('reports each expected problem at its line and column', async () => {
    const { diagnostics } = await loadSpecFile(join(CORPUS, name));
    const shown = diagnostics.map(formatDiagnostic).join('\n');
    for (const want of expects) {
      const hit = diagnostics.some((d) => d.line === want.line && d.col === want.col && d.message.includes(want.text));
      expect(hit, `expected ${want.line}:${want.col} "${want.text}" among:\n${shown}`).toBe(true);
    }
  });

  test('reports nothing else: one message per problem', async () => {
    const { diagnostics } = await loadSpecFile(join(CORPUS, name));
    const errors = diagnostics.filter((d) => d.severity === 'error');
    // Two expectations may check two parts of one message (same position).
    const problems = new Set(expects.map((e) => `${e.line}:${e.col}`)).size;
    expect(errors.length, errors.map(formatDiagnostic).join('\n')).toBe(problems);
  });

  test(`returns a spec only if the document matches the schema (${schemaValid ? 'it does' : 'it does not'})`, async () => {
    const { spec } = await loadSpecFile(join(CORPUS, name));
    expect(spec !== undefined).toBe(schemaValid);
  });
});

describe.each(withSecrets)('%s', (name) => {
  test('never repeats a secret value in any message', async () => {
    const { secrets } = readHeader(name);
    const { diagnostics } = await loadSpecFile(join(CORPUS, name));
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const d of diagnostics) for (const secret of secrets) expect(formatDiagnostic(d)).not.toContain(secret);
  });
});
