// The bad-input corpus (test/fixtures/bad-specs/, plus hostile files generated here) through the
// built CLI, as a user or a CI job meets it: `validate` answers every file with exit 1 and
// `FILE:LINE:COL: message` lines, never a stack trace, never a secret written in the file, and
// without contacting anything. Every endpoint in the files points at a tripwire listener that
// records any connection.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.js';
import { recordingOutput } from '../../src/cli/output.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';
import { startTripwire, type Tripwire } from '../support/tripwire.js';

const CORPUS = join(repoRoot, 'test/fixtures/bad-specs');
const PACKAGE = join(repoRoot, 'examples/train-serve/pipelines/churn.yaml');

interface Expectation {
  line: number;
  col: number;
  text: string;
}

/** The corpus header: `# expect: LINE:COL text` and `# secret: VALUE` (see its README). */
function header(text: string): { expects: Expectation[]; secrets: string[] } {
  const expects: Expectation[] = [];
  const secrets: string[] = [];
  for (const line of text.split('\n')) {
    const e = /^# expect: (\d+):(\d+) (.+)$/.exec(line);
    if (e) expects.push({ line: Number(e[1]), col: Number(e[2]), text: e[3]! });
    const s = /^# secret: (.+)$/.exec(line);
    if (s) secrets.push(s[1]!);
  }
  return { expects, secrets };
}

/** A valid file (the train-serve example's shape) whose endpoints all point at `hostPort`. */
function validSpec(hostPort: string): string {
  const location = (name: string) =>
    [
      `    - name: ${name}`,
      '      kfp:',
      `        endpoint: http://${hostPort}`,
      '      mlmd:',
      `        endpoint: ${hostPort}`,
      '      objectStore:',
      `        endpoint: http://${hostPort}`,
      '        pipelineRoot: minio://mlpipeline/v2/artifacts',
      '      kubernetes:',
      `        context: ${name}`,
    ].join('\n');
  return [
    'apiVersion: splitpipelines.dev/v1alpha1',
    'kind: SplitPipeline',
    'metadata:',
    '  name: churn',
    'spec:',
    '  pipeline:',
    '    package: churn.yaml',
    '  locations:',
    location('train'),
    location('serve'),
    '  stages:',
    '    - location: train',
    '      steps: [load-data, split-data, train-model, evaluate-model]',
    '    - location: serve',
    '      steps: [serve-model]',
    '',
  ].join('\n');
}

