// The thesis example pipeline at a lab location: the run, its MLMD graph and its cache rows, as
// KFP 2.17.0's driver and launcher record them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KfpRun } from '../../../src/location/kfp/index.js';
import { fromStruct, type Execution } from '../../../src/location/mlmd/index.js';
import {
  containerExecutions,
  eventsOf,
  executionsOfRun,
  packageBody,
  prop,
  runToEnd,
  startTestLab,
  thesisText,
  THESIS_TASKS,
  type TestLab,
} from './helpers.js';

const PIPELINE = 'split-pipelines-thesis';
let t: TestLab;
let run: KfpRun;
let byTask: Map<string, Execution>;

beforeAll(async () => {
  t = await startTestLab();
  run = await runToEnd(t.clients('a').kfp, packageBody(thesisText()), { epochs: 12 });
  byTask = await containerExecutions(t.clients('a').mlmd, run.run_id);
});

afterAll(async () => {
  await t.dispose();
});

describe('a thesis pipeline run at a lab location', () => {
  it('moves PENDING → RUNNING → SUCCEEDED', () => {
    expect(run.state).toBe('SUCCEEDED');
    expect(run.state_history?.map((h) => h.state)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
  });

  it('reports one task detail per task, SUCCEEDED, with its MLMD execution id and times', () => {
    const details = run.run_details?.task_details ?? [];
    expect(details.map((d) => d.display_name).sort()).toEqual([...THESIS_TASKS].sort());
    for (const d of details) {
      expect(d.state).toBe('SUCCEEDED');
      expect(d.execution_id).toBe(String(byTask.get(d.display_name!)!.id));
      expect(d.create_time).toBeDefined();
      expect(d.start_time).toBeDefined();
      expect(d.end_time).toBeDefined();
    }
  });

  it('creates the pipeline and run contexts, linked, with the run context properties KFP writes', async () => {
    const { mlmd } = t.clients('a');
    const pipelineCtx = await mlmd.getContextByTypeAndName('system.Pipeline', PIPELINE);
    const runCtx = await mlmd.getContextByTypeAndName('system.PipelineRun', run.run_id);
    expect(run.run_details?.pipeline_context_id).toBe(String(pipelineCtx!.id));
    expect(run.run_details?.pipeline_run_context_id).toBe(String(runCtx!.id));
    expect(prop(runCtx!, 'namespace')).toBe('kubeflow');
    expect(prop(runCtx!, 'resource_name')).toBe('run-resource');
    expect(prop(runCtx!, 'pipeline_root')).toBe(`minio://mlpipeline/v2/artifacts/${PIPELINE}/${run.run_id}`);
    const session = JSON.parse(String(prop(runCtx!, 'store_session_info'))) as {
      Provider: string;
      Params: Record<string, string>;
    };
    expect(session.Provider).toBe('minio');
    expect(session.Params.endpoint).toBe(new URL(t.lab.locations.a!.objectStore).host);
    expect((await mlmd.getParentContextsByContext(runCtx!.id!)).map((c) => c.id)).toEqual([pipelineCtx!.id]);
  });

  it('names the root DAG execution run/<run id> and records the run parameters as its inputs', async () => {
    const all = await executionsOfRun(t.clients('a').mlmd, run.run_id);
    const root = all.find((e) => e.type === 'system.DAGExecution')!;
    expect(root.name).toBe(`run/${run.run_id}`);
    expect(fromStruct(root.customProperties!.inputs!.structValue!)).toEqual({ epochs: 12 });
    // KFP 2.17.0 gives the root no total_dag_tasks, so nothing ever settles its state.
    expect(root.lastKnownState).toBe('RUNNING');
    expect(all).toHaveLength(1 + THESIS_TASKS.length);
  });

  it('records one COMPLETE container execution per task with the custom properties KFP writes', async () => {
    const all = await executionsOfRun(t.clients('a').mlmd, run.run_id);
    const root = all.find((e) => e.type === 'system.DAGExecution')!;
    expect([...byTask.keys()].sort()).toEqual([...THESIS_TASKS].sort());
    for (const [task, e] of byTask) {
      expect(e.lastKnownState).toBe('COMPLETE');
      expect(prop(e, 'task_name')).toBe(task);
      expect(prop(e, 'display_name')).toBe(task);
      expect(prop(e, 'parent_dag_id')).toBe(root.id);
      expect(prop(e, 'namespace')).toBe('kubeflow');
      expect(prop(e, 'image')).toBe('');
      expect(String(prop(e, 'pod_name'))).toMatch(/^split-pipelines-thesis-[a-z0-9]{5}-system-container-impl-\d+$/);
      expect(String(prop(e, 'pod_uid'))).toMatch(/^[0-9a-f-]{36}$/);
      expect(String(prop(e, 'cache_fingerprint'))).toMatch(/^[0-9a-f]{64}$/);
      expect(prop(e, 'cached_execution_id')).toBeUndefined();
    }
    expect(fromStruct(byTask.get('train-model')!.customProperties!.inputs!.structValue!)).toEqual({
      epochs: 12,
      learning_rate: 0.01,
    });
  });

  it('associates every execution with both contexts', async () => {
    const { mlmd } = t.clients('a');
    for (const e of byTask.values()) {
      expect((await mlmd.getContextsByExecution(e.id!)).map((c) => c.type).sort()).toEqual([
        'system.Pipeline',
        'system.PipelineRun',
      ]);
    }
  });

  it('links a consumer INPUT event, keyed by the input name, to the producer OUTPUT artifact, keyed by the output name', async () => {
    const { mlmd } = t.clients('a');
    const splitOut = await eventsOf(mlmd, byTask.get('split-data')!.id!, 'OUTPUT');
    expect([...splitOut.keys()].sort()).toEqual(['executor-logs', 'test_set', 'train_set']);
    const trainIn = await eventsOf(mlmd, byTask.get('train-model')!.id!, 'INPUT');
    expect(trainIn).toEqual(new Map([['train_set', splitOut.get('train_set')]]));
    const evalIn = await eventsOf(mlmd, byTask.get('evaluate-model')!.id!, 'INPUT');
    expect(evalIn.get('test_set')).toBe(splitOut.get('test_set'));
  });

  it('records output artifacts LIVE, typed by schema title, under <root>/<pipeline>/<run>/<task>/<uuid>/<output>', async () => {
    const { mlmd } = t.clients('a');
    const out = await eventsOf(mlmd, byTask.get('train-model')!.id!, 'OUTPUT');
    const [model] = await mlmd.getArtifactsByID([out.get('model')!]);
    expect(model!.state).toBe('LIVE');
    expect(model!.type).toBe('system.Model');
    expect(model!.uri).toMatch(
      new RegExp(`^minio://mlpipeline/v2/artifacts/${PIPELINE}/${run.run_id}/train-model/[0-9a-f-]{36}/model$`),
    );
    expect(prop(model!, 'display_name')).toBe('model');
    expect((JSON.parse(String(prop(model!, 'store_session_info'))) as { Provider?: unknown }).Provider).toBe('minio');
    const [logs] = await mlmd.getArtifactsByID([out.get('executor-logs')!]);
    expect(logs!.uri).toBe(model!.uri!.replace(/model$/, 'executor-logs-0'));
    expect((await mlmd.getContextsByArtifact(model!.id!)).map((c) => c.type).sort()).toEqual([
      'system.Pipeline',
      'system.PipelineRun',
    ]);
  });

  it('writes every output artifact’s bytes to the location’s object store (1 KiB by default), except the metrics', async () => {
    const { mlmd, store } = t.clients('a');
    for (const e of byTask.values()) {
      for (const [name, id] of await eventsOf(mlmd, e.id!, 'OUTPUT')) {
        const [a] = await mlmd.getArtifactsByID([id]);
        if (a!.type === 'system.Metrics') continue;
        const info = await store.head(store.resolve(a!.uri!));
        expect(info, a!.uri).toBeDefined();
        expect(info!.size).toBe(name === 'executor-logs' ? 256 : 1024);
      }
    }
  });

  it('records evaluate-model’s metrics with their values as custom properties and no object, as the SDK’s log_metric leaves them', async () => {
    const { mlmd, store } = t.clients('a');
    const [metrics] = await mlmd.getArtifactsByID([
      (await eventsOf(mlmd, byTask.get('evaluate-model')!.id!, 'OUTPUT')).get('metrics')!,
    ]);
    expect(metrics!.type).toBe('system.Metrics');
    expect(metrics!.state).toBe('LIVE');
    expect(metrics!.customProperties?.score?.doubleValue).toBeTypeOf('number');
    expect(prop(metrics!, 'display_name')).toBe('metrics');
    const where = store.resolve(metrics!.uri!);
    expect(await store.head(where)).toBeUndefined();
    expect(await store.listAll(where.bucket, where.key)).toEqual([]);
  });

  it('publishes output parameters in `outputs` and hands them to the consumer’s `inputs`', () => {
    const outputs = fromStruct(byTask.get('evaluate-model')!.customProperties!.outputs!.structValue!);
    expect(typeof outputs.Output).toBe('number');
    const inputs = fromStruct(byTask.get('serve-model')!.customProperties!.inputs!.structValue!);
    expect(inputs).toEqual({ accuracy: outputs.Output, min_accuracy: 0.5 });
  });

  it('writes one cache row per task, scoped to pipeline/<name> and the pods’ namespace, naming its execution', async () => {
    const rows = (await t.clients('a').kfp.listTasks({ pageSize: 100 })).items;
    expect(rows).toHaveLength(THESIS_TASKS.length);
    for (const [task, e] of byTask) {
      const row = rows.find((r) => r.mlmdExecutionID === String(e.id));
      expect(row, task).toMatchObject({
        pipelineName: `pipeline/${PIPELINE}`,
        namespace: 'kubeflow',
        runId: run.run_id,
        fingerprint: prop(e, 'cache_fingerprint'),
      });
    }
  });
});
