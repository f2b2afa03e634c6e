/**
 * Observe, export, import and verify through the location backend port, against in-memory fakes
 * (test/support/fake-backend.ts): the rules of a handoff without a lab.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkBackend } from '../../src/observe/backend-walk.js';
import { exportBundleWith } from '../../src/sync/backend-export.js';
import { verifyRunRecord } from '../../src/location/backend/verify-run.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { FakeBackend } from '../support/fake-backend.js';
import { repoRoot } from '../support/fixtures.js';

const graph = parsePipelineText(
  readFileSync(join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml'), 'utf8'),
  'thesis',
).graph!;
const ALL = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];
const STAGE1 = ['load-data', 'split-data'];
const STAGE2 = ['train-model', 'evaluate-model'];

async function availability(b: FakeBackend, steps: string[]) {
  const walk = await walkBackend(b, { graph, parameters: {}, rootTasks: steps, scope: await b.cacheScope() });
  return Object.fromEntries(steps.map((s) => [s, walk.availability[s]?.available]));
}

async function exportFrom(b: FakeBackend, steps: string[]) {
  return exportBundleWith(b, {
    graph,
    parameters: {},
    steps,
    splitPipeline: 'thesis',
    revision: 'r1',
    kfpVersion: 'next',
    pipelineRoot: b.pipelineRoot,
  });
}

async function importAt(b: FakeBackend, bundle: Awaited<ReturnType<typeof exportFrom>>, marker: string) {
  return b.importBundle({ bundle, graph, parameters: {}, markerRunId: marker, pipelineRoot: b.pipelineRoot });
}

async function stage1At(): Promise<FakeBackend> {
  const a = new FakeBackend('a');
  await a.execute(graph, {}, STAGE1, 'run-a');
  return a;
}

describe('handoff through the port, on fakes', () => {
  it('observes which steps a location serves from its cache', async () => {
    const a = await stage1At();
    expect(await availability(a, ALL)).toEqual({
      'load-data': true,
      'split-data': true,
      'train-model': false,
      'evaluate-model': false,
      'serve-model': false,
    });
    // One lookup batch per wave of ready tasks (load-data, then split-data), whatever the history holds.
    const batches = async () => {
      const before = a.calls['lookupCache'] ?? 0;
      await availability(a, STAGE1);
      return (a.calls['lookupCache'] ?? 0) - before;
    };
    expect(await batches()).toBe(2);
    for (let i = 0; i < 5; i++) await a.execute(graph, {}, STAGE1, `run-a${i}`);
    expect(await batches()).toBe(2);
  });

  it('imports a bundle so that the target serves the steps, and a stage run there verifies', async () => {
    const a = await stage1At();
    const b = new FakeBackend('b');
    const bundle = await exportFrom(a, STAGE1);
    expect(bundle.executions.map((e) => e.path[0])).toEqual(STAGE1);
    const r = await importAt(b, bundle, 'marker-b');
    expect(r).toMatchObject({ artifactsCreated: 3, tasksCreated: 2, cacheEntriesCreated: 2 });
    expect(await availability(b, STAGE1)).toEqual({ 'load-data': true, 'split-data': true });

    await b.execute(graph, {}, [...STAGE1, ...STAGE2], 'run-b');
    const v = verifyRunRecord(await b.runRecord('run-b'), {
      location: 'b',
      runId: 'run-b',
      steps: STAGE2,
      fromCache: STAGE1,
    });
    expect(v).toEqual({ ok: true, executed: STAGE2, cached: STAGE1, problems: [] });
  });

  it('keys the target by its own artifact ids: the same step has another fingerprint at each location', async () => {
    const a = await stage1At();
    const b = new FakeBackend('b');
    const r = await importAt(b, await exportFrom(a, STAGE1), 'marker-b');
    const split = r.tasks.find((t) => t.key === 'split-data')!;
    const sourceSplit = [...a.tasks.values()].find((t) => t.rootTask === 'split-data' && t.state === 'SUCCEEDED')!;
    // split-data consumes load-data's dataset: a's artifact id there, b's imported one here.
    expect(split.fingerprint).not.toBe(sourceSplit.fingerprint);
    expect(b.answerFor(split.fingerprint, '')?.id).toBe(split.taskId);
  });

  it('is idempotent: a second import finds every record by its global id and creates nothing', async () => {
    const a = await stage1At();
    const b = new FakeBackend('b');
    const bundle = await exportFrom(a, STAGE1);
    const first = await importAt(b, bundle, 'marker-b');
    const tasks = b.tasks.size;
    const artifacts = b.artifactsById.size;
    const second = await importAt(b, bundle, 'marker-b');
    expect(second).toMatchObject({ artifactsCreated: 0, tasksCreated: 0, cacheEntriesCreated: 0 });
    expect(second.tasks).toEqual(first.tasks);
    expect([b.tasks.size, b.artifactsById.size]).toEqual([tasks, artifacts]);
  });

  it('converges after a kill at any write, with no duplicate and no cache answer without its records', async () => {
    const a = await stage1At();
    const bundle = await exportFrom(a, STAGE1);
    const clean = new FakeBackend('b');
    await importAt(clean, bundle, 'marker-b');
    for (let n = 1; n <= 12; n++) {
      const b = new FakeBackend('b');
      b.failAfter = n;
      await importAt(b, bundle, 'marker-b').catch((e: Error) => expect(e.message).toMatch(/killed/));
      // Whatever was written, a cache answer always has its output records.
      for (const t of b.tasks.values()) if (t.state === 'SUCCEEDED') expect(t.outputs.length).toBeGreaterThan(0);
      b.failAfter = undefined;
      await importAt(b, bundle, 'marker-b');
      expect([b.tasks.size, b.artifactsById.size]).toEqual([clean.tasks.size, clean.artifactsById.size]);
      expect(await availability(b, STAGE1)).toEqual({ 'load-data': true, 'split-data': true });
    }
  });

  it('keeps global ids along a chain, and refuses a bundle whose consumed artifacts are not at the target', async () => {
    const a = await stage1At();
    const b = new FakeBackend('b');
    const c = new FakeBackend('c');
    const s1 = await exportFrom(a, STAGE1);
    await importAt(b, s1, 'marker-b');
    await b.execute(graph, {}, [...STAGE1, ...STAGE2], 'run-b');
    const s2 = await exportFrom(b, STAGE2);
    // train-model and evaluate-model read split-data's outputs, which c does not have yet.
    await expect(importAt(c, s2, 'marker-c')).rejects.toThrow(/c lacks artifacts the handed-off steps consumed/);
    await importAt(c, await exportFrom(b, STAGE1), 'marker-c1');
    await importAt(c, s2, 'marker-c2');
    expect(await availability(c, [...STAGE1, ...STAGE2])).toEqual({
      'load-data': true,
      'split-data': true,
      'train-model': true,
      'evaluate-model': true,
    });
    // a's dataset, through b, is still a's global id at c.
    const origin = [...a.artifactsById.values()].find((x) => x.uri.includes('/load-data/'))!;
    expect([...c.artifactsById.values()].map((x) => x.globalId)).toContain(origin.globalId);
    expect(origin.globalId).toMatch(/^split-pipelines\/v1\/a\/artifact\//);
  });
});
