// A size the plan does not know (plan --offline, or a source that does not hold the artifact yet) is
// absent from the policies' input, never 0: a policy that compares it fails closed, saying the size
// is unknown, and `has(…bytes)` lets a policy decide otherwise on purpose.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingOutput } from '../../src/cli/output.js';
import { main } from '../../src/cli/run.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { evaluatePolicies } from '../../src/policy/evaluate.js';
import { policyInputsFromPlan } from '../../src/policy/inputs.js';
import { handoffFixture } from '../../src/policy/test-suite.js';
import type { PolicyContext, PolicySpec } from '../../src/policy/types.js';
import { repoRoot } from '../support/fixtures.js';

const context: PolicyContext = {
  command: 'plan',
  trigger: 'cli',
  actor: 'ana',
  now: '2026-12-05T12:00:00Z',
  changed: [],
};

const atMost1GiB: PolicySpec = {
  name: 'handoff-size',
  enforcement: 'hard',
  scope: 'handoff',
  validations: [{ expression: 'handoff.bytes <= 1024 * 1024 * 1024', message: 'the handoff copies more than 1 GiB' }],
};

function planWith(artifacts: { step: string; output: string; bytes: number | null; travels: 'bytes' | 'records' }[]) {
  return {
    name: 'p',
    revision: 'r1',
    revisionDigest: 'd',
    pipeline: { name: 'p', package: 'p.yaml' },
    offline: true,
    inSync: false,
    stages: [],
    operations: [
      {
        id: 'handoff:2:a',
        kind: 'handoff',
        stage: 2,
        location: 'b',
        from: 'a',
        steps: ['train'],
        reason: 'r',
        artifacts: artifacts.map((a) => ({ ...a, type: 'system.Model', labels: {} })),
        bytes: null,
      },
    ],
    warnings: [],
    diagnostics: [],
    drift: [],
  } as PlanDocument;
}

const view = { locations: [{ name: 'a' }, { name: 'b' }], steps: new Map() };

describe('an unknown size in the policies’ input', () => {
  it('is absent, not 0, on the artifact and on the handoff', () => {
    const inputs = policyInputsFromPlan(
      planWith([
        { step: 'train', output: 'model', bytes: null, travels: 'bytes' },
        { step: 'train', output: 'metrics', bytes: 10, travels: 'records' },
      ]),
      view,
    );
    const h = inputs.plan.handoffs[0]!;
    expect('bytes' in h).toBe(false);
    expect('bytes' in h.artifacts[0]!).toBe(false);
    expect(h.artifacts[1]!.bytes).toBe(10);
  });

  it('keeps the total when only a size of what travels as records is unknown', () => {
    const inputs = policyInputsFromPlan(
      planWith([
        { step: 'train', output: 'model', bytes: 7, travels: 'bytes' },
        { step: 'train', output: 'metrics', bytes: null, travels: 'records' },
      ]),
      view,
    );
    expect(inputs.plan.handoffs[0]!.bytes).toBe(7);
  });

  it('fails a size policy closed, saying the size is unknown (no crash, no pass)', () => {
    const inputs = policyInputsFromPlan(
      planWith([{ step: 'train', output: 'model', bytes: null, travels: 'bytes' }]),
      view,
    );
    const report = evaluatePolicies([compilePolicy(atMost1GiB)], inputs, context);
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ passed: false, blocking: true });
    expect(report.results[0]!.messages[0]).toMatch(
      /^the handoff copies more than 1 GiB \(the size is unknown \(train\.model\): the plan has not observed it/,
    );
  });

  it('says so for an artifact compared in a comprehension, and in a match', () => {
    const perArtifact: PolicySpec = {
      name: 'per-artifact',
      enforcement: 'soft',
      owners: ['ana'],
      scope: 'handoff',
      match: 'handoff.artifacts.exists(a, a.bytes > 0)',
      validations: [{ expression: 'true', message: 'm' }],
    };
    const inputs = {
      plan: { stages: [], revision: 'r', parameters: [], handoffs: [] as ReturnType<typeof handoffFixture>[] },
    };
    inputs.plan.handoffs.push(handoffFixture({ from: 'a', to: 'b', artifacts: [{ step: 's', output: 'o' }] }));
    const r = evaluatePolicies([compilePolicy(perArtifact)], inputs, context).results[0]!;
    expect(r.blocking).toBe(true);
    expect(r.messages[0]).toMatch(/^match: the size is unknown \(s\.o\)/);
  });

  it('lets a policy that tests has(…bytes) pass on purpose', () => {
    const lenient: PolicySpec = {
      ...atMost1GiB,
      validations: [{ expression: '!has(handoff.bytes) || handoff.bytes <= 1024', message: 'too big' }],
    };
    const inputs = {
      plan: {
        stages: [],
        revision: 'r',
        parameters: [],
        handoffs: [handoffFixture({ from: 'a', to: 'b', artifacts: [{ step: 's', output: 'o' }] })],
      },
    };
    expect(evaluatePolicies([compilePolicy(lenient)], inputs, context).results[0]!.passed).toBe(true);
  });

  it('blocks `plan --offline` of a file whose size policy cannot know the sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-unknown-size-'));
    cpSync(join(repoRoot, 'examples/thesis'), dir, { recursive: true });
    const file = join(dir, 'split-pipeline.yaml');
    const policy = [
      '  policies:',
      '  - name: handoff-size',
      '    enforcement: hard',
      '    scope: handoff',
      '    validations:',
      '    - expression: handoff.bytes <= 1024 * 1024 * 1024',
      '      message: the handoff copies more than 1 GiB',
      '',
    ].join('\n');
    writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\n${policy}`);
    const out = recordingOutput();
    const code = await main(['plan', '--offline', '-f', file], out);
    expect(code).toBe(1);
    expect(out.out + out.err).toMatch(/handoff-size on handoff a → b: FAILED, blocks/);
    expect(out.out + out.err).toContain('the size is unknown');
    expect(out.err).not.toMatch(/\n\s+at .*\.[jt]s:\d+/);
  });
});
