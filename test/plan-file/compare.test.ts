// The comparison behind `apply --plan FILE` and the plan file's own checks, without any location.
import { describe, expect, it } from 'vitest';
import {
  inputDifferences,
  operationDifferences,
  planDifferences,
  policyDifferences,
} from '../../src/plan-pipeline/compare.js';
import { parsePlanFile, planFileOf, type PlanFile } from '../../src/plan-pipeline/plan-file.js';
import type { PlanDocument, PlannedOperation, PlanPolicies, PlanPolicyResult } from '../../src/plan/types.js';

const op = (o: Partial<PlannedOperation> & Pick<PlannedOperation, 'id' | 'kind'>): PlannedOperation => ({
  stage: 1,
  location: 'a',
  reason: 'because',
  reasonCode: 'stage-not-run',
  ...o,
});

const OPS: PlannedOperation[] = [
  op({ id: 'upload-pipeline:a', kind: 'upload-pipeline', reasonCode: 'pipeline-version-missing' }),
  op({ id: 'run-stage:1', kind: 'run-stage', steps: ['load'] }),
  op({
    id: 'handoff:2:a',
    kind: 'handoff',
    stage: 2,
    location: 'b',
    from: 'a',
    steps: ['load'],
    reasonCode: 'handoff-needed',
  }),
];

const result = (o: Partial<PlanPolicyResult> = {}): PlanPolicyResult => ({
  policy: 'residency',
  enforcement: 'hard',
  scope: 'handoff',
  item: 'handoff a → b',
  passed: true,
  messages: [],
  overridable: false,
  owners: [],
  blocking: false,
  ...o,
});

const policies = (...results: PlanPolicyResult[]): PlanPolicies => ({
  results,
  exceptionsUsed: 0,
  expiredExceptions: [],
  blocking: results.filter((r) => r.blocking),
});

function planDoc(operations: PlannedOperation[], p?: PlanPolicies): PlanDocument {
  return {
    name: 'x',
    revision: 'r1',
    revisionDigest: 'd1',
    pipeline: { name: 'p', package: 'p.yaml' },
    offline: false,
    inSync: operations.length === 0,
    stages: [],
    operations,
    warnings: [],
    diagnostics: [],
    drift: [],
    ...(p ? { policies: p } : {}),
  };
}

function saved(operations = OPS, p?: PlanPolicies): PlanFile {
  return planFileOf({
    createdAt: '2026-12-05T20:00:00.000Z',
    name: 'x',
    revision: 'r1',
    revisionDigest: 'd1',
    file: { path: 'split-pipeline.yaml', sha256: 'f1' },
    package: { path: 'p.yaml', sha256: 'p1' },
    observations: { a: 'o1' },
    plan: planDoc(operations, p),
  });
}

describe('operationDifferences', () => {
  it('finds nothing when the work is the same, even if the sentences differ', () => {
    const fresh = OPS.map((o) => ({ ...o, reason: `${o.reason}, in other words` }));
    expect(operationDifferences(OPS, fresh)).toEqual([]);
  });

  it('names an operation no longer needed, one newly needed, and one that changed', () => {
    const fresh = [
      OPS[0]!,
      op({
        id: 'handoff:2:a',
        kind: 'handoff',
        stage: 2,
        location: 'b',
        from: 'a',
        steps: ['load', 'split'],
        reasonCode: 'handoff-needed',
      }),
      op({ id: 'verify-stage:2', kind: 'verify-stage', stage: 2, location: 'b', reasonCode: 'verify-run' }),
    ];
    const d = operationDifferences(OPS, fresh);
    expect(d).toEqual([
      'operation run-stage:1 is in the plan file but no longer needed (because)',
      'operation handoff:2:a changed: steps load → load, split',
      'operation verify-stage:2 is needed now but not in the plan file (because)',
    ]);
  });

  it('names a changed reason code and a changed order', () => {
    const rerun = OPS.map((o) => (o.id === 'run-stage:1' ? { ...o, reasonCode: 'stage-failed' as const } : o));
    expect(operationDifferences(OPS, rerun)).toEqual([
      'operation run-stage:1 changed: reason stage-not-run → stage-failed',
    ]);
    expect(operationDifferences(OPS, [OPS[1]!, OPS[0]!, OPS[2]!])[0]).toMatch(
      /different order: now run-stage:1 upload-pipeline:a/,
    );
  });

  it('counts what travels as bytes as part of the work', () => {
    const art = (travels: 'bytes' | 'records') => [
      { step: 'load', output: 'data', type: 'system.Dataset', labels: {}, bytes: null, travels },
    ];
    const a = [op({ id: 'handoff:2:a', kind: 'handoff', artifacts: art('bytes') })];
    const b = [op({ id: 'handoff:2:a', kind: 'handoff', artifacts: art('records') })];
    expect(operationDifferences(a, b)).toHaveLength(1);
  });
});

