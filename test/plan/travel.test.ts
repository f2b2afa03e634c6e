import { describe, expect, it } from 'vitest';
import { offlinePlanOf } from '../../src/api/index.js';
import { loadProject } from '../../src/split-file/load-project.js';
import { layoutStages } from '../../src/plan/layout.js';
import { artifactFlowOf, travelOf, type ArtifactFlow } from '../../src/plan/travel.js';
import { layoutsOf } from './observation-builder.js';

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
