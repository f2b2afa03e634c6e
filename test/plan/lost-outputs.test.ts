import { describe, expect, it } from 'vitest';
import { rerunProducersOfLostOutputs } from '../../src/plan/lost-outputs.js';
import { noReruns, type Reruns } from '../../src/plan/reruns.js';
import { at, chain, factsOf, layoutsOf } from './observation-builder.js';
import { stringMatching } from '../support/matchers.js';

const tasks = chain('load', 'split', 'train', 'serve');
const layouts = layoutsOf(tasks, [
  ['a', ['load', 'split']],
  ['b', ['train']],
  ['c', ['serve']],
]);
const reasonsOf = (r: Reruns) => Object.fromEntries(r.reasons);
const refreshOf = (r: Reruns) => Object.fromEntries([...r.refresh].map(([k, v]) => [k, [...v]]));

describe('rerunProducersOfLostOutputs', () => {
  it('runs the producing stage again when a step a pending stage needs is gone everywhere', () => {
    const facts = factsOf(
      layouts,
      at('a').done(1).has('load').lost('artifact bytes missing at minio://a/split', 'split'),
      at('b').done(2).has('load', 'train').lost('no cache row', 'split'),
      at('c'),
    );
    const r = rerunProducersOfLostOutputs(facts, noReruns());
    expect(reasonsOf(r)).toEqual({
      1: 'split is needed by stage 3 (c) but no location has it any more (artifact bytes missing at minio://a/split)',
    });
    // load's bytes are still at a: only split must execute again rather than come from its stale cache row
    expect(refreshOf(r)).toEqual({ 1: ['split'] });
  });

  it('runs nothing again while another location can still hand the step off', () => {
    const facts = factsOf(
      layouts,
      at('a').done(1).lost('gone', 'split'),
      at('b').done(2).has('load', 'split', 'train'),
      at('c'),
    );
    expect(rerunProducersOfLostOutputs(facts, noReruns()).reasons.size).toBe(0);
  });

  it('runs nothing again for stages that are done: lost copies there are drift, not work', () => {
    const facts = factsOf(layouts, at('a').done(1), at('b').done(2), at('c').done(3));
    expect(rerunProducersOfLostOutputs(facts, noReruns()).reasons.size).toBe(0);
  });

  it('runs nothing again for a stage that is running: what it needs can no longer change', () => {
    const facts = factsOf(layouts, at('a').done(1), at('b').done(2), at('c').run(3, 'running'));
    expect(rerunProducersOfLostOutputs(facts, noReruns()).reasons.size).toBe(0);
  });

  it('runs the producer again when its own location lost what a later stage there serves from cache', () => {
    const l = layoutsOf(tasks, [
      ['a', ['load', 'split']],
      ['a', ['train']],
      ['b', ['serve']],
    ]);
    const facts = factsOf(l, at('a').done(1).has('split').lost('bytes missing', 'load'), at('b'));
    expect(reasonsOf(rerunProducersOfLostOutputs(facts, noReruns()))).toEqual({
      1: 'load is needed by stage 2 (a) but no location has it any more (bytes missing)',
    });
  });

  it('waits for a producer at the same location that runs anyway', () => {
    const l = layoutsOf(tasks, [
      ['a', ['load', 'split']],
      ['a', ['train']],
      ['b', ['serve']],
    ]);
    const facts = factsOf(l, at('a').failed(1), at('b'));
    expect(rerunProducersOfLostOutputs(facts, noReruns()).reasons.size).toBe(0);
  });

  it('keeps what was decided before and leaves its input as it was', () => {
    const facts = factsOf(layouts, at('a').done(1), at('b').done(2).has('train'), at('c'));
    const before: Reruns = { reasons: new Map([[1, 'decided earlier']]), refresh: new Map() };
    const r = rerunProducersOfLostOutputs(facts, before);
    expect(reasonsOf(r)).toEqual({ 1: 'decided earlier' });
    expect(r.reasons).not.toBe(before.reasons);
    const fresh = rerunProducersOfLostOutputs(facts, noReruns());
    expect(reasonsOf(fresh)).toEqual({ 1: stringMatching(/^load is needed by stage 3 \(c\)/) });
    expect(before.reasons.size).toBe(1);
  });
});
