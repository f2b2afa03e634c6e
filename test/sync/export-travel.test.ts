import { describe, expect, it } from 'vitest';
import { loadProject, type Project } from '../../src/split-file/load-project.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type HandoffBundle } from '../../src/sync/bundle.js';
import { HandoffError } from '../../src/sync/export.js';
import { exportTravel, importResidencyRefusals } from '../../src/sync/export-travel.js';

async function residency(): Promise<Project> {
  const { project, diagnostics } = await loadProject('examples/residency/split-pipeline.yaml');
  if (!project) throw new Error(JSON.stringify(diagnostics));
  return project;
}

const travels = (list: { step: string; output: string; travels: string }[]) =>
  Object.fromEntries(list.map((a) => [`${a.step}.${a.output}`, a.travels]));

describe('what an air-gapped export carries as bytes', () => {
  it('decides for the next stage that takes the steps, as apply hands them: a→b carries the splits, not the raw data', async () => {
    const p = await residency();
    const t = exportTravel({
      graph: p.graph,
      layouts: p.layouts,
      data: p.spec.spec.data ?? [],
      source: 'a',
      steps: p.layouts[0]!.runTasks,
      afterStage: 1,
    });
    expect(t).toMatchObject({ target: 'b', stage: 2 });
    expect(travels(t.artifacts)).toEqual({
      'load-data.dataset': 'records',
      'split-data.test_set': 'bytes',
      'split-data.train_set': 'bytes',
    });
    expect(t.artifacts.find((a) => a.output === 'dataset')!.labels).toEqual({ class: 'raw' });
  });

  it('asks for --to when the steps go to more than one location, and takes it', async () => {
    const p = await residency();
    const base = {
      graph: p.graph,
      layouts: p.layouts,
      data: p.spec.spec.data ?? [],
      source: 'a',
      steps: ['load-data'],
    };
    expect(() => exportTravel(base)).toThrow(/go to more than one location \(b, c\).*give --to LOCATION/s);
    const toC = exportTravel({ ...base, to: 'c' });
    expect(toC).toMatchObject({ target: 'c', stage: 3 });
    expect(travels(toC.artifacts)).toEqual({ 'load-data.dataset': 'records' });
    expect(() => exportTravel({ ...base, to: 'a' })).toThrow(HandoffError);
  });

  it('never carries bytes whose keepIn leaves the target out', async () => {
    const p = await residency();
    expect(() =>
      exportTravel({
        graph: p.graph,
        layouts: p.layouts,
        data: [{ step: 'split-data', output: 'train_set', keepIn: ['a'] }],
        source: 'a',
        steps: ['load-data', 'split-data'],
        to: 'b',
      }),
    ).toThrow(/reads split-data\.train_set \(keepIn: a\), whose bytes may not be stored at b/);
  });
});

describe('what an import accepts under spec.data', () => {
  const bundle = (travelsAs?: 'records', objects = [{ path: '', size: 10 }]): HandoffBundle => ({
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: 'residency',
    revision: 'r',
    pipelineName: 'thesis',
    source: { location: 'a', kfpVersion: '2.17.0', pipelineRoot: 'minio://mlpipeline/v2/artifacts' },
    steps: ['load-data'],
    executions: [
      {
        globalId: 'e1',
        kind: 'container',
        parameters: {},
        properties: {},
        path: ['load-data'],
        iteration: [],
        outputs: [{ name: 'dataset', artifact: 'a1' }],
        inputs: [],
      },
    ],
    artifacts: [
      {
        globalId: 'a1',
        type: 'system.Dataset',
        uri: 'minio://mlpipeline/v2/artifacts/thesis/run/load-data/dataset',
        relativePath: 'thesis/run/load-data/dataset',
        metadata: {},
        objects: travelsAs ? [] : objects,
        ...(travelsAs ? { travels: travelsAs } : {}),
      },
    ],
    consumedOnly: [],
    importerArtifacts: [],
    createdAt: '2026-12-06T00:00:00Z',
    bytesIncluded: true,
  });
  const keepInA = [{ step: 'load-data', output: 'dataset', keepIn: ['a'] }];

  it('refuses bytes the file keeps elsewhere, and accepts their records', () => {
    expect(importResidencyRefusals(bundle(), 'b', keepInA)).toEqual([
      'load-data.dataset (minio://mlpipeline/v2/artifacts/thesis/run/load-data/dataset) may only be stored in a',
    ]);
    expect(importResidencyRefusals(bundle(), 'a', keepInA)).toEqual([]);
    expect(importResidencyRefusals(bundle('records'), 'b', keepInA)).toEqual([]);
    expect(importResidencyRefusals(bundle(), 'b', [])).toEqual([]);
  });

  it('keeps every inner output of a DAG step that an entry names by step and type', () => {
    const b = bundle();
    b.executions[0]!.path = ['load-data', 'inner'];
    b.executions[0]!.outputs[0]!.name = 'inner_out';
    expect(importResidencyRefusals(b, 'b', keepInA)).toHaveLength(1);
    expect(importResidencyRefusals(b, 'b', [{ type: 'system.Model', keepIn: ['a'] }])).toEqual([]);
  });
});
