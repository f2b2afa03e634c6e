// Every planned operation carries a machine-readable reason code beside its sentence.
import { describe, expect, it } from 'vitest';
import { planOperations } from '../../src/plan/operations.js';
import { REASON_CODES } from '../../src/plan/reason-codes.js';
import { noReruns, type Reruns } from '../../src/plan/reruns.js';
import { at, chain, factsOf, layoutsOf, REVISION } from '../plan/observation-builder.js';

const layouts = layoutsOf(chain('load', 'train', 'serve'), [
  ['a', ['load']],
  ['b', ['train']],
  ['a', ['serve']],
]);
const codes = (ops: { id: string; reasonCode?: string }[]) => Object.fromEntries(ops.map((o) => [o.id, o.reasonCode]));

describe('reason codes', () => {
  it('says why each operation of a first apply is there', () => {
    const w = planOperations(factsOf(layouts, at('a').notUploaded(), at('b').notUploaded()), noReruns(), REVISION);
    expect(codes(w.operations)).toMatchObject({
      'upload-pipeline:a': 'pipeline-version-missing',
      'run-stage:1': 'stage-not-run',
      'verify-stage:1': 'verify-run',
      'handoff:2:a': 'handoff-needed',
    });
    for (const op of w.operations) expect(REASON_CODES).toContain(op.reasonCode);
  });

  it('tells a failed run, a run that failed verification and a run in progress apart', () => {
    const b = () => at('b').done(2).has('load', 'train');
    const failed = planOperations(
      factsOf(layouts, at('a').done(1).failed(3, 'oom').has('load', 'train'), b()),
      noReruns(),
      REVISION,
    );
    expect(codes(failed.operations)['run-stage:3']).toBe('stage-failed');
    const unverified = planOperations(
      factsOf(layouts, at('a').done(1).unverified(3, 'train executed').has('load', 'train'), b()),
      noReruns(),
      REVISION,
    );
    expect(codes(unverified.operations)['run-stage:3']).toBe('stage-unverified');
    const running = planOperations(
      factsOf(layouts, at('a').done(1).has('load').run(3, 'running'), b()),
      noReruns(),
      REVISION,
    );
    expect(codes(running.operations)['await-stage:3']).toBe('stage-running');
  });

  it('names the rule that makes a done stage run again, and a repairing handoff', () => {
    const facts = factsOf(layouts, at('a').done(1).done(3).has('load', 'train'), at('b').done(2).has('load', 'train'));
    const lost: Reruns = {
      reasons: new Map([[1, 'load is needed elsewhere']]),
      refresh: new Map([[1, new Set(['load'])]]),
    };
    expect(codes(planOperations(facts, lost, REVISION).operations)['run-stage:1']).toBe('rerun-lost-output');
    const cascade: Reruns = { reasons: new Map([[2, 'train consumed regenerated outputs']]), refresh: new Map() };
    expect(codes(planOperations(facts, cascade, REVISION).operations)['run-stage:2']).toBe('rerun-regenerated-input');
    const drifted = factsOf(layouts, at('a').done(1).done(3).has('load'), at('b').done(2).has('load', 'train'));
    expect(codes(planOperations(drifted, noReruns(), REVISION).operations)['handoff:3:b']).toBe('handoff-repair');
  });
});
