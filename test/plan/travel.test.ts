import { describe, expect, it } from 'vitest';
import { offlinePlanOf } from '../../src/api/index.js';
import { loadProject } from '../../src/split-file/load-project.js';
import { layoutStages } from '../../src/plan/layout.js';
import {
  artifactFlowOf,
  RecordsOnlyError,
  travelOf,
  travelSummary,
  withTravel,
  type ArtifactFlow,
} from '../../src/plan/travel.js';
import type { PlannedOperation } from '../../src/plan/types.js';
import { planReconcile } from '../../src/plan/reconcile.js';
import { at, layoutsOf, observe, reconcileInput } from './observation-builder.js';

const travels = (list: { step: string; output: string; travels: string }[]) =>
  Object.fromEntries(list.map((a) => [`${a.step}.${a.output}`, a.travels]));

describe('what a handoff carries as bytes (the thesis example)', () => {
  it('hands a→b the splits as bytes and the raw data as records; b→c only the model as bytes', async () => {
    const { project } = await loadProject('examples/thesis/split-pipeline.yaml');
    const plan = offlinePlanOf(project!);
    const handoffs = plan.operations.filter((o) => o.kind === 'handoff');
    expect(handoffs.map((h) => `${h.from}→${h.location}`)).toEqual(['a→b', 'b→c']);
    expect(travels(handoffs[0]!.artifacts!)).toEqual({
      'load-data.dataset': 'records',
      'split-data.train_set': 'bytes',
      'split-data.test_set': 'bytes',
    });
    const toC = travels(handoffs[1]!.artifacts!);
    expect(Object.entries(toC).filter(([, t]) => t === 'bytes')).toEqual([['train-model.model', 'bytes']]);
    expect(toC['load-data.dataset']).toBe('records');
    expect(handoffs[1]!.bytes).toBeNull(); // offline: sizes unknown
  });

  it('gives every artifact its schema type', async () => {
    const { project } = await loadProject('examples/thesis/split-pipeline.yaml');
    const flow = artifactFlowOf(project!.graph);
    const layouts = layoutStages(project!.graph, [
      { location: 'a', steps: ['load-data', 'split-data'] },
      { location: 'b', steps: ['train-model', 'evaluate-model', 'serve-model'] },
    ]);
    const list = travelOf(flow, layouts, layouts[1]!, ['load-data']);
    expect(list).toEqual([
      { step: 'load-data', output: 'dataset', type: 'system.Dataset', labels: {}, bytes: null, travels: 'records' },
    ]);
  });
});

describe('the travel rule', () => {
  // p makes x; q reads x; r reads q's y.
  const flow: ArtifactFlow = {
    outputs: { p: [{ output: 'x', type: 'system.Dataset' }], q: [{ output: 'y', type: 'system.Model' }], r: [] },
    reads: { p: [], q: [{ step: 'p', output: 'x' }], r: [{ step: 'q', output: 'y' }] },
  };
  const tasks = { p: [], q: ['p'], r: ['q'] };

  it('carries bytes a later stage at the same location reads from its own store', () => {
    const layouts = layoutsOf(tasks, [
      ['a', ['p']],
      ['b', ['r']],
      ['b', ['q']],
    ]);
    // Stage 2 at b serves p from cache (records would do), but stage 3 at b executes q, which reads x.
    expect(travelOf(flow, layouts, layouts[1]!, ['p'])[0]!.travels).toBe('bytes');
  });

  it('carries bytes a later location will be handed from the target', () => {
    const layouts = layoutsOf({ p: [], q: ['p'], r: ['q'], s: ['p', 'r'] }, [
      ['a', ['p']],
      ['b', ['q', 'r']],
      ['c', ['s']],
    ]);
    const withS: ArtifactFlow = {
      outputs: { ...flow.outputs, s: [] },
      reads: { ...flow.reads, s: [{ step: 'p', output: 'x' }] },
    };
    // c gets p from b (the nearest earlier location that holds it), and s executes at c reading x.
    expect(travelOf(withS, layouts, layouts[1]!, ['p'])[0]!.travels).toBe('bytes');
  });

  it('carries records only when nothing executes on them downstream of the target', () => {
    const layouts = layoutsOf(tasks, [
      ['a', ['p', 'q']],
      ['b', ['r']],
    ]);
    expect(travels(travelOf(flow, layouts, layouts[1]!, ['p', 'q']))).toEqual({ 'p.x': 'records', 'q.y': 'bytes' });
  });
});

