import { describe, expect, it } from 'vitest';
import { planOperations, runStage, verifyStage } from '../../src/plan/operations.js';
import { noReruns, type Reruns } from '../../src/plan/reruns.js';
import { at, chain, factsOf, layoutsOf, REVISION } from './observation-builder.js';

const tasks = chain('load', 'train', 'serve');
const layouts = layoutsOf(tasks, [
  ['a', ['load']],
  ['b', ['train']],
  ['a', ['serve']],
]);
const ids = (w: { operations: { id: string }[] }) => w.operations.map((o) => o.id);

describe('planOperations', () => {
  it('uploads the pipeline version once per location, before the first stage that runs there', () => {
    const facts = factsOf(layouts, at('a').notUploaded(), at('b').notUploaded());
    const w = planOperations(facts, noReruns(), REVISION);
    expect(ids(w)).toEqual([
      'upload-pipeline:a',
      'run-stage:1',
      'verify-stage:1',
      'upload-pipeline:b',
      'handoff:2:a',
      'run-stage:2',
      'verify-stage:2',
      'handoff:3:b',
      'run-stage:3',
      'verify-stage:3',
    ]);
    expect(w.operations[0]!.reason).toBe(`pipeline version ${REVISION} is not uploaded at a yet`);
  });

  it('uploads nothing where no stage runs', () => {
    const facts = factsOf(
      layouts,
      at('a').notUploaded().done(1).done(3).has('load', 'train'),
      at('b').done(2).has('load', 'train'),
    );
    expect(ids(planOperations(facts, noReruns(), REVISION))).toEqual([]);
  });

  it('awaits a running stage and verifies it, never submitting it again', () => {
    const facts = factsOf(
      layouts,
      at('a').done(1).has('load').run(3, 'running', { runId: 'r3' }),
      at('b').done(2).has('load', 'train'),
    );
    const w = planOperations(facts, noReruns(), REVISION);
    expect(ids(w)).toEqual(['await-stage:3', 'verify-stage:3']);
    expect(w.operations[0]!.reason).toBe('run r3 is running');
  });

  it('runs a failed stage again, saying why', () => {
    const facts = factsOf(
      layouts,
      at('a').done(1).failed(3, 'serve: out of memory').has('load', 'train'),
      at('b').done(2).has('load', 'train'),
    );
    const w = planOperations(facts, noReruns(), REVISION);
    expect(ids(w)).toEqual(['run-stage:3', 'verify-stage:3']);
    expect(w.operations[0]!.reason).toMatch(/^stage 3 runs serve at a: run run-a-3-1 failed: serve: out of memory$/);
  });

  it('runs a done stage again when a rule decided so, with that rule’s reason', () => {
    const facts = factsOf(layouts, at('a').done(1).done(3).has('load', 'train'), at('b').done(2).has('load', 'train'));
    const reruns: Reruns = {
      reasons: new Map([[1, 'load is needed elsewhere']]),
      refresh: new Map([[1, new Set(['load'])]]),
    };
    const w = planOperations(facts, reruns, REVISION);
    expect(ids(w)).toEqual(['run-stage:1', 'verify-stage:1', 'handoff:2:a']);
    expect(w.operations[0]!.refresh).toEqual(['load']);
  });

  it('collects the drift the handoffs found', () => {
    const facts = factsOf(
      layouts,
      at('a').done(1).done(3).has('load', 'train'),
      at('b').done(2).has('train').lost('gone', 'load'),
    );
    const w = planOperations(facts, noReruns(), REVISION);
    expect(ids(w)).toEqual(['handoff:2:a']);
    expect(w.drift).toEqual(['load was handed off to b but is no longer available there (gone)']);
  });
});

describe('runStage', () => {
  it('names the steps that must execute again although a cache row exists', () => {
    const op = runStage(layouts[0]!, 'lost', new Set(['load']));
    expect(op).toMatchObject({
      id: 'run-stage:1',
      kind: 'run-stage',
      stage: 1,
      location: 'a',
      steps: ['load'],
      refresh: ['load'],
    });
    expect(op.reason).toBe(
      'stage 1 runs load at a: lost; load must execute again (their cache rows point at missing bytes), and get fresh cache rows',
    );
  });

  it('has no refresh when nothing must execute again', () => {
    expect(runStage(layouts[0]!, 'no run of this revision yet', new Set())).not.toHaveProperty('refresh');
  });
});

describe('verifyStage', () => {
  it('checks that handed-off steps were cache hits and the stage’s own steps executed', () => {
    expect(verifyStage(layouts[1]!)).toEqual({
      id: 'verify-stage:2',
      kind: 'verify-stage',
      stage: 2,
      location: 'b',
      steps: ['load', 'train'],
      reason: 'load must be cache hits and train must execute',
      reasonCode: 'verify-run',
    });
    expect(verifyStage(layouts[0]!).reason).toBe('load must execute');
  });
});
