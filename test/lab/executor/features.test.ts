// What the executor records for the pipeline features of the real fixtures (conditions, loops,
// importers, PVC operations), and how location settings (KFP version, server cache switch,
// multi-user mode, protocol faults) change it.
import { afterEach, describe, expect, it } from 'vitest';
import { KfpClient } from '../../../src/location/kfp/index.js';
import { fromStruct, type Execution } from '../../../src/location/mlmd/index.js';
import {
  containerExecutions,
  eventsOf,
  executionsOfRun,
  fixtureText,
  packageBody,
  prop,
  runToEnd,
  startTestLab,
  thesisText,
  waitForRun,
  THESIS_TASKS,
  type TestLab,
} from './helpers.js';

let t: TestLab | undefined;

afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const byName = (all: Execution[], task: string): Execution[] => all.filter((e) => prop(e, 'task_name') === task);

describe('conditions', () => {
  it('record a CANCELED execution for a branch whose condition is false, and settle the taken branch COMPLETE', async () => {
    t = await startTestLab({
      steps: { a: { 'flip-coin': { parameters: { Output: 'heads' } }, 'random-num': { parameters: { Output: 7 } } } },
    });
    const { kfp, mlmd } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(fixtureText('critical/flip_coin.yaml')));
    expect(run.state).toBe('SUCCEEDED');
    const all = await executionsOfRun(mlmd, run.run_id);
    const tails = byName(all, 'condition-4')[0]!;
    expect(tails.type).toBe('system.DAGExecution');
    expect(tails.lastKnownState).toBe('CANCELED');
    expect(fromStruct(tails.customProperties!.inputs!.structValue!)).toEqual({
      'pipelinechannel--flip-coin-Output': 'heads',
    });
    expect(byName(all, 'condition-3')[0]!.lastKnownState).toBe('CANCELED');
    expect(byName(all, 'condition-1')[0]!.lastKnownState).toBe('COMPLETE');
    expect(byName(all, 'print-msg-2')).toEqual([]);
  });

  it('compute no fingerprint for a task whose caching is off', async () => {
    t = await startTestLab();
    const { kfp, mlmd } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(fixtureText('critical/flip_coin.yaml')));
    const flip = byName(await executionsOfRun(mlmd, run.run_id), 'flip-coin')[0]!;
    expect(prop(flip, 'cache_fingerprint')).toBeUndefined();
  });
});

describe('loops', () => {
  it('record the loop DAG with its iteration count and one DAG per iteration with its index', async () => {
    t = await startTestLab({
      steps: {
        a: {
          'args-generator-op': {
            parameters: {
              Output: [
                { A_a: '1', B_b: '2' },
                { A_a: '10', B_b: '20' },
              ],
            },
          },
        },
      },
    });
    const { kfp, mlmd } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(fixtureText('parallel_and_nested/pipeline_with_loops.yaml')));
    expect(run.state).toBe('SUCCEEDED');
    const all = await executionsOfRun(mlmd, run.run_id);
    const dags = byName(all, 'for-loop-4');
    const loop = dags.find((e) => prop(e, 'iteration_count') !== undefined)!;
    expect(prop(loop, 'iteration_count')).toBe(2);
    const iterations = dags.filter((e) => prop(e, 'iteration_index') !== undefined);
    expect(iterations.map((e) => prop(e, 'iteration_index')).sort()).toEqual([0, 1]);
    for (const it of iterations) expect(prop(it, 'parent_dag_id')).toBe(loop.id);
    const inside = all.filter(
      (e) => e.type === 'system.ContainerExecution' && iterations.some((i) => i.id === prop(e, 'parent_dag_id')),
    );
    expect(inside.length).toBeGreaterThanOrEqual(2);
    expect(loop.lastKnownState).toBe('COMPLETE');
  });
});

describe('importers', () => {
  it('record an ImporterExecution and an artifact with the importer metadata and an environment session', async () => {
    t = await startTestLab();
    const { kfp, mlmd } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(fixtureText('pipeline_with_dynamic_importer_metadata.yaml')));
    expect(run.state).toBe('SUCCEEDED');
    const importer = byName(await executionsOfRun(mlmd, run.run_id), 'importer')[0]!;
    expect(importer.type).toBe('system.ImporterExecution');
    expect(importer.lastKnownState).toBe('COMPLETE');
    const [artifact] = await mlmd.getArtifactsByID([(await eventsOf(mlmd, importer.id!, 'OUTPUT')).get('artifact')!]);
    expect(artifact!.uri).toBe('gs://ml-pipeline-playground/shakespeare1.txt');
    expect(artifact!.type).toBe('system.Dataset');
    expect(prop(artifact!, 'store_session_info')).toBe('{"Provider":"gs","Params":{"fromEnv":"true"}}');
    // Lists and structs are wrapped as KFP's StructValueToMLMDValue does; placeholders stay unresolved.
    expect(fromStruct(artifact!.customProperties!.name!.structValue!)).toEqual({
      list: ["{{$.inputs.parameters['metadata']}}", 'alias-name'],
    });
  });

  it('reuse the matching artifact of an earlier run when reimport is false', async () => {
    t = await startTestLab();
    const { kfp, mlmd } = t.clients('a');
    const body = packageBody(fixtureText('pipeline_with_dynamic_importer_metadata.yaml'));
    const imported = async () => {
      const run = await runToEnd(kfp, body);
      return (await eventsOf(mlmd, byName(await executionsOfRun(mlmd, run.run_id), 'importer')[0]!.id!, 'OUTPUT')).get(
        'artifact',
      );
    };
    expect(await imported()).toBe(await imported());
  });
});

