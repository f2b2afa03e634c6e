// Issue 12: a policy written inline in split-pipeline.yaml (`spec.policies`) whose expression does not
// compile is a `validate` error at FILE:LINE:COL of the expression (the broken token, not the start of
// the policy), exit 1, no stack trace; in a plain scalar, a quoted one and a block scalar.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';

let dir: string;
let base: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-policy-inline-'));
  cpSync(join(repoRoot, 'examples/thesis'), dir, { recursive: true });
  base = readFileSync(join(dir, 'split-pipeline.yaml'), 'utf8').trimEnd();
});

/** Writes the thesis file with `policies` appended under spec; returns the 1-based line of the first appended line. */
function withPolicies(name: string, policies: string): number {
  writeFileSync(join(dir, name), `${base}\n${policies}`);
  return base.split('\n').length + 1;
}

const validate = (file: string) => runCli(['validate', '-f', file], { cwd: dir });

describe('validate: a broken inline policy', () => {
  it('points at the token the parser stops at in a plain expression', async () => {
    const first = withPolicies(
      'plain.yaml',
      [
        '  policies:',
        '  - name: small-handoffs',
        '    enforcement: hard',
        '    scope: handoff',
        '    validations:',
        '    - expression: handoff.bytes < < 10',
        '      message: too big',
      ].join('\n'),
    );
    const res = await validate('plain.yaml');
    expect(res.code).toBe(1);
    // `    - expression: ` is 18 characters, so the expression starts at column 19; the parser cannot
    // go on after `handoff.bytes` and reports the first `<` (its 15th character): column 33.
    expect(res.stderr + res.stdout).toMatch(
      new RegExp(`plain\\.yaml:${first + 5}:33: policy small-handoffs, validation 1 does not compile: found <`),
    );
    expect(res.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('points inside a quoted match and on the second line of a block scalar', async () => {
    const first = withPolicies(
      'quoted.yaml',
      [
        '  policies:',
        '  - name: serving',
        '    enforcement: soft',
        '    owners: [alice]',
        '    scope: stage',
        '    match: "stage.location.name == )"',
        '    validations:',
        '    - expression: "true"',
        '      message: never fails',
        '  - name: registries',
        '    enforcement: hard',
        '    scope: stage',
        '    validations:',
        '    - expression: |',
        '        stage.images.size() > 0 &&',
        '          stage.index == == 2',
        '      message: images from the registry',
      ].join('\n'),
    );
    const res = await validate('quoted.yaml');
    expect(res.code).toBe(1);
    const text = res.stderr + res.stdout;
    // `    match: "` is 12 characters; the parser stops at `==`, the 21st character of the expression.
    expect(text).toMatch(new RegExp(`quoted\\.yaml:${first + 5}:${12 + 21}: policy serving, match does not compile`));
    // The block's lines are indented by 8; on its second line the parser stops at the second `==`
    // (the expression's column 15), so column 8 + 15 of the file.
    expect(text).toMatch(
      new RegExp(`quoted\\.yaml:${first + 15}:23: policy registries, validation 1 does not compile: found =`),
    );
    expect(res.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('reports broken policies and exceptions in files named by spec.policyFiles, and broken inline exceptions', async () => {
    writeFileSync(
      join(dir, 'rules.yaml'),
      [
        'policies:',
        '  - name: small',
        '    enforcement: soft',
        '    owners: [ana]',
        '    scope: handoff',
        '    validations:',
        '      - expression: handoff.bytes <= ) 10',
        '        message: too big',
        '  - name: registry',
        '    enforcement: hard',
        '    scope: stage',
        '    validations:',
        '      - expression: "true"',
        '        message: m',
        'exceptions:',
        '  - policy: registry',
        '    match: "stage.index == == 1"',
        '    why: migration',
        '    approvedBy: ana',
        '    until: 2027-01-01',
        '  - policy: nosuch',
        '    why: w',
        '    approvedBy: ana',
        '    until: 2027-01-01',
        '  - policy: registry',
        '    why: w',
        '    approvedBy: ana',
        '    until: someday',
        '',
      ].join('\n'),
    );
    const first = withPolicies(
      'files.yaml',
      [
        '  policyFiles: [rules.yaml]',
        '  policyExceptions:',
        '  - policy: registry',
        '    match: stage.location.name ==',
        '    why: w',
        '    approvedBy: ana',
        '    until: 2027-01-01',
      ].join('\n'),
    );
    const res = await validate('files.yaml');
    expect(res.code).toBe(1);
    const text = res.stderr + res.stdout;
    // `      - expression: ` is 20 characters; as in the first test the parser cannot go on after
    // `handoff.bytes` and reports the `<` (the expression's 15th character): column 35.
    expect(text).toMatch(/rules\.yaml:7:35: policy small, validation 1 does not compile: found </);
    // `    match: "` is 12 characters; the parser reports the first `==` (the expression's 13th character).
    expect(text).toMatch(/rules\.yaml:17:25: exception for policy registry, match does not compile: found =/);
    expect(text).toMatch(/rules\.yaml:21:\d+: .*exception for policy "nosuch": no policy has this name/);
    expect(text).toMatch(/rules\.yaml:25:\d+: .*until "someday" is not a date/);
    // `    match: ` is 11 characters; the parser reports the `==` (the expression's 21st character).
    expect(text).toMatch(
      new RegExp(`files\\.yaml:${first + 3}:32: exception for policy registry, match does not compile`),
    );
    expect(res.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    // plan refuses the same file before contacting anything, with the same positions.
    const plan = await runCli(['plan', '--offline', '-f', 'files.yaml'], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stderr + plan.stdout).toMatch(/rules\.yaml:7:35: policy small, validation 1 does not compile/);
    expect(plan.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});
