// Issue 12 item 8: the built-in rule "no parameter that looks like a secret" is a default policy a
// file can see and relax. KFP's own upload_download test pipeline takes its MinIO secret as a required
// root parameter (`mlpipeline_minio_artifact_secret`), so until now it could not be split at all.
// Here it is split across two lab locations with the value read from the environment: the built-in
// is hard by default, the file relaxes it to soft, an owner's override is recorded (apply output and
// the run's record at the location), and the value appears in no output, plan file or JSON.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli, type CliResult } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';
import { labEnv } from '../support/lab-project.js';

const fixture = join(repoRoot, 'test/split-file/fixtures/upload-download/upload_download_compiled.yaml');
// A value no output could contain by accident.
const SECRET = `minio-${Math.random().toString(36).slice(2)}-do-not-print`;

let lab: Lab;
let dir: string;
let env: NodeJS.ProcessEnv;

function specFile(name: string, extra: { pipeline?: string; spec?: string } = {}): string {
  const locations = (parse(lab.locationsYaml()) as { locations: unknown[] }).locations;
  const text = [
    'apiVersion: splitpipelines.dev/v1alpha1',
    'kind: SplitPipeline',
    'metadata:',
    '  name: upload-download',
    'spec:',
    '  pipeline:',
    '    package: upload_download_compiled.yaml',
    '    parameters:',
    '      bucket_name: mlpipeline',
    ...(extra.pipeline !== undefined
      ? [extra.pipeline]
      : ['    parametersFromEnv:', '      mlpipeline_minio_artifact_secret: MINIO_SECRET']),
    `  locations: ${JSON.stringify(locations)}`,
    '  stages:',
    '  - location: a',
    '    steps: [send-file, receive-file]',
    '  - location: b',
    '    steps: [test-uploaded-artifact]',
    extra.spec ?? '',
  ].join('\n');
  writeFileSync(join(dir, name), `${text}\n`);
  return name;
}

