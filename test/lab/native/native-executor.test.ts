/**
 * A lab location running the next KFP executes runs as that commit's drivers and launcher do, recording them in
 * its native task and artifact API (read here over REST, responses checked against the swagger): tasks per step,
 * a second run's tasks CACHED with the first run's outputs (same artifact ids, linked, no new bytes), a run with
 * caching disabled executing, input links resolving downstream inputs, and all of it kept across a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../../packages/lab/src/lab.js';
import { KfpClient } from '../../../src/location/kfp/index.js';
import { ObjectStore, parseArtifactUri } from '../../../src/location/objectstore/index.js';
import type { JsonObject } from '../../../src/pipeline/ir.js';
import { compiledFixturesDir } from '../../support/fixtures.js';
import { packageBody, thesisText, waitForRun } from '../executor/helpers.js';
import { nextSwaggerErrors } from './swagger.js';

type Json = Record<string, unknown>;
const STEPS = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];

let dir: string;
let lab: Lab;
let kfp: KfpClient;
let store: ObjectStore;

async function open(): Promise<void> {
  lab = await startLab({ dir, locations: ['c'], kfpVersion: { c: 'next' }, ports: 'ephemeral' });
  const c = lab.locations['c']!;
  kfp = new KfpClient({ location: 'c', endpoint: c.kfp, retries: 0 });
  store = new ObjectStore({
    location: 'c',
    endpoint: c.objectStore,
    credentials: c.credentials,
    pipelineRoot: c.pipelineRoot,
  });
}
async function shut(): Promise<void> {
  store.close();
  await lab.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-native-exec-'));
  await open();
});
afterAll(async () => {
  await shut();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<Json> {
  const r = await fetch(`${lab.locations['c']!.kfp}${path}`);
  expect(r.status, path).toBe(200);
  return (await r.json()) as Json;
}

/** A run of the thesis pipeline to its end; its tasks by name, as the native API lists them. */
async function run(name: string, spec: JsonObject = packageBody(thesisText())) {
  const created = await kfp.createRun({ displayName: name, pipelineSpec: spec });
  const finished = await waitForRun(kfp, created.run_id);
  const listed = await get(`/apis/v2beta1/runs/${created.run_id}/tasks?page_size=200`);
  expect(nextSwaggerErrors('run', 'v2beta1ListTasksResponse', listed)).toEqual([]);
  const tasks = new Map((listed['tasks'] as Json[]).map((t) => [t['name'] as string, t]));
  return { runId: created.run_id, state: finished.state, tasks };
}

const outputArtifactIds = (t: Json | undefined): string[] =>
  (((t?.['outputs'] as Json | undefined)?.['artifacts'] as Json[] | undefined) ?? []).flatMap((io) =>
    (io['artifacts'] as Json[]).map((a) => a['artifact_id'] as string),
  );
const links = async (query: string): Promise<Json[]> =>
  ((await get(`/apis/v2beta1/artifact_tasks?page_size=200&${query}`))['artifact_tasks'] as Json[] | undefined) ?? [];

/** The thesis package compiled with caching off for every task (`enable_caching=False`: empty cachingOptions). */
function noCacheSpec(): JsonObject {
  const spec = packageBody(thesisText());
  const tasks = ((spec['root'] as Json)['dag'] as Json)['tasks'] as Record<string, Json>;
  for (const t of Object.values(tasks)) t['cachingOptions'] = {};
  return spec;
}

let first: Awaited<ReturnType<typeof run>>;
let second: Awaited<ReturnType<typeof run>>;