describe('policyDifferences', () => {
  it('compares outcomes, not overrides or exceptions', () => {
    const failed = result({
      enforcement: 'soft',
      passed: false,
      messages: ['too big'],
      blocking: true,
      overridable: true,
    });
    const overridden = { ...failed, blocking: false, override: { policy: 'residency', reason: 'ok', actor: 'alice' } };
    expect(policyDifferences(policies(failed), policies(overridden))).toEqual([]);
  });

  it('names a result whose outcome changed, and results that appeared or went away', () => {
    const d = policyDifferences(
      policies(result(), result({ policy: 'registry', scope: 'stage', item: 'stage 1 (a)' })),
      policies(
        result({ passed: false, messages: ['raw data leaves a'] }),
        result({ policy: 'window', scope: 'plan', item: 'plan' }),
      ),
    );
    expect(d).toEqual([
      'policy residency on handoff a → b: passed in the plan file, failed (raw data leaves a) now',
      'policy registry on stage 1 (a): passed in the plan file, not evaluated now',
      'policy window on plan: passed now, not in the plan file',
    ]);
  });

  it('treats no policies on both sides as equal', () => {
    expect(policyDifferences(undefined, undefined)).toEqual([]);
  });
});

describe('planDifferences and inputDifferences', () => {
  it('is empty when everything matches', () => {
    expect(
      planDifferences(saved(), {
        revisionDigest: 'd1',
        fileSha256: 'f1',
        packageSha256: 'p1',
        operations: OPS,
        policies: undefined,
      }),
    ).toEqual([]);
  });

  it('names a changed revision, split file and package', () => {
    const d = inputDifferences(saved(), { revisionDigest: 'd2', fileSha256: 'f2', packageSha256: 'p2' });
    expect(d).toHaveLength(3);
    expect(d[0]).toMatch(/^revision: the plan file is for r1/);
    expect(d[1]).toMatch(/the split file changed since the plan was written \(split-pipeline\.yaml/);
    expect(d[2]).toMatch(/the pipeline package changed/);
  });
});

describe('the plan file', () => {
  it('reads back what was written', () => {
    const file = saved(OPS, policies(result()));
    expect(parsePlanFile('plan.json', JSON.stringify(file, null, 2))).toEqual(file);
    expect(file.format).toBe('split-pipelines-plan');
    expect(file.version).toBe(1);
    expect(file.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a file edited after it was written, naming it', () => {
    const file = saved();
    const edited = { ...file, plan: { ...file.plan, operations: file.plan.operations.slice(1) } };
    expect(() => parsePlanFile('plan.json', JSON.stringify(edited))).toThrow(
      /^plan\.json: the plan file was changed after it was written/,
    );
  });

  it('refuses what is not a plan file, or a version it does not read', () => {
    expect(() => parsePlanFile('p.json', '{"a":')).toThrow(/p\.json: not a plan file: not JSON/);
    expect(() => parsePlanFile('p.json', '{"format":"other"}')).toThrow(
      /not a plan file: "format" is not "split-pipelines-plan"/,
    );
    expect(() => parsePlanFile('p.json', JSON.stringify({ ...saved(), version: 9 }))).toThrow(
      /plan file version 9 is not supported/,
    );
    const { plan: _plan, ...noPlan } = saved();
    expect(() => parsePlanFile('p.json', JSON.stringify(noPlan))).toThrow(/missing or malformed plan/);
  });
});
