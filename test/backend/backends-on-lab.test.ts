/**
 * Both backends of the port against one lab: b runs KFP 2.17 (ML Metadata and the task table), c the next
 * KFP (native task and artifact API, no ML Metadata). Detection, the boundary error of a native location,
 * the MLMD backend's parity with the MLMD code it wraps, and the native backend's import, cache answer,
 * idempotency and export.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startLab, type Lab } from '../../packages/lab/src/index.js';
import { BackendMismatchError, detectBackend } from '../../src/location/backend/detect.js';
import { nativeBackend } from '../../src/location/backend/native.js';
import { verifyRunRecord } from '../../src/location/backend/verify-run.js';
import { connectLocation, type LocationClients, type LocationConfig } from '../../src/location/connect.js';
import { waitForRunEnd } from '../../src/location/kfp/index.js';
import { walkBackend } from '../../src/observe/backend-walk.js';
import { walkCache } from '../../src/observe/cache-walk.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { exportBundleWith } from '../../src/sync/backend-export.js';
import { importBundleWith } from '../../src/sync/backend-import.js';
import { mlmdBackend } from '../../src/sync/backend-mlmd.js';
import { ensureMarkerRun } from '../../src/sync/marker-run.js';
import { NativeClient } from '../../src/location/native/client.js';
import { transportFor, type Transport } from '../../src/location/kfp/transport.js';
import { FakeBackend } from '../support/fake-backend.js';
import { nextSwaggerErrors, type NextSwagger } from '../lab/native/swagger.js';
import { repoRoot } from '../support/fixtures.js';
import { labEnv } from '../support/lab-project.js';

const PIPELINE = join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml');
const graph = parsePipelineText(readFileSync(PIPELINE, 'utf8'), 'thesis').graph!;
const ALL = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];
const STAGE1 = ['load-data', 'split-data'];

let lab: Lab;
let dir: string;
let configs: Record<string, LocationConfig>;
const clients: LocationClients[] = [];
function connect(name: string, over: Partial<LocationConfig> = {}): LocationClients {
  const c = connectLocation({ ...configs[name]!, ...over }, { baseDir: dir, env: labEnv([lab]) });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backends-'));
  lab = await startLab({ dir, locations: ['a', 'b', 'c'], kfpVersion: { c: 'next' }, ports: 'ephemeral' });
  const entries = (parse(lab.locationsYaml()) as { locations: LocationConfig[] }).locations;
  configs = Object.fromEntries(entries.map((e) => [e.name, e]));
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backend detection', () => {
  it('tells the native API from ML Metadata by asking the API server', async () => {
    const b = connect('b');
    const c = connect('c');
    expect(await detectBackend({ name: 'b', native: b.native, mlmdEndpoint: configs['b']!.mlmd!.endpoint })).toBe(
      'mlmd',
    );
    expect(await detectBackend({ name: 'c', native: c.native })).toBe('native');
    expect(await b.backend()).toBe('mlmd');
  });

  it('refuses a file that disagrees with the location', async () => {
    const b = connect('b');
    const c = connect('c');
    await expect(
      detectBackend({ name: 'c', native: c.native, mlmdEndpoint: 'mlmd:8080', kfpVersion: 'next' }),
    ).rejects.toThrow(
      /location c runs KFP next without ML Metadata .* but the file sets mlmd.endpoint mlmd:8080 .*What to do: remove mlmd from spec.locations\[c\]/,
    );
    const noMlmd = detectBackend({ name: 'b', native: b.native, kfpVersion: '2.17.0' });
    await expect(noMlmd).rejects.toBeInstanceOf(BackendMismatchError);
    await expect(noMlmd).rejects.toThrow(/keeps its records in ML Metadata, but the file sets no mlmd for it/);
  });

  it('detects the native location at its first call, and says so where ML Metadata is asked for', async () => {
    const c = connect('c');
    expect((await c.kfp.healthz()).version).toBe('master');
    expect(await c.backend()).toBe('native');
    // The MLMD stand-in of a file without `mlmd:` says so instead of failing obscurely.
    await expect(c.mlmd.getContextByTypeAndName('system.PipelineRun', 'x')).rejects.toThrow(
      /location c has no ML Metadata endpoint in the file/,
    );
  });
});

describe('mlmd backend (KFP 2.17 at b)', () => {
  it('reads a run, its verification and the cache as the MLMD code it wraps does', async () => {
    const b = connect('b');
    const run = await b.kfp.createRun({
      displayName: 'thesis-full',
      pipelineSpec: parse(readFileSync(PIPELINE, 'utf8')) as never,
      pipelineRoot: configs['b']!.objectStore.pipelineRoot,
    });
    const end = await waitForRunEnd(b.kfp, run.run_id, { timeoutMs: 60_000, pollMs: 100 });
    expect(end.state).toBe('SUCCEEDED');
    const readers = {
      name: 'b',
      kfp: b.kfp,
      mlmd: b.mlmd,
      store: b.store,
      kfpVersion: '2.17.0',
      pipelineRoot: configs['b']!.objectStore.pipelineRoot,
    };
    const backend = mlmdBackend({ ...readers, mlmdEndpoint: configs['b']!.mlmd!.endpoint });
    expect(backend.describe()).toEqual({
      kind: 'mlmd',
      detail: `ML Metadata at ${configs['b']!.mlmd!.endpoint} with the task table`,
    });

    const req = { location: 'b', runId: run.run_id, steps: ALL.slice(2), fromCache: STAGE1 };
    const record = await backend.runRecord(run.run_id);
    expect(record.tasks.filter((t) => t.kind === 'container')).toHaveLength(5);
    expect(verifyRunRecord(record, req)).toMatchObject({
      ok: false,
      executed: ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'],
      cached: [],
    });
    expect(verifyRunRecord(record, req).problems[0]).toMatch(/^load-data executed at b instead of being a cache hit/);

    const scope = await backend.cacheScope();
    expect(scope.namespace).toBeDefined();
    const viaPort = await walkBackend(backend, { graph, parameters: {}, rootTasks: ALL, scope });
    const viaMlmd = await walkCache(readers, {
      graph,
      parameters: {},
      rootTasks: ALL,
      kfpVersion: '2.17.0',
      checkBytes: false,
    });
    const ids = (a: Record<string, { available: boolean; executionIds?: string[] }>) =>
      Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.available ? v.executionIds : false]));
    expect(ids(viaPort.availability)).toEqual(ids(viaMlmd.availability));
    expect(Object.values(viaPort.availability).every((a) => a.available)).toBe(true);
  }, 30_000);
});

/** What the native client sends and gets, by route: the swagger definitions of request and response. */
const ROUTES: [RegExp, NextSwagger, string | undefined, string | undefined][] = [
  [/^POST \/apis\/v2beta1\/runs\/[^/]+\/tasks$/, 'run', 'v2beta1PipelineTask', 'v2beta1PipelineTask'],
  [/^GET \/apis\/v2beta1\/runs\/[^/]+\/tasks$/, 'run', undefined, 'v2beta1ListTasksResponse'],
  [
    /^POST \/apis\/v2beta1\/runs\/[^/]+\/tasks:batchUpdate$/,
    'run',
    'RunServiceUpdateTasksBulkBody',
    'v2beta1UpdateTasksBulkResponse',
  ],
  [/^POST \/apis\/v2beta1\/tasks:findCached$/, 'run', 'v2beta1FindCachedTaskRequest', 'v2beta1FindCachedTaskResponse'],
  [
    /^POST \/apis\/v2beta1\/artifacts:batchCreate$/,
    'artifact',
    'v2beta1CreateArtifactsBulkRequest',
    'v2beta1CreateArtifactsBulkResponse',
  ],
  [/^GET \/apis\/v2beta1\/artifacts$/, 'artifact', undefined, 'v2beta1ListArtifactResponse'],
  [/^GET \/apis\/v2beta1\/artifacts\/[^/]+$/, 'artifact', undefined, 'v2beta1Artifact'],
  [
    /^POST \/apis\/v2beta1\/artifact_tasks:batchCreate$/,
    'artifact',
    'v2beta1CreateArtifactTasksBulkRequest',
    'v2beta1CreateArtifactTasksBulkResponse',
  ],
  [/^GET \/apis\/v2beta1\/artifact_tasks$/, 'artifact', undefined, 'v2beta1ListArtifactTasksResponse'],
  // KFP answers healthz from main.go's own handler (tag_name, commit_sha), not the gateway the swagger describes.
  [/^GET \/apis\/v2beta1\/healthz$/, 'healthz', undefined, undefined],
];
const swaggerProblems: string[] = [];
const checkedTransport: Transport = async (req) => {
  const route = `${req.method} ${req.url.pathname}`;
  const known = ROUTES.find(([re]) => re.test(route));
  if (!known) swaggerProblems.push(`${route}: not a route of the swagger`);
  const [, file, request, response] = known ?? [];
  if (file && request && req.body)
    for (const e of nextSwaggerErrors(file, request, JSON.parse(new TextDecoder().decode(req.body))))
      swaggerProblems.push(`${route} request: ${e}`);
  const res = await transportFor({})(req);
  if (file && response && res.status === 200)
    for (const e of nextSwaggerErrors(file, response, JSON.parse(res.text)))
      swaggerProblems.push(`${route} response: ${e}`);
  return res;
};

