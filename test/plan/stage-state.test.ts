import { describe, expect, it } from 'vitest';
import type { ObservedRun } from '../../src/plan/observation.js';
import { plannedStage, stageStateOf } from '../../src/plan/stage-state.js';
import { at, chain, factsOf, layoutsOf } from './observation-builder.js';

const run = (over: Partial<ObservedRun>): ObservedRun => ({
  stage: 1,
  runId: 'r1',
  displayName: 'stage-1',
  state: 'succeeded',
  createdAt: '2026-01-01T00:00:00Z',
  ...over,
});
const layouts = layoutsOf(chain('load', 'train'), [
  ['a', ['load']],
  ['b', ['train']],
]);

describe('stageStateOf', () => {
  it('is pending when the stage has no run of this revision', () => {
    expect(stageStateOf(undefined)).toEqual({ state: 'pending', reason: 'no run of this revision yet' });
  });

  it('is running while the run is queued or running, so it is awaited, not submitted again', () => {
    expect(stageStateOf(run({ state: 'pending' }))).toMatchObject({ state: 'running', reason: 'run r1 is pending' });
    expect(stageStateOf(run({ state: 'running' }))).toMatchObject({ state: 'running', reason: 'run r1 is running' });
  });

  it('is done only when the run succeeded and passed verification', () => {
    const verified = run({ verification: { ok: true, executed: ['train'], cached: ['load'], problems: [] } });
    expect(stageStateOf(verified)).toMatchObject({ state: 'done', reason: 'run r1 succeeded and was verified' });
  });

  it('is failed when the run succeeded but failed verification, naming the problems', () => {
    const s = stageStateOf(
      run({ verification: { ok: false, executed: ['load'], cached: [], problems: ['load executed', 'x'] } }),
    );
    expect(s).toMatchObject({ state: 'failed', reason: 'run r1 succeeded but failed verification: load executed; x' });
  });

  it('is failed when a succeeded run was never verified', () => {
    expect(stageStateOf(run({})).reason).toBe('run r1 succeeded but failed verification: not verified');
  });

  it('is failed when the run failed or was canceled, with its error when there is one', () => {
    expect(stageStateOf(run({ state: 'failed', error: 'OOMKilled' }))).toMatchObject({
      state: 'failed',
      reason: 'run r1 failed: OOMKilled',
    });
    expect(stageStateOf(run({ state: 'canceled' }))).toMatchObject({ state: 'failed', reason: 'run r1 canceled' });
  });

  it('keeps the run it judged, for the plan to show', () => {
    const r = run({ state: 'failed' });
    expect(stageStateOf(r).run).toBe(r);
  });
});

describe('stage states of an observation', () => {
  it('judges each stage by its latest run at its own location (runs are listed newest first)', () => {
    const facts = factsOf(layouts, at('a').failed(1, 'old failure'), at('b').done(2).failed(2, 'earlier'));
    expect(facts.states.get(1)!.state).toBe('failed');
    expect(facts.states.get(2)!.state).toBe('done');
  });

  it("ignores another stage's runs at the same location", () => {
    const facts = factsOf(
      layoutsOf(chain('load', 'train'), [
        ['a', ['load']],
        ['a', ['train']],
      ]),
      at('a').done(1),
    );
    expect(facts.states.get(1)!.state).toBe('done');
    expect(facts.states.get(2)!.state).toBe('pending');
  });

  it('refuses an observation that misses a location of the layout', () => {
    expect(() => factsOf(layouts, at('a'))).toThrow('no observation for location b');
  });
});

describe('plannedStage', () => {
  it('shows a stage that runs again as pending, whatever its last run did', () => {
    const observed = stageStateOf(run({ verification: { ok: true, executed: ['load'], cached: [], problems: [] } }));
    expect(plannedStage(layouts[0]!, observed, true).state).toBe('pending');
    expect(plannedStage(layouts[0]!, observed, false).state).toBe('done');
  });

  it('carries the run id and what executed and what was a cache hit', () => {
    const observed = stageStateOf(
      run({ stage: 2, verification: { ok: true, executed: ['train'], cached: ['load'], problems: [] } }),
    );
    expect(plannedStage(layouts[1]!, observed, false)).toEqual({
      index: 2,
      name: '2-b',
      location: 'b',
      steps: ['train'],
      fromCache: ['load'],
      state: 'done',
      runId: 'r1',
      executed: ['train'],
      cached: ['load'],
    });
  });

  it('has no run fields for a stage never run', () => {
    const s = plannedStage(layouts[0]!, stageStateOf(undefined), false);
    expect(s).not.toHaveProperty('runId');
    expect(s).not.toHaveProperty('executed');
  });
});
