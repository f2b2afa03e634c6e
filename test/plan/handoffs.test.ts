import { describe, expect, it } from 'vitest';
import { handoffSource } from '../../src/plan/handoff-source.js';
import { handoffsInto } from '../../src/plan/handoffs.js';
import { noReruns, type Reruns } from '../../src/plan/reruns.js';
import { at, chain, factsOf, layoutsOf } from './observation-builder.js';

const tasks = chain('load', 'split', 'train', 'serve');
const layouts = layoutsOf(tasks, [
  ['a', ['load', 'split']],
  ['b', ['train']],
  ['c', ['serve']],
]);
const [, stage2, stage3] = layouts as [unknown, (typeof layouts)[number], (typeof layouts)[number]];
const ALL = ['load', 'split', 'train', 'serve'];
/** Every stage done, every location has what it ran and was handed. */
const converged = () => [
  at('a').done(1).has('load', 'split'),
  at('b').done(2).has('load', 'split', 'train'),
  at('c')
    .done(3)
    .has(...ALL),
];
const rerun = (stage: number): Reruns => ({ reasons: new Map([[stage, 'test']]), refresh: new Map() });

describe('handoffSource', () => {
  it('takes a step from the nearest earlier stage that has it, so ids travel along the chain', () => {
    const facts = factsOf(layouts, ...converged());
    expect(handoffSource(facts, noReruns(), 'train', stage3)).toEqual({ location: 'b', future: false });
    // load was handed to b, so c gets it from b, not from a where it was produced
    expect(handoffSource(facts, noReruns(), 'load', stage3)).toEqual({ location: 'b', future: false });
  });

  it('hands off again from any earlier location that still has the step', () => {
    const [a, b, c] = converged();
    const facts = factsOf(layouts, a!, b!.lost('artifact bytes missing', 'load'), c!.lost('no cache row', 'load'));
    expect(handoffSource(facts, noReruns(), 'load', stage3)).toEqual({ location: 'a', future: false });
  });

  it('counts on an earlier stage that still works: it will have the step once it is done', () => {
    const facts = factsOf(layouts, at('a'), at('b'), at('c'));
    expect(handoffSource(facts, noReruns(), 'train', stage3)).toEqual({ location: 'b', future: true });
    expect(handoffSource(facts, noReruns(), 'load', stage3)).toEqual({ location: 'b', future: true });
  });

  it('never hands off from the stage’s own location', () => {
    const l = layoutsOf(tasks, [
      ['a', ['load', 'split']],
      ['b', ['train']],
      ['a', ['serve']],
    ]);
    const facts = factsOf(l, at('a').done(1).done(3).has('load', 'split'), at('b').done(2).has('train'));
    expect(handoffSource(facts, noReruns(), 'load', l[2]!)).toBeUndefined();
    expect(handoffSource(facts, noReruns(), 'train', l[2]!)).toEqual({ location: 'b', future: false });
  });

  it('ignores copies of a step whose producer runs again: they are stale once it is regenerated', () => {
    const facts = factsOf(layouts, ...converged());
    expect(handoffSource(facts, rerun(1), 'load', stage3)).toEqual({ location: 'a', future: true });
  });

  it('finds no source when no earlier location has the step and none will', () => {
    const lostEverywhere = converged().map((l) => l.lost('bytes missing', 'load'));
    expect(handoffSource(factsOf(layouts, ...lostEverywhere), noReruns(), 'load', stage3)).toBeUndefined();
  });
});

describe('handoffsInto', () => {
  it('hands a pending stage everything it needs from the stage before it, saying it is not there yet', () => {
    const r = handoffsInto(factsOf(layouts, at('a'), at('b'), at('c')), noReruns(), stage3);
    expect(r.operations).toEqual([
      {
        id: 'handoff:3:b',
        kind: 'handoff',
        stage: 3,
        location: 'c',
        from: 'b',
        steps: ['load', 'split', 'train'],
        reason: 'stage 3 (c) needs load, split, train as cache hits; b has them once its stage is done',
        reasonCode: 'handoff-needed',
      },
    ]);
    expect(r.drift).toEqual([]);
  });

  it('hands off only what a done stage lost, and reports it as drift', () => {
    const [a, b, c] = converged();
    const r = handoffsInto(
      factsOf(layouts, a!, b!, c!.lost('no cache row for fingerprint 12ab', 'train')),
      noReruns(),
      stage3,
    );
    expect(r.operations.map((o) => [o.id, o.steps])).toEqual([['handoff:3:b', ['train']]]);
    expect(r.operations[0]!.reason).toBe('not available at c: train (no cache row for fingerprint 12ab); b has them');
    expect(r.drift).toEqual([
      'train was handed off to c but is no longer available there (no cache row for fingerprint 12ab)',
    ]);
  });

  it('groups steps by the location that hands them', () => {
    const [a, b, c] = converged();
    const facts = factsOf(layouts, a!, b!.lost('gone', 'load'), c!.lost('gone', 'load', 'train'));
    expect(handoffsInto(facts, noReruns(), stage3).operations.map((o) => [o.id, o.steps])).toEqual([
      ['handoff:3:a', ['load']],
      ['handoff:3:b', ['train']],
    ]);
  });

  it('hands nothing to a running stage: it is too late to change what the run sees', () => {
    const facts = factsOf(
      layouts,
      at('a').done(1).has('load', 'split'),
      at('b').done(2).has('train'),
      at('c').run(3, 'running'),
    );
    expect(handoffsInto(facts, noReruns(), stage3)).toEqual({ operations: [], drift: [] });
  });

  it('reports a step lost everywhere at a done stage as drift it cannot repair', () => {
    const lostEverywhere = converged().map((l) => l.lost('bytes missing', 'load'));
    const r = handoffsInto(factsOf(layouts, ...lostEverywhere), noReruns(), stage2);
    expect(r.operations).toEqual([]);
    expect(r.drift).toEqual([
      'load is no longer available at b (bytes missing) nor at any earlier location; stage 2 is done, so it is not repaired',
    ]);
  });

  it('hands a step again, although the target has it, when its producer regenerates it', () => {
    const r = handoffsInto(factsOf(layouts, ...converged()), rerun(1), stage2);
    expect(r.operations.map((o) => [o.id, o.steps])).toEqual([['handoff:2:a', ['load', 'split']]]);
  });

  it('never hands off what the same location’s cache serves', () => {
    const l = layoutsOf(tasks, [
      ['a', ['load', 'split']],
      ['a', ['train']],
      ['b', ['serve']],
    ]);
    const facts = factsOf(l, at('a').done(1), at('b'));
    expect(handoffsInto(facts, noReruns(), l[1]!).operations).toEqual([]);
  });
});