describe('native backend (the next KFP at c)', () => {
  it('imports a bundle under a marker run, answers findCached with it, and a second import creates nothing', async () => {
    const c = connect('c');
    // Every request and answer of the native client is checked against the swagger of that commit.
    const native = new NativeClient({
      location: 'c',
      endpoint: configs['c']!.kfp.endpoint,
      transport: checkedTransport,
    });
    const backend = nativeBackend({ name: 'c', native });
    expect(backend.describe().kind).toBe('native');
    // A source location (a fake) that ran the first stage.
    const a = new FakeBackend('a');
    await a.execute(graph, {}, STAGE1, 'run-a');
    const bundle = await exportBundleWith(a, {
      graph,
      parameters: {},
      steps: STAGE1,
      splitPipeline: 'thesis',
      revision: 'r1',
      kfpVersion: 'next',
      pipelineRoot: a.pipelineRoot,
    });
    const marker = await ensureMarkerRun({
      kfp: c.kfp,
      displayName: 'thesis-r1-handoff-1',
      experiment: 'thesis',
      description: 'handoff',
    });
    const root = configs['c']!.objectStore.pipelineRoot;
    const req = { bundle, graph, parameters: {}, markerRunId: marker.run_id, pipelineRoot: root };

    const first = await importBundleWith(backend, req);
    expect(first).toMatchObject({ artifactsCreated: 3, tasksCreated: 2, cacheEntriesCreated: 2 });
    const scope = await backend.cacheScope();
    expect(scope).toMatchObject({ namespace: '', publishLogs: true });
    const answers = await backend.lookupCache(
      graph.name,
      first.tasks.map((t) => t.fingerprint),
      scope,
    );
    for (const t of first.tasks) {
      const hit = answers.get(t.fingerprint)!;
      expect(hit).toMatchObject({
        hit: true,
        task: { id: t.taskId, globalId: bundle.executions.find((e) => e.path[0] === t.key)!.globalId },
      });
      if (!hit.hit) continue;
      for (const { artifact } of hit.artifacts) {
        expect(artifact.uri.startsWith(`${root.replace(/\/+$/, '')}/`)).toBe(true);
        expect(artifact.globalId).toMatch(/^split-pipelines\/v1\/a\/artifact\//);
      }
    }
    // The raw API: findCached as the next driver sends it finds the imported task, SUCCEEDED.
    const raw = (await (
      await fetch(`${configs['c']!.kfp.endpoint}/apis/v2beta1/tasks:findCached`, {
        method: 'POST',
        body: JSON.stringify({ namespace: '', cache_fingerprint: first.tasks[0]!.fingerprint }),
      })
    ).json()) as { task?: { task_id: string; state: string } };
    expect(raw.task).toMatchObject({ task_id: first.tasks[0]!.taskId, state: 'SUCCEEDED' });

    const again = await importBundleWith(backend, req);
    expect(again).toMatchObject({ artifactsCreated: 0, tasksCreated: 0, cacheEntriesCreated: 0, tasks: first.tasks });
    // The marker run's own task (the lab executes it) is there too; the imported ones keep their global ids.
    const record = await backend.runRecord(marker.run_id);
    const imported = new Set(bundle.executions.map((e) => e.globalId));
    // KFP lists tasks by creation second, then by random UUID (task_store.go:676-782): compared without order.
    const imports = record.tasks.filter((t) => imported.has(t.globalId)).map((t) => [t.rootTask, t.outcome]);
    expect(imports.sort()).toEqual([
      ['load-data', 'executed'],
      ['split-data', 'executed'],
    ]);

    // The walk at c serves the first stage; an export from c carries a's global ids on (native → elsewhere).
    const walk = await walkBackend(backend, { graph, parameters: {}, rootTasks: STAGE1, scope });
    expect(STAGE1.map((s) => walk.availability[s]?.available)).toEqual([true, true]);
    const out = await exportBundleWith(backend, {
      graph,
      parameters: {},
      steps: STAGE1,
      splitPipeline: 'thesis',
      revision: 'r1',
      kfpVersion: 'next',
      pipelineRoot: root,
    });
    expect(out.artifacts.map((x) => x.globalId).sort()).toEqual(bundle.artifacts.map((x) => x.globalId).sort());
    const d = new FakeBackend('d');
    await d.importBundle({ bundle: out, graph, parameters: {}, markerRunId: 'm-d', pipelineRoot: d.pipelineRoot });
    const dw = await walkBackend(d, { graph, parameters: {}, rootTasks: STAGE1, scope: await d.cacheScope() });
    expect(STAGE1.map((s) => dw.availability[s]?.available)).toEqual([true, true]);
    expect(swaggerProblems).toEqual([]);
  }, 30_000);
});