describe('PVC operations and KFP versions', () => {
  it('create and delete a PVC, publishing its generated name as the createpvc output', async () => {
    t = await startTestLab();
    const { kfp, mlmd } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(fixtureText('pipeline_with_volume.yaml')));
    expect(run.state).toBe('SUCCEEDED');
    const byTask = await containerExecutions(mlmd, run.run_id);
    const name = fromStruct(byTask.get('createpvc')!.customProperties!.outputs!.structValue!).name as string;
    expect(name).toMatch(/^[0-9a-f-]{36}-my-pvc$/);
    expect(fromStruct(byTask.get('deletepvc')!.customProperties!.inputs!.structValue!)).toEqual({ pvc_name: name });
    expect(byTask.get('deletepvc')!.lastKnownState).toBe('COMPLETE');
  });

  it('make PVC-mounting steps cache hits on a second run at KFP 2.14, but not at 2.17 (PVC names in the key)', async () => {
    t = await startTestLab({ locations: ['new', 'old'], kfpVersion: { new: '2.17.0', old: '2.14.0' } });
    const producerState = async (location: string) => {
      const { kfp, mlmd } = t!.clients(location);
      const body = packageBody(fixtureText('pipeline_with_volume.yaml'));
      await runToEnd(kfp, body);
      const second = await runToEnd(kfp, body);
      return (await containerExecutions(mlmd, second.run_id)).get('producer')!.lastKnownState;
    };
    expect(await producerState('new')).toBe('COMPLETE');
    expect(await producerState('old')).toBe('CACHED');
  });

  it('names the logs artifact executor-logs-0 from KFP 2.17 on, executor-logs before', async () => {
    t = await startTestLab({ locations: ['new', 'old'], kfpVersion: { new: '2.17.0', old: '2.16.0' } });
    const logsUri = async (location: string) => {
      const { kfp, mlmd } = t!.clients(location);
      const run = await runToEnd(kfp, packageBody(fixtureText('hello_world.yaml')));
      const e = [...(await containerExecutions(mlmd, run.run_id)).values()][0]!;
      const [a] = await mlmd.getArtifactsByID([(await eventsOf(mlmd, e.id!, 'OUTPUT')).get('executor-logs')!]);
      return a!.uri!;
    };
    expect(await logsUri('new')).toMatch(/\/executor-logs-0$/);
    expect(await logsUri('old')).toMatch(/\/executor-logs$/);
  });
});

describe('location settings', () => {
  it('with the server cache switched off, computes no fingerprints and writes no rows', async () => {
    t = await startTestLab({ cacheEnabled: false });
    const { kfp, mlmd } = t.clients('a');
    await runToEnd(kfp, packageBody(thesisText()));
    const second = await runToEnd(kfp, packageBody(thesisText()));
    const byTask = await containerExecutions(mlmd, second.run_id);
    expect([...byTask.values()].map((e) => e.lastKnownState)).toEqual(THESIS_TASKS.map(() => 'COMPLETE'));
    expect([...byTask.values()].some((e) => prop(e, 'cache_fingerprint') !== undefined)).toBe(false);
    expect((await kfp.listTasks({})).items).toEqual([]);
  });

  it('in multi-user mode, runs in the run’s namespace and scopes cache rows to it', async () => {
    t = await startTestLab({ multiUser: { a: { token: 'lab-token-a', namespace: 'team-a' } } });
    const { mlmd } = t.clients('a');
    const kfp = new KfpClient({
      location: 'a',
      endpoint: t.lab.locations.a!.kfp,
      namespace: 'team-a',
      token: 'lab-token-a',
      retries: 0,
    });
    const experiment = await kfp.createExperiment({ displayName: 'lab', namespace: 'team-a' });
    const submit = async () => {
      const created = await kfp.createRun({
        displayName: 'mu',
        experimentId: experiment.experiment_id,
        pipelineSpec: packageBody(thesisText()),
      });
      return waitForRun(kfp, created.run_id);
    };
    const first = await submit();
    expect(first.state).toBe('SUCCEEDED');
    const runCtx = await mlmd.getContextByTypeAndName('system.PipelineRun', first.run_id);
    expect(prop(runCtx!, 'namespace')).toBe('team-a');
    expect(new Set((await kfp.listTasks({})).items.map((r) => r.namespace))).toEqual(new Set(['team-a']));
    const second = await submit();
    expect(
      [...(await containerExecutions(mlmd, second.run_id)).values()].every((e) => e.lastKnownState === 'CACHED'),
    ).toBe(true);
  });

  it('absorbs injected ML Metadata and object store faults as KFP’s clients do', async () => {
    t = await startTestLab({ faults: { a: { mlmd: { unavailableEveryN: 7 }, objectStore: { slowDownEveryN: 5 } } } });
    const { kfp, mlmd } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    expect(run.state).toBe('SUCCEEDED');
    expect((await containerExecutions(mlmd, run.run_id)).size).toBe(THESIS_TASKS.length);
  });
});