describe('lab at the next KFP: runs executed by its drivers and launcher', () => {
  it('runs every step: a ROOT task and one SUCCEEDED task per step, with fingerprints and output artifacts in the store', async () => {
    first = await run('first');
    expect(first.state).toBe('SUCCEEDED');
    expect(first.tasks.get('ROOT')).toMatchObject({ type: 'ROOT', state: 'SUCCEEDED' });
    const rootId = first.tasks.get('ROOT')!['task_id'];
    for (const step of STEPS) {
      const t = first.tasks.get(step);
      expect(t, step).toMatchObject({ state: 'SUCCEEDED', type: 'RUNTIME', parent_task_id: rootId });
      expect(t!['cache_fingerprint']).toMatch(/^[0-9a-f]{64}$/);
      expect((t!['pods'] as Json[]).map((p) => p['type'])).toEqual(['DRIVER', 'EXECUTOR']);
    }
    const ids = outputArtifactIds(first.tasks.get('train-model'));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const a = await get(`/apis/v2beta1/artifacts/${id}`);
      expect(nextSwaggerErrors('artifact', 'v2beta1Artifact', a)).toEqual([]);
      const loc = parseArtifactUri(a['uri'] as string);
      const objects = [];
      for await (const o of store.list(loc.bucket, loc.key)) objects.push(o);
      expect(objects.length, `${a['uri'] as string}`).toBeGreaterThan(0);
    }
  });

  it('links artifacts to tasks: OUTPUT at the producer, INPUT at the consumer, the same artifact id', async () => {
    const split = first.tasks.get('split-data')!;
    const train = first.tasks.get('train-model')!;
    const out = await links(`task_ids=${split['task_id'] as string}&type=OUTPUT`);
    expect(out.length).toBeGreaterThan(0);
    const listed = await get(`/apis/v2beta1/artifact_tasks?page_size=200&task_ids=${train['task_id'] as string}`);
    expect(nextSwaggerErrors('artifact', 'v2beta1ListArtifactTasksResponse', listed)).toEqual([]);
    const inputs = (listed['artifact_tasks'] as Json[]).filter((l) => l['type'] === 'TASK_OUTPUT_INPUT');
    expect(inputs.length).toBeGreaterThan(0);
    for (const l of inputs) {
      expect(l['producer']).toEqual({ task_name: 'split-data' });
      // The consumer's input is an artifact its producer output in this run.
      expect(out.map((o) => o['artifact_id'])).toContain(l['artifact_id']);
    }
    // The task's own record shows them hydrated from the links.
    const got = await get(`/apis/v2beta1/runs/${first.runId}/tasks/${train['task_id'] as string}`);
    const inArtifacts = ((got['inputs'] as Json)['artifacts'] as Json[]).flatMap((io) => io['artifacts'] as Json[]);
    expect(inArtifacts.map((a) => a['artifact_id']).sort()).toEqual(inputs.map((l) => l['artifact_id']).sort());
  });

  it('a second run finds every step cached: CACHED tasks with the cached outputs, linked to the same artifacts', async () => {
    second = await run('second');
    expect(second.state).toBe('SUCCEEDED');
    for (const step of STEPS) {
      const t = second.tasks.get(step)!;
      expect(t['state'], step).toBe('CACHED');
      expect(t['cache_fingerprint']).toBe(first.tasks.get(step)!['cache_fingerprint']);
      expect((t['pods'] as Json[]).map((p) => p['type'])).toEqual(['DRIVER']);
      expect(outputArtifactIds(t).sort()).toEqual(outputArtifactIds(first.tasks.get(step)).sort());
      const params = (t['outputs'] as Json | undefined)?.['parameters'] as Json[] | undefined;
      const before = (first.tasks.get(step)!['outputs'] as Json | undefined)?.['parameters'] as Json[] | undefined;
      expect(params?.map((p) => [p['parameter_key'], p['value']])).toEqual(
        before?.map((p) => [p['parameter_key'], p['value']]),
      );
      for (const p of params ?? []) expect(p['producer']).toEqual({ task_name: step });
    }
    const train = second.tasks.get('train-model')!;
    const out = await links(`task_ids=${train['task_id'] as string}&type=OUTPUT`);
    expect(out.map((l) => l['artifact_id']).sort()).toEqual(outputArtifactIds(first.tasks.get('train-model')).sort());
    for (const l of out) expect(l['run_id']).toBe(second.runId);
    // findCached gives the newest SUCCEEDED task, never a CACHED one: still the first run's.
    const fp = train['cache_fingerprint'] as string;
    const hit = (await (
      await fetch(`${lab.locations['c']!.kfp}/apis/v2beta1/tasks:findCached`, {
        method: 'POST',
        body: JSON.stringify({ cache_fingerprint: fp }),
      })
    ).json()) as Json;
    expect((hit['task'] as Json)['task_id']).toBe(first.tasks.get('train-model')!['task_id']);
  });

  it('a run with caching disabled executes every step again, without fingerprints, with new artifacts', async () => {
    const third = await run('no-cache', noCacheSpec());
    expect(third.state).toBe('SUCCEEDED');
    for (const step of STEPS) {
      const t = third.tasks.get(step)!;
      expect(t['state'], step).toBe('SUCCEEDED');
      expect(t['cache_fingerprint'] ?? '').toBe('');
      for (const id of outputArtifactIds(t)) expect(outputArtifactIds(first.tasks.get(step))).not.toContain(id);
    }
  });

  it('keeps runs, tasks, artifacts and links across a restart, and later runs hit what was cached before it', async () => {
    await shut();
    await open();
    const kept = await get(`/apis/v2beta1/runs/${first.runId}/tasks?page_size=200`);
    expect((kept['tasks'] as Json[]).length).toBe(first.tasks.size);
    const train = first.tasks.get('train-model')!;
    expect((await links(`task_ids=${train['task_id'] as string}&type=OUTPUT`)).length).toBeGreaterThan(0);
    const after = await run('after-restart');
    expect(after.state).toBe('SUCCEEDED');
    for (const step of STEPS) expect(after.tasks.get(step)!['state'], step).toBe('CACHED');
    expect(outputArtifactIds(after.tasks.get('train-model')).sort()).toEqual(outputArtifactIds(train).sort());
  });

  it('fails a step as the launcher does: FAILED with its error, the run FAILED, no task after it', async () => {
    lab.setSteps('c', { 'train-model': { fail: 'always' } });
    const failed = await run('failing', noCacheSpec());
    lab.setSteps('c', {});
    expect(failed.state).toBe('FAILED');
    const t = failed.tasks.get('train-model')!;
    expect(t['state']).toBe('FAILED');
    expect((t['status_metadata'] as Json)['message']).toMatch(/^failed to execute component: exit status 1/);
    expect(failed.tasks.get('split-data')!['state']).toBe('SUCCEEDED');
    expect(failed.tasks.has('evaluate-model')).toBe(false);
    // A failed task is never a cache hit.
    expect((await links(`task_ids=${t['task_id'] as string}&type=OUTPUT`)).map((l) => l['key'])).toEqual([
      'executor-logs',
    ]);
  });

  it('resumes a run the lab stopped mid-way: the finished steps kept, the stopped one finished, no duplicate task', async () => {
    lab.setSteps('c', { 'train-model': { durationMs: 600_000 } });
    const created = await kfp.createRun({ displayName: 'resumed', pipelineSpec: noCacheSpec() });
    const tasksOf = async () =>
      ((await get(`/apis/v2beta1/runs/${created.run_id}/tasks?page_size=200`))['tasks'] as Json[] | undefined) ?? [];
    let before: Json[] = [];
    while (!before.some((t) => t['name'] === 'train-model' && t['state'] === 'RUNNING')) {
      await new Promise((r) => setTimeout(r, 25));
      before = await tasksOf();
    }
    await shut();
    await open();
    expect((await waitForRun(kfp, created.run_id)).state).toBe('SUCCEEDED');
    const after = await tasksOf();
    const names = after.map((t) => t['name'] as string);
    expect(names.sort()).toEqual(['ROOT', ...STEPS].sort());
    const id = (ts: Json[], n: string) => ts.find((t) => t['name'] === n)?.['task_id'];
    for (const n of ['ROOT', 'load-data', 'split-data', 'train-model']) expect(id(after, n), n).toBe(id(before, n));
    for (const t of after) expect(t['state'], t['name'] as string).toBe('SUCCEEDED');
  });

  it('runs loops and conditions: LOOP tasks, iteration indexes, collected artifacts linked as inputs, a SKIPPED branch', async () => {
    const fixture = (rel: string) => packageBody(readFileSync(join(compiledFixturesDir, rel), 'utf8'), rel);
    const collected = await run('collected', fixture('collected_artifacts.yaml'));
    expect(collected.state).toBe('SUCCEEDED');
    const all = (await get(`/apis/v2beta1/runs/${collected.runId}/tasks?page_size=200`))['tasks'] as Json[];
    expect(all.filter((t) => t['type'] === 'LOOP').length).toBeGreaterThan(0);
    // A task inside a loop sits under the LOOP task with its iteration's index (no task per iteration).
    const loops = new Set(all.filter((t) => t['type'] === 'LOOP').map((t) => t['task_id']));
    const inLoop = all.filter((t) => loops.has(t['parent_task_id']));
    expect(inLoop.length).toBeGreaterThan(1);
    for (const t of inLoop) expect((t['type_attributes'] as Json | undefined)?.['iteration_index']).toMatch(/^\d+$/);
    const readDatasets = all.find((t) => t['name'] === 'read-datasets')!;
    const inputs = await links(`task_ids=${readDatasets['task_id'] as string}`);
    expect(inputs.length).toBeGreaterThan(1);
    for (const l of inputs) expect(l['type']).not.toBe('OUTPUT');
    const branches = await run('branches', fixture('if_else_with_oneof_artifacts.yaml'));
    expect(branches.state).toBe('SUCCEEDED');
    const states = ((await get(`/apis/v2beta1/runs/${branches.runId}/tasks?page_size=200`))['tasks'] as Json[]).map(
      (t) => `${t['name'] as string}:${t['state'] as string}`,
    );
    expect(states).toContain('condition-2:SKIPPED');
    expect(states).toContain('condition-3:SUCCEEDED');
  });
});