/** Hostile files the corpus does not hold (too large to keep, or needing a symlink), with the field each must be refused at. */
function generated(dir: string, hostPort: string): { name: string; at: RegExp }[] {
  const base = validSpec(hostPort);
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write(
    'gen-huge-file.yaml',
    `${base}${'# padding to make the file far larger than any real split-pipeline.yaml\n'.repeat(60_000)}`,
  );
  write('gen-package-traversal.yaml', base.replace('package: churn.yaml', 'package: ../../../../../../etc/passwd'));
  write('gen-package-absolute.yaml', base.replace('package: churn.yaml', 'package: /etc/passwd'));
  symlinkSync('/etc/passwd', join(dir, 'escape.yaml'));
  write('gen-package-symlink-escape.yaml', base.replace('package: churn.yaml', 'package: escape.yaml'));
  write(
    'gen-pipeline-root-traversal.yaml',
    base.replace('pipelineRoot: minio://mlpipeline/v2/artifacts', 'pipelineRoot: minio://mlpipeline/v2/../../../etc'),
  );
  write(
    'gen-pipeline-root-encoded-traversal.yaml',
    base.replace(
      'pipelineRoot: minio://mlpipeline/v2/artifacts',
      'pipelineRoot: minio://mlpipeline/v2/%2e%2e/%2e%2e/etc',
    ),
  );
  write('gen-deep-flow-nesting.yaml', `${base}  extra: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
  return [
    { name: 'gen-huge-file.yaml', at: /:1:1: file is too large/ },
    { name: 'gen-package-traversal.yaml', at: /:7:14: spec\.pipeline\.package/ },
    { name: 'gen-package-absolute.yaml', at: /:7:14: spec\.pipeline\.package/ },
    { name: 'gen-package-symlink-escape.yaml', at: /:7:14: spec\.pipeline\.package/ },
    { name: 'gen-pipeline-root-traversal.yaml', at: /:16:23: spec\.locations\[0\]\.objectStore\.pipelineRoot/ },
    { name: 'gen-pipeline-root-encoded-traversal.yaml', at: /:16:23: spec\.locations\[0\]\.objectStore\.pipelineRoot/ },
    { name: 'gen-deep-flow-nesting.yaml', at: /:\d+:\d+: nesting is too deep/ },
  ];
}

const LINE = /^(.+):(\d+):(\d+): \S.*$/;
const SUMMARY = /^(.+): \d+ error\(s\)$/;

describe('the bad-input corpus through the built CLI', () => {
  let tripwire: Tripwire;
  let dir: string;
  const files: { name: string; path: string; expects: Expectation[]; secrets: string[]; at?: RegExp }[] = [];
  beforeAll(async () => {
    tripwire = await startTripwire();
    dir = mkdtempSync(join(tmpdir(), 'sp-bad-input-'));
    // The package the corpus names, so the checks that need the pipeline run too.
    copyFileSync(PACKAGE, join(dir, 'churn.yaml'));
    for (const name of readdirSync(CORPUS)
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      // latin1 round-trips every byte, so binary junk stays exactly as it is.
      const text = readFileSync(join(CORPUS, name), 'latin1').replace(
        /\b(?:kfp2?|mlmd|minio)\.(?:train|serve)\.example\.com(?::\d+)?/g,
        tripwire.hostPort,
      );
      writeFileSync(join(dir, name), text, 'latin1');
      files.push({ name, path: join(dir, name), ...header(text) });
    }
    for (const g of generated(dir, tripwire.hostPort))
      files.push({ name: g.name, path: join(dir, g.name), expects: [], secrets: [], at: g.at });
  });
  afterAll(async () => {
    await tripwire?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds at least 50 broken files', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it('answers each file, on its own, with exit 1 and only FILE:LINE:COL lines', async () => {
    for (const f of files) {
      const out = recordingOutput();
      const code = await main(['validate', '-f', f.path], out);
      expect.soft(code, `${f.name}\n${out.err}`).toBe(1);
      const lines = out.err.trimEnd().split('\n');
      expect
        .soft(
          lines.some((l) => LINE.test(l) && l.startsWith(`${f.path}:`)),
          `${f.name} has no FILE:LINE:COL error of its own\n${out.err}`,
        )
        .toBe(true);
      for (const l of lines) expect.soft(LINE.test(l) || SUMMARY.test(l), `${f.name}: "${l}"`).toBe(true);
    }
    expect(tripwire.contacts()).toBe(0);
  }, 60_000);

  it('validates them all in one run of the built binary: every problem at its position, no stack trace, no secret, no network', async () => {
    const args = files.flatMap((f) => ['-f', f.path]);
    const r = await runCli(['validate', ...args], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect.soft(r.stdout, 'a file was reported valid').toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const lines = r.stderr.trimEnd().split('\n');
    for (const l of lines) expect(LINE.test(l) || SUMMARY.test(l), `not FILE:LINE:COL: "${l}"`).toBe(true);
    for (const f of files) {
      const own = lines.filter((l) => l.startsWith(`${f.path}:`));
      expect
        .soft(
          own.some((l) => SUMMARY.test(l)),
          `${f.name} has no error summary`,
        )
        .toBe(true);
      for (const e of f.expects) {
        const hit = own.some((l) => l.startsWith(`${f.path}:${e.line}:${e.col}: `) && l.includes(e.text));
        expect.soft(hit, `${f.name}: expected ${e.line}:${e.col} "${e.text}" among\n${own.join('\n')}`).toBe(true);
      }
      if (f.at)
        expect
          .soft(
            own.some((l) => f.at!.test(l)),
            `${f.name}: expected ${f.at} among\n${own.join('\n')}`,
          )
          .toBe(true);
      for (const secret of f.secrets) expect.soft(r.stderr, `${f.name} repeats its secret`).not.toContain(secret);
    }
    expect(tripwire.contacts()).toBe(0);
  }, 90_000);

  it('refuses the generated hostile files one process each, within bounded time', async () => {
    for (const f of files.filter((x) => x.name.startsWith('gen-'))) {
      const r = await runCli(['validate', '-f', f.path], { timeoutMs: 30_000 });
      expect.soft(r.code, `${f.name}: exit code (null: killed after 30 s)\n${r.stderr}`).toBe(1);
      expect.soft(r.stderr, f.name).not.toMatch(/\n\s+at /);
      expect.soft(r.stderr, f.name).not.toMatch(/internal error/);
    }
    expect(tripwire.contacts()).toBe(0);
  }, 120_000);
});
