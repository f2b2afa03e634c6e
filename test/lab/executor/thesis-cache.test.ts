// KFP's cache semantics at a lab location: hits through the task table, CACHED executions pointing
// at the original artifacts, no bytes read on a hit, bytes read and checked on a miss, pruned runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromStruct } from '../../../src/location/mlmd/index.js';
import { parsePipelineText } from '../../../src/pipeline/load.js';
import { prunePipeline } from '../../../src/pipeline/prune.js';
import {
  containerExecutions,
  eventsOf,
  packageBody,
  prop,
  runToEnd,
  startTestLab,
  thesisText,
  THESIS_TASKS,
  type TestLab,
} from './helpers.js';

let t: TestLab;

beforeEach(async () => {
  t = await startTestLab();
});

afterEach(async () => {
  await t.dispose();
});

async function firstRun() {
  const { kfp, mlmd } = t.clients('a');
  const run = await runToEnd(kfp, packageBody(thesisText()));
  expect(run.state).toBe('SUCCEEDED');
  return { run, byTask: await containerExecutions(mlmd, run.run_id) };
}

/** The object holding an output of a task's execution. */
async function outputObject(executionId: number, output: string) {
  const { mlmd, store } = t.clients('a');
  const [artifact] = await mlmd.getArtifactsByID([(await eventsOf(mlmd, executionId, 'OUTPUT')).get(output)!]);
  return store.resolve(artifact!.uri!);
}

describe('a second identical run', () => {
  it('is all cache hits: new CACHED executions naming the original ones, with their fingerprints', async () => {
    const first = await firstRun();
    const { kfp, mlmd } = t.clients('a');
    const second = await runToEnd(kfp, packageBody(thesisText()));
    expect(second.state).toBe('SUCCEEDED');
    const byTask = await containerExecutions(mlmd, second.run_id);
    expect([...byTask.keys()].sort()).toEqual([...THESIS_TASKS].sort());
    for (const [task, e] of byTask) {
      const original = first.byTask.get(task)!;
      expect(e.id).not.toBe(original.id);
      expect(e.lastKnownState).toBe('CACHED');
      expect(prop(e, 'cached_execution_id')).toBe(String(original.id));
      expect(prop(e, 'cache_fingerprint')).toBe(prop(original, 'cache_fingerprint'));
    }
  });

  it('points its OUTPUT events at the original artifacts, by output name, and copies the original outputs', async () => {
    const first = await firstRun();
    const { kfp, mlmd } = t.clients('a');
    const second = await runToEnd(kfp, packageBody(thesisText()));
    const byTask = await containerExecutions(mlmd, second.run_id);
    for (const task of THESIS_TASKS) {
      expect(await eventsOf(mlmd, byTask.get(task)!.id!, 'OUTPUT')).toEqual(
        await eventsOf(mlmd, first.byTask.get(task)!.id!, 'OUTPUT'),
      );
    }
    const outputsOf = (e: typeof byTask extends Map<string, infer E> ? E : never) =>
      fromStruct(e.customProperties!.outputs!.structValue!);
    expect(outputsOf(byTask.get('evaluate-model')!)).toEqual(outputsOf(first.byTask.get('evaluate-model')!));
  });

  it('writes no cache row and no artifact', async () => {
    await firstRun();
    const { kfp, mlmd } = t.clients('a');
    const artifactsBefore = (await mlmd.getArtifacts({ maxResultSize: 100 })).items.length;
    await runToEnd(kfp, packageBody(thesisText()));
    expect((await kfp.listTasks({ pageSize: 100 })).items).toHaveLength(THESIS_TASKS.length);
    expect((await mlmd.getArtifacts({ maxResultSize: 100 })).items).toHaveLength(artifactsBefore);
  });

  it('shows its tasks as SKIPPED in the run details, as Argo skips a cached executor', async () => {
    await firstRun();
    const second = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    expect(second.run_details?.task_details?.map((d) => d.state)).toEqual(THESIS_TASKS.map(() => 'SKIPPED'));
  });

  it('succeeds even when the cached bytes are gone, since KFP never checks them on a hit', async () => {
    const first = await firstRun();
    await t.clients('a').store.delete(await outputObject(first.byTask.get('split-data')!.id!, 'train_set'));
    const second = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    expect(second.state).toBe('SUCCEEDED');
  });
});

