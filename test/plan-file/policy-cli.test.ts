// Enforcement on the command line, offline (no location needed): `plan` shows every result and exits
// 1 when one blocks; `--override-policy NAME --reason TEXT` overrides a soft failure (recorded with
// who and why); a hard failure cannot be overridden; advisory failures change no exit code.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';

let dir: string;

const policies = `  policies:
  - name: serving-approval
    enforcement: soft
    owners: [alice]
    scope: stage
    match: "stage.location.name == 'c'"
    validations:
    - expression: "false"
      message: serving needs an owner's approval
  - name: image-hint
    enforcement: advisory
    scope: plan
    validations:
    - expression: "false"
      message: just so you know
`;
const hard = `  - name: never-at-b
    enforcement: hard
    scope: stage
    match: "stage.location.name == 'b'"
    validations:
    - expression: "false"
      message: nothing runs at b
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-policy-cli-'));
  cpSync(join(repoRoot, 'examples/thesis'), dir, { recursive: true });
  const text = readFileSync(join(dir, 'split-pipeline.yaml'), 'utf8').trimEnd();
  writeFileSync(join(dir, 'soft.yaml'), `${text}\n${policies}`);
  writeFileSync(join(dir, 'hard.yaml'), `${text}\n${policies}${hard}`);
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { GITHUB_ACTOR: 'dana' } });

describe('policies on the command line', () => {
  it('plan exits 1 on a soft failure, showing every result and who may override', async () => {
    const res = await cli(['plan', '--offline', '-f', 'soft.yaml']);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(
      /\[soft\] serving-approval on stage 3 \(c\): FAILED, blocks \(owners who may override: alice\)/,
    );
    expect(res.stdout).toMatch(/\[advisory\] image-hint on plan: failed \(advisory\)/);
    expect(res.stderr).toContain('1 policy failure(s) block apply (serving-approval)');
  });

  it('an override with a reason lets plan pass, recorded with who and why in the JSON', async () => {
    const res = await cli([
      'plan',
      '--offline',
      '--json',
      '-f',
      'soft.yaml',
      '--override-policy',
      'serving-approval',
      '--reason',
      'launch day',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const plan = JSON.parse(res.stdout) as {
      policies: { results: { policy: string; override?: unknown; blocking: boolean }[] };
    };
    const r = plan.policies.results.find((x) => x.policy === 'serving-approval')!;
    expect(r).toMatchObject({
      blocking: false,
      override: { policy: 'serving-approval', reason: 'launch day', actor: 'dana' },
    });
  });

  it('refuses to override a hard policy, before anything is contacted', async () => {
    const res = await cli([
      'plan',
      '--offline',
      '-f',
      'hard.yaml',
      '--override-policy',
      'never-at-b',
      '--reason',
      'please',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      '--override-policy never-at-b: the policy is hard; only soft policies can be overridden',
    );
    expect(res.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});