const RELAXED = '  defaultPolicies:\n    secret-parameters: {enforcement: soft, owners: [alice]}';
const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(args, { cwd: dir, env: { ...env, GITHUB_ACTOR: 'alice', ...extraEnv }, timeoutMs: 120_000 });
const outputs: string[] = [];
const seen = (r: CliResult): CliResult => {
  outputs.push(r.stdout, r.stderr);
  return r;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-secret-params-'));
  copyFileSync(fixture, join(dir, 'upload_download_compiled.yaml'));
  lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b'], ports: 'ephemeral' });
  env = labEnv([lab], { MINIO_SECRET: SECRET });
  specFile('hard.yaml');
  specFile('soft.yaml', { spec: RELAXED });
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

describe('secret-parameters, a built-in default policy', () => {
  it('a literal value is still a validate error; a missing one names parametersFromEnv', async () => {
    specFile('literal.yaml', { pipeline: `      mlpipeline_minio_artifact_secret: ${SECRET}` });
    const literal = seen(await cli(['validate', '-f', 'literal.yaml']));
    expect(literal.code).toBe(1);
    expect(literal.stderr + literal.stdout).toContain('a secret must not be written in this file');
    expect(literal.stderr + literal.stdout).toContain('spec.pipeline.parametersFromEnv');
    specFile('missing.yaml', { pipeline: '' });
    const missing = seen(await cli(['validate', '-f', 'missing.yaml']));
    expect(missing.code).toBe(1);
    expect(missing.stderr + missing.stdout).toMatch(
      /pipeline input "mlpipeline_minio_artifact_secret" has no default: .*parametersFromEnv/,
    );
  });

  it('is hard by default: plan shows it failing with its reason, and it cannot be overridden', async () => {
    expect(seen(await cli(['validate', '-f', 'hard.yaml'])).code).toBe(0);
    const plan = seen(await cli(['plan', '--offline', '-f', 'hard.yaml']));
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toMatch(/\[hard\] secret-parameters on plan: FAILED, blocks \(hard: not overridable\)/);
    expect(plan.stdout).toContain('KFP stores every run');
    const override = seen(
      await cli(['plan', '--offline', '-f', 'hard.yaml', '--override-policy', 'secret-parameters', '--reason', 'x']),
    );
    expect(override.code).toBe(1);
    expect(override.stderr).toContain('the policy is hard; only soft policies can be overridden');
    expect(override.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('is listed by `policy list` with its reason, and refuses to be relaxed to advisory', async () => {
    const list = seen(await cli(['policy', 'list', '-f', 'hard.yaml']));
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/secret-parameters\s+hard\s+plan\s+built-in/);
    expect(list.stdout).toContain('KFP stores every run');
    specFile('advisory.yaml', { spec: '  defaultPolicies:\n    secret-parameters: {enforcement: advisory}' });
    const advisory = seen(await cli(['validate', '-f', 'advisory.yaml']));
    expect(advisory.code).toBe(1);
    expect(advisory.stderr + advisory.stdout).toMatch(
      /advisory\.yaml:\d+:\d+: .*secret-parameters may be hard or soft, not advisory/,
    );
  });

  it('relaxed to soft: plan blocks until an owner overrides it; the plan file and JSON hold no value', async () => {
    const blocked = seen(await cli(['plan', '-f', 'soft.yaml']));
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(blocked.stdout).toMatch(
      /\[soft\] secret-parameters on plan: FAILED, blocks \(owners who may override: alice\)/,
    );
    const flags = ['--override-policy', 'secret-parameters', '--reason', 'lab MinIO, test credentials'];
    const json = seen(await cli(['plan', '-f', 'soft.yaml', '--json', ...flags]));
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { policies: { results: { policy: string; override?: unknown }[] } };
    expect(doc.policies.results.find((r) => r.policy === 'secret-parameters')).toMatchObject({
      override: { actor: 'alice', reason: 'lab MinIO, test credentials' },
    });
    // The Action's pull-request comment is the plan's markdown.
    const markdown = seen(await cli(['plan', '-f', 'soft.yaml', '--markdown', ...flags]));
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain('secret-parameters');
    const out = seen(await cli(['plan', '-f', 'soft.yaml', '--out', 'reviewed.json', ...flags]));
    expect(out.code, out.stderr).toBe(0);
    outputs.push(readFileSync(join(dir, 'reviewed.json'), 'utf8'));
  });

  it('applies across a and b with the value from the environment, the override recorded', async () => {
    const flags = ['--override-policy', 'secret-parameters', '--reason', 'lab MinIO, test credentials'];
    const unset = seen(await cli(['apply', '-f', 'soft.yaml', ...flags], { MINIO_SECRET: '' }));
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('the environment variable MINIO_SECRET is empty');
    const applied = seen(await cli(['apply', '-f', 'soft.yaml', '--plan', 'reviewed.json', ...flags]));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain(
      'Policy secret-parameters on plan was overridden by alice: lab MinIO, test credentials',
    );
    // The run at b was created with the value (KFP keeps it: that is what the policy warns about) and
    // carries the override in its description.
    const runs = (await (await fetch(`${lab.locations['b']!.kfp}/apis/v2beta1/runs`)).json()) as {
      runs: { description?: string; runtime_config?: { parameters?: Record<string, unknown> } }[];
    };
    const run = runs.runs.find((r) => r.runtime_config?.parameters?.['mlpipeline_minio_artifact_secret'] === SECRET);
    expect(run, JSON.stringify(runs.runs.map((r) => r.description))).toBeDefined();
    expect(run!.description).toContain('secret-parameters on plan overridden by alice: lab MinIO, test credentials');
    const again = seen(await cli(['plan', '-f', 'soft.yaml', '--json', ...flags]));
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { operations: unknown[] }).operations).toEqual([]);
  }, 120_000);

  it('never prints, logs or writes the value', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const text of outputs) expect(text).not.toContain(SECRET);
  });
});