describe('a cache-miss run reading an upstream artifact', () => {
  it('downloads nothing for deleted bytes, and fails the task only when its user code opens the missing file', async () => {
    const first = await firstRun();
    await t.clients('a').store.delete(await outputObject(first.byTask.get('split-data')!.id!, 'train_set'));
    // Another epoch count makes train-model a miss; load-data and split-data stay hits.
    const run = await runToEnd(t.clients('a').kfp, packageBody(thesisText()), { epochs: 11 });
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(
      /^task train-model failed: failed to execute component: exit status 1 \(task train-model opens input artifact "train_set", but the launcher downloaded nothing: no object at minio:\/\/mlpipeline\/v2\/artifacts\/.*\/train_set\)$/,
    );
    const byTask = await containerExecutions(t.clients('a').mlmd, run.run_id);
    expect(byTask.get('split-data')!.lastKnownState).toBe('CACHED');
    expect(byTask.get('train-model')!.lastKnownState).toBe('FAILED');
    // The user code ran, so its logs were published (uploadOutputArtifacts on failure).
    expect([...(await eventsOf(t.clients('a').mlmd, byTask.get('train-model')!.id!, 'OUTPUT')).keys()]).toEqual([
      'executor-logs',
    ]);
    expect(byTask.has('evaluate-model')).toBe(false);
  });

  it('lets a task that never opens the deleted input succeed, as KFP’s launcher does not mind a missing object', async () => {
    t.lab.setSteps('a', { 'train-model': { ignoredInputs: ['train_set'] } });
    const first = await firstRun();
    await t.clients('a').store.delete(await outputObject(first.byTask.get('split-data')!.id!, 'train_set'));
    const run = await runToEnd(t.clients('a').kfp, packageBody(thesisText()), { epochs: 11 });
    expect(run.state).toBe('SUCCEEDED');
  });

  it('fails the reading task when a byte of the lab-written object was altered (its own format, damaged)', async () => {
    const first = await firstRun();
    const { store } = t.clients('a');
    const ref = await outputObject(first.byTask.get('split-data')!.id!, 'train_set');
    const chunks: Buffer[] = [];
    for await (const c of (await store.get(ref)).body) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01;
    await store.put(ref, bytes);
    const run = await runToEnd(t.clients('a').kfp, packageBody(thesisText()), { epochs: 11 });
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(
      /^task train-model failed: failed to execute component: exit status 1 \(task train-model cannot parse input artifact "train_set": .*the bytes from offset \d+ on differ/,
    );
  });

  it('reads other content in place of the object as data, as a real component would, so its outputs change', async () => {
    await t.dispose();
    t = await startTestLab({ locations: ['a', 'b'] });
    const evaluated = async (location: string) => {
      const run = await runToEnd(t.clients(location).kfp, packageBody(thesisText()), { epochs: 11 });
      expect(run.state).toBe('SUCCEEDED');
      return fromStruct(
        (await containerExecutions(t.clients(location).mlmd, run.run_id)).get('evaluate-model')!.customProperties!
          .outputs!.structValue!,
      );
    };
    const firstAtA = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    expect((await runToEnd(t.clients('b').kfp, packageBody(thesisText()))).state).toBe('SUCCEEDED');
    const atA = await containerExecutions(t.clients('a').mlmd, firstAtA.run_id);
    const { mlmd, store } = t.clients('a');
    const [trainSet] = await mlmd.getArtifactsByID([
      (await eventsOf(mlmd, atA.get('split-data')!.id!, 'OUTPUT')).get('train_set')!,
    ]);
    await store.put(store.resolve(trainSet!.uri!), 'churn,age\n0,31\n');
    expect(await evaluated('a')).not.toEqual(await evaluated('b'));
  });

  it('succeeds when the bytes are intact, and writes a cache row for the new execution', async () => {
    await firstRun();
    const { kfp } = t.clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()), { epochs: 11 });
    expect(run.state).toBe('SUCCEEDED');
    const rows = (await kfp.listTasks({ pageSize: 100 })).items.filter((r) => r.runId === run.run_id);
    // train-model, evaluate-model and serve-model ran again (their inputs changed); the others were hits.
    expect(rows).toHaveLength(3);
  });
});

describe('a stage-like pruned run', () => {
  it('runs only the kept steps, and a later full run takes them from the cache', async () => {
    const graph = parsePipelineText(thesisText(), 'thesis').graph!;
    const pruned = prunePipeline(graph, { keep: ['split-data'], enableCaching: ['load-data', 'split-data'] });
    const { kfp, mlmd } = t.clients('a');
    const stage = await runToEnd(kfp, packageBody(pruned.yaml));
    expect(stage.state).toBe('SUCCEEDED');
    expect([...(await containerExecutions(mlmd, stage.run_id)).keys()].sort()).toEqual(['load-data', 'split-data']);
    const full = await runToEnd(kfp, packageBody(thesisText()));
    const states = Object.fromEntries(
      [...(await containerExecutions(mlmd, full.run_id))].map(([k, e]) => [k, e.lastKnownState]),
    );
    expect(states).toEqual({
      'load-data': 'CACHED',
      'split-data': 'CACHED',
      'train-model': 'COMPLETE',
      'evaluate-model': 'COMPLETE',
      'serve-model': 'COMPLETE',
    });
  });
});
