import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../src/plan/reconcile.js';
import { descendantsOf, rerunConsumersOfRegenerated } from '../../src/plan/regeneration.js';
import { noReruns, type Reruns } from '../../src/plan/reruns.js';
import { stagesToRunAgain } from '../../src/plan/stages-to-run-again.js';
import { at, chain, factsOf, layoutsOf, observe, reconcileInput } from './observation-builder.js';

const reasonsOf = (r: Reruns) => Object.fromEntries(r.reasons);

describe('descendantsOf', () => {
  it('follows dependencies through several tasks', () => {
    expect([...descendantsOf(['s1'], chain('s1', 's2', 's3', 's4'))].sort()).toEqual(['s2', 's3', 's4']);
  });

  it('leaves out the roots, tasks before them and tasks beside them', () => {
    const tasks = { s0: [], s1: ['s0'], side: ['s0'], s2: ['s1'], join: ['side', 's2'] };
    expect([...descendantsOf(['s1'], tasks)].sort()).toEqual(['join', 's2']);
  });

  it('is empty for a task nothing depends on', () => {
    expect(descendantsOf(['s4'], chain('s1', 's2', 's3', 's4')).size).toBe(0);
  });
});

// s1 → s2 → s3 → s4, one stage each at w, x, y, z.
const tasks = chain('s1', 's2', 's3', 's4');
const layouts = layoutsOf(tasks, [
  ['w', ['s1']],
  ['x', ['s2']],
  ['y', ['s3']],
  ['z', ['s4']],
]);
const regenerating = (stage: number, ...steps: string[]): Reruns => ({
  reasons: new Map([[stage, 'lost']]),
  refresh: new Map([[stage, new Set(steps)]]),
});

describe('rerunConsumersOfRegenerated', () => {
  it('runs again every done stage downstream of a regenerated output that a later stage still needs', () => {
    const facts = factsOf(layouts, at('w').done(1), at('x').done(2), at('y').done(3), at('z'));
    expect(reasonsOf(rerunConsumersOfRegenerated(facts, regenerating(1, 's1'), tasks))).toEqual({
      1: 'lost',
      2: 's2 consumed outputs that stage 1 regenerates',
      3: 's3 consumed outputs that stage 1 regenerates',
    });
  });

  it('leaves a consumer alone when no later stage with work reads its results', () => {
    const facts = factsOf(layouts, at('w').done(1), at('x').done(2), at('y').done(3), at('z').done(4));
    expect(reasonsOf(rerunConsumersOfRegenerated(facts, regenerating(1, 's1'), tasks))).toEqual({ 1: 'lost' });
  });

  it('leaves stages that are not done to run as they would anyway', () => {
    const facts = factsOf(layouts, at('w').done(1), at('x').failed(2), at('y').done(3), at('z'));
    const r = rerunConsumersOfRegenerated(facts, regenerating(1, 's1'), tasks);
    expect([...r.reasons.keys()]).toEqual([1, 3]);
  });

  it('does nothing when nothing is regenerated', () => {
    const facts = factsOf(layouts, at('w').done(1), at('x').done(2), at('y').done(3), at('z'));
    const before = noReruns();
    expect(rerunConsumersOfRegenerated(facts, before, tasks)).toBe(before);
  });

  it('leaves unrelated stages alone', () => {
    const forked = { s1: [], s2: ['s1'], other: [], s4: ['s2', 'other'] };
    const l = layoutsOf(forked, [
      ['w', ['s1']],
      ['x', ['s2']],
      ['y', ['other']],
      ['z', ['s4']],
    ]);
    const facts = factsOf(l, at('w').done(1), at('x').done(2), at('y').done(3), at('z'));
    expect([...rerunConsumersOfRegenerated(facts, regenerating(1, 's1'), forked).reasons.keys()]).toEqual([1, 2]);
  });
});

describe('stagesToRunAgain', () => {
  it('repeats the rules until a stage that runs again finds its own inputs lost too', () => {
    const three = chain('s1', 's2', 's3');
    const l = layoutsOf(three, [
      ['a', ['s1']],
      ['b', ['s2']],
      ['c', ['s3']],
    ]);
    const facts = factsOf(
      l,
      at('a').done(1).lost('bytes missing at a', 's1'),
      at('b').done(2).lost('bytes missing at b', 's1', 's2'),
      at('c').has('s1'),
    );
    const r = stagesToRunAgain(facts, three);
    expect(reasonsOf(r)).toEqual({
      2: 's2 is needed by stage 3 (c) but no location has it any more (bytes missing at b)',
      1: 's1 is needed by stage 2 (b) but no location has it any more (bytes missing at a)',
    });
    expect([...r.refresh.keys()]).toEqual([2, 1]);
  });

  it('runs nothing again when everything is where it is needed', () => {
    const facts = factsOf(
      layouts,
      at('w').done(1).has('s1'),
      at('x').done(2).has('s1', 's2'),
      at('y').done(3).has('s1', 's2', 's3'),
      at('z'),
    );
    expect(stagesToRunAgain(facts, tasks).reasons.size).toBe(0);
  });
});

describe('the regeneration cascade in a plan', () => {
  it('runs the producer of an output lost everywhere again, then its done consumers, then the stage that needed it', () => {
    const input = reconcileInput(tasks, layouts);
    const o = observe(
      at('w').done(1).lost('artifact bytes missing', 's1'),
      at('x').done(2).has('s2').lost('artifact bytes missing', 's1'),
      at('y').done(3).has('s2', 's3').lost('artifact bytes missing', 's1'),
      at('z'),
    );
    const p = planReconcile(input, o);
    expect(p.operations.map((op) => op.id)).toEqual([
      'run-stage:1',
      'verify-stage:1',
      'handoff:2:w',
      'run-stage:2',
      'verify-stage:2',
      'handoff:3:x',
      'run-stage:3',
      'verify-stage:3',
      'handoff:4:y',
      'run-stage:4',
      'verify-stage:4',
    ]);
    expect(p.stages.map((s) => s.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const run = (i: number) => p.operations.find((op) => op.id === `run-stage:${i}`)!;
    expect(run(1).reason).toMatch(
      /s1 is needed by stage 4 \(z\) but no location has it any more \(artifact bytes missing\)/,
    );
    expect(run(1).refresh).toEqual(['s1']);
    expect(run(2).reason).toMatch(/s2 consumed outputs that stage 1 regenerates/);
    expect(run(3).reason).toMatch(/s3 consumed outputs that stage 1 regenerates/);
    // the consumers' own cache rows are not stale: they execute again because their inputs' ids change
    expect(run(2).refresh).toBeUndefined();
  });

  it('hands a lost step off again from a location that still has it, to every stage that lost it, instead of regenerating it', () => {
    const input = reconcileInput(tasks, layouts);
    const o = observe(
      at('w').done(1).has('s1'),
      at('x').done(2).has('s2').lost('gone', 's1'),
      at('y').done(3).has('s2', 's3').lost('gone', 's1'),
      at('z'),
    );
    const p = planReconcile(input, o);
    expect(p.operations.map((op) => [op.id, op.steps])).toEqual([
      ['handoff:2:w', ['s1']],
      ['handoff:3:w', ['s1']],
      ['handoff:4:w', ['s1']],
      ['handoff:4:y', ['s2', 's3']],
      ['run-stage:4', ['s4']],
      ['verify-stage:4', ['s1', 's2', 's3', 's4']],
    ]);
    expect(p.drift).toEqual([
      's1 was handed off to x but is no longer available there (gone)',
      's1 was handed off to y but is no longer available there (gone)',
    ]);
  });
});
