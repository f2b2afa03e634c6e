// KFP's cache semantics at a lab location: hits through the task table, CACHED executions pointing
// at the original artifacts, no bytes read on a hit, bytes read and checked on a miss, pruned runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromStruct } from '../../../src/location/mlmd/index.js';
import { parsePipelineText } from '../../../src/pipeline/load.js';
import { prunePipeline } from '../../../src/pipeline/prune.js';
import { containerExecutions, eventsOf, packageBody, prop, runToEnd, startTestLab, thesisText, THESIS_TASKS, type TestLab } from './helpers.js';

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
      expect(await eventsOf(mlmd, byTask.get(task)!.id!, 'OUTPUT')).toEqual(await eventsOf(mlmd, first.byTask.get(task)!.id!, 'OUTPUT'));
    }
    const outputsOf = (e: typeof byTask extends Map<string, infer E> ? E : never) => fromStruct(e.customProperties!.outputs!.structValue!);
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
  it('fails the reading task as the launcher does when the bytes were deleted', async () => {
    const first = await firstRun();
    await t.clients('a').store.delete(await outputObject(first.byTask.get('split-data')!.id!, 'train_set'));
    // Another epoch count makes train-model a miss; load-data and split-data stay hits.
    const run = await runToEnd(t.clients('a').kfp, packageBody(thesisText()), { epochs: 11 });
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(/^task train-model failed: failed to execute component: failed to download input artifact "train_set" from remote storage URI "minio:\/\/mlpipeline\/v2\/artifacts\/.*\/train_set": NoSuchKey/);
    const byTask = await containerExecutions(t.clients('a').mlmd, run.run_id);
    expect(byTask.get('split-data')!.lastKnownState).toBe('CACHED');
    expect(byTask.get('train-model')!.lastKnownState).toBe('FAILED');
    expect(byTask.has('evaluate-model')).toBe(false);
  });

  it('fails the reading task when a byte of the object was altered', async () => {
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
    expect(run.error?.message).toMatch(/failed to download input artifact "train_set" .*: the object is not the one the lab's launcher wrote: the bytes from offset \d+ on differ/);
  });

  it('fails the reading task when the object was replaced by other content', async () => {
    const first = await firstRun();
    await t.clients('a').store.put(await outputObject(first.byTask.get('split-data')!.id!, 'train_set'), 'churn,age\n0,31\n');
    const run = await runToEnd(t.clients('a').kfp, packageBody(thesisText()), { epochs: 11 });
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(/failed to download input artifact "train_set" .*it has no lab header/);
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
    const states = Object.fromEntries([...(await containerExecutions(mlmd, full.run_id))].map(([k, e]) => [k, e.lastKnownState]));
    expect(states).toEqual({ 'load-data': 'CACHED', 'split-data': 'CACHED', 'train-model': 'COMPLETE', 'evaluate-model': 'COMPLETE', 'serve-model': 'COMPLETE' });
  });
});