describe('sizes and records-only holdings from the observation', () => {
  // p makes x; q reads x and makes y; r reads y.
  const flow: ArtifactFlow = {
    outputs: { p: [{ output: 'x', type: 'system.Dataset' }], q: [{ output: 'y', type: 'system.Model' }], r: [] },
    reads: { p: [], q: [{ step: 'p', output: 'x' }], r: [{ step: 'q', output: 'y' }] },
  };
  const tasks = { p: [], q: ['p'], r: ['q'] };
  const handoff = (stage: number, from: string, location: string, steps: string[]): PlannedOperation => ({
    id: `handoff:${stage}:${from}`,
    kind: 'handoff',
    stage,
    location,
    from,
    steps,
    reason: 'test',
  });

  it('gives each artifact its size at the source, and totals of what travels as bytes and as records', () => {
    const layouts = layoutsOf(tasks, [
      ['a', ['p', 'q']],
      ['b', ['r']],
    ]);
    const held = { a: { artifacts: { p: [{ output: 'x', bytes: 1000 }], q: [{ output: 'y', bytes: 24 }] } } };
    const [op] = withTravel([handoff(2, 'a', 'b', ['p', 'q'])], flow, layouts, { held });
    expect(op!.artifacts!.map((a) => [a.step, a.travels, a.bytes])).toEqual([
      ['p', 'records', 1000],
      ['q', 'bytes', 24],
    ]);
    expect(op).toMatchObject({ bytes: 24, recordBytes: 1000 });
    expect(travelSummary(op!)).toBe('as bytes: q.y (24 B); as records only: p.x (1000 B)');
    // Unknown at the source: totals unknown.
    const [unknown] = withTravel([handoff(2, 'a', 'b', ['p', 'q'])], flow, layouts, { held: { a: {} } });
    expect(unknown).toMatchObject({ bytes: null, recordBytes: null });
  });

  it('refuses a handoff that must carry bytes its source holds only the records of', () => {
    // b got p as records (r there reads only y); now c executes q, which reads x, and is handed p from b.
    const layouts = layoutsOf(tasks, [
      ['a', ['p']],
      ['b', ['r']],
      ['c', ['q']],
    ]);
    const held = {
      a: { artifacts: { p: [{ output: 'x', bytes: 1000 }] } },
      b: { artifacts: { p: [{ output: 'x', bytes: null, recordsOnly: true as const }] } },
    };
    const ops = [handoff(3, 'b', 'c', ['p'])];
    expect(() => withTravel(ops, flow, layouts, {})).not.toThrow(); // no observation: nothing known
    let error: unknown;
    try {
      withTravel(ops, flow, layouts, { held });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordsOnlyError);
    const message = (error as RecordsOnlyError).message;
    expect(message).toContain(
      'p.x: the handoff b → c (stage 3) must carry its bytes: q reads it in stage 3 at c, but b holds only its records',
    );
    expect(message).toContain('its bytes are at a');
    expect(message).toMatch(/What to do: at b, delete the handoff marker run that brought p/);
  });

  it('refuses a stage that would execute a step reading an artifact its location holds only the records of', () => {
    const layouts = layoutsOf(tasks, [
      ['a', ['p']],
      ['b', ['q', 'r']],
    ]);
    const held = { b: { artifacts: { p: [{ output: 'x', bytes: null, recordsOnly: true as const }] } } };
    const run: PlannedOperation = { id: 'run-stage:2', kind: 'run-stage', stage: 2, location: 'b', reason: 'test' };
    expect(() => withTravel([run], flow, layouts, { held })).toThrow(
      /p\.x: stage 2 executes q at b, which reads it, but b holds only its records.*no observed location holds its bytes/,
    );
    // A handoff of this plan that brings its bytes repairs it.
    const bring = handoff(2, 'a', 'b', ['p']);
    const heldA = { ...held, a: { artifacts: { p: [{ output: 'x', bytes: 5 }] } } };
    expect(() => withTravel([bring, run], flow, layouts, { held: heldA })).not.toThrow();
  });
});

describe('the planner refuses what records alone cannot serve', () => {
  it('after a placement change, c needs the bytes b was handed only the records of', () => {
    // p makes x, which q reads; r only runs after p. b ran r, so it was handed p as records only.
    const flow: ArtifactFlow = {
      outputs: { p: [{ output: 'x', type: 'system.Dataset' }], q: [], r: [] },
      reads: { p: [], q: [{ step: 'p', output: 'x' }], r: [] },
    };
    const tasks = { p: [], q: ['p'], r: ['p'] };
    const layouts = layoutsOf(tasks, [
      ['a', ['p']],
      ['b', ['r']],
      ['c', ['q']],
    ]);
    const obs = observe(at('a').done(1).has('p'), at('b').done(2).has('p', 'r'), at('c'));
    obs.locations['a']!.artifacts = { p: [{ output: 'x', bytes: 1000 }] };
    obs.locations['b']!.artifacts = { p: [{ output: 'x', bytes: null, recordsOnly: true }] };
    const input = { ...reconcileInput(tasks, layouts), artifactFlow: flow };
    expect(() => planReconcile(input, obs)).toThrow(
      /p\.x: the handoff b → c \(stage 3\) must carry its bytes: q reads it in stage 3 at c, but b holds only its records.*its bytes are at a/s,
    );
    // With its bytes at b, the same plan hands them on, with their size.
    obs.locations['b']!.artifacts = { p: [{ output: 'x', bytes: 1000 }] };
    const plan = planReconcile(input, obs);
    expect(plan.operations.find((o) => o.kind === 'handoff')).toMatchObject({ from: 'b', bytes: 1000 });
  });
});
