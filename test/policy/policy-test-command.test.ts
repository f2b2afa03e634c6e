import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.js';
import { recordingOutput } from '../../src/cli/output.js';

async function scratch(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'policy-test-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('split-pipelines policy test', () => {
  it('passes on the example corpus (examples/policies)', async () => {
    const out = recordingOutput();
    const code = await main(['policy', 'test', 'examples/policies'], out);
    expect(out.err).toBe('');
    expect(code).toBe(0);
    expect(out.out).not.toContain('FAIL');
    expect(out.out).toMatch(/(\d+)\/\1 policy expectation\(s\) hold/);
  });

  it('exits 1 when a result differs from the expected one', async () => {
    const dir = await scratch({
      'p.yaml': [
        'policies:',
        '  - name: small',
        '    enforcement: hard',
        '    scope: handoff',
        '    validations:',
        '      - expression: handoff.bytes < 10',
        '        message: too big',
        '',
      ].join('\n'),
      'p_test.yaml':
        'policyFiles: [p.yaml]\ntests:\n  - name: big\n    handoff: { from: a, to: b, bytes: 100 }\n    expect: { small: pass }\n',
    });
    const out = recordingOutput();
    expect(await main(['policy', 'test', dir], out)).toBe(1);
    expect(out.out).toContain('FAIL');
    expect(out.out).toContain('small expected pass, got fail (too big)');
  });

  it('reports a policy that does not compile at FILE:LINE:COL, exit 1, no stack trace', async () => {
    const dir = await scratch({
      'p.yaml':
        'policies:\n  - name: broken\n    enforcement: soft\n    scope: plan\n    validations:\n      - expression: plan.stages.size() >\n        message: m\n',
      'p_test.yaml': 'policyFiles: [p.yaml]\ntests:\n  - name: t\n    plan: {}\n    expect: { broken: pass }\n',
    });
    const out = recordingOutput();
    expect(await main(['policy', 'test', dir], out)).toBe(1);
    // The expression starts at line 6, column 21; the parser stops at its `>` (column 20 of the expression), column 40 of the file.
    expect(out.err).toMatch(/p\.yaml:6:40: policy broken, validation 1 does not compile: /);
    expect(out.err).not.toMatch(/\n\s+at /);
  });

  it('tests the built-in default policies by name, as the file’s own', async () => {
    const dir = await scratch({
      'p.yaml':
        'policies:\n  - name: anything\n    enforcement: advisory\n    scope: plan\n    validations:\n      - expression: "true"\n        message: m\n',
      'p_test.yaml': [
        'policyFiles: [p.yaml]',
        'tests:',
        '  - name: a secret from the environment',
        '    plan: { parameters: [{ name: minio_secret, from: env, secret: true }] }',
        '    expect: { secret-parameters: fail, anything: pass }',
        '  - name: no secret',
        '    plan: { parameters: [{ name: bucket_name }] }',
        '    expect: { secret-parameters: pass }',
        '  - name: a wrong expectation is caught',
        '    plan: { parameters: [{ name: api_key, secret: true }] }',
        '    expect: { secret-parameters: pass }',
        '',
      ].join('\n'),
    });
    const out = recordingOutput();
    expect(await main(['policy', 'test', dir], out)).toBe(1);
    expect(out.err).toBe('');
    expect(out.out).toMatch(/PASS .*a secret from the environment: secret-parameters expected fail, got fail/);
    expect(out.out).toMatch(/PASS .*no secret: secret-parameters expected pass, got pass/);
    // The built-in's own message (its reason) explains the failure.
    expect(out.out).toMatch(
      /FAIL .*a wrong expectation is caught: secret-parameters expected pass, got fail \(a parameter whose name looks like a secret/,
    );
    expect(out.out).toContain('3/4 policy expectation(s) hold');
  });

  it('refuses a policy file that takes a built-in’s name, at FILE:LINE:COL', async () => {
    const dir = await scratch({
      'p.yaml': [
        'policies:',
        '  - name: secret-parameters',
        '    enforcement: advisory',
        '    scope: plan',
        '    validations:',
        '      - expression: "true"',
        '        message: m',
        '',
      ].join('\n'),
      'p_test.yaml':
        'policyFiles: [p.yaml]\ntests:\n  - name: t\n    plan: {}\n    expect: { secret-parameters: pass }\n',
    });
    const out = recordingOutput();
    expect(await main(['policy', 'test', dir], out)).toBe(1);
    expect(out.err).toMatch(/p\.yaml:2:\d+: .*policy "secret-parameters" has the name of a built-in policy/);
  });
});
