import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startKfpServer, type KfpServer } from '../../../packages/lab/src/kfp/index.js';
import {
  collectAll,
  eq,
  KfpClient,
  KfpError,
  oneOf,
  tokenFromEnv,
  where,
  type HttpRequest,
  type JsonObject,
  type Transport,
} from '../../../src/location/kfp/index.js';
import { compiledFixturesDir } from '../../support/fixtures.js';
import { swaggerErrors } from '../../support/swagger.js';

const fixture = (name: string): string => readFileSync(join(compiledFixturesDir, name), 'utf8');

let dir: string;
let lab: KfpServer;
let client: KfpClient;
const sent: HttpRequest[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kfp-client-'));
  lab = await startKfpServer({ dbPath: join(dir, 'kfp.sqlite'), kfpVersion: '2.15.0' });
  const { fetchTransport } = await import('../../../src/location/kfp/transport.js');
  const recording: Transport = (req) => {
    sent.push(req);
    return fetchTransport(req);
  };
  client = new KfpClient({ location: 'train', endpoint: lab.url, timeoutMs: 5000, retries: 0, transport: recording });
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const sentJson = (path: string): unknown => {
  const req = [...sent].reverse().find((r) => r.url.pathname === path && r.body);
  return req?.body ? JSON.parse(new TextDecoder().decode(req.body)) : undefined;
};

describe('KfpClient against the lab server', () => {
  it('reads the server version and mode from healthz', async () => {
    expect(await client.healthz()).toEqual({ version: '2.15.0', multiUser: false, commitSha: 'unknown' });
  });

  it('uploads a pipeline and finds it by name; an unknown name is undefined', async () => {
    const p = await client.uploadPipeline(fixture('two_step_pipeline.yaml'), { name: 'client-two-step' });
    expect((await client.getPipelineByName('client-two-step'))?.pipeline_id).toBe(p.pipeline_id);
    expect(await client.getPipelineByName('client-missing')).toBeUndefined();
  });

  it('adds a pipeline version and lists the versions with their specs', async () => {
    const p = await client.uploadPipeline(fixture('hello_world.yaml'), { name: 'client-versions' });
    const v = await client.uploadPipelineVersion(fixture('hello_world.yaml'), {
      pipelineId: p.pipeline_id,
      name: 'client-versions-v2',
    });
    const versions = await client.listPipelineVersions(p.pipeline_id, { sortBy: 'name' });
    expect(versions.items.map((x) => x.name)).toEqual(['client-versions', 'client-versions-v2']);
    expect(versions.items[1]?.pipeline_version_id).toBe(v.pipeline_version_id);
    expect(versions.items[0]?.pipeline_spec?.['pipelineInfo']).toEqual({ name: 'echo' });
  });

  it('gets or creates an experiment idempotently, also for names with + and %', async () => {
    const a = await client.getOrCreateExperiment('split a+b %20 c');
    const b = await client.getOrCreateExperiment('split a+b %20 c');
    expect(b.experiment_id).toBe(a.experiment_id);
    expect(b.display_name).toBe('split a+b %20 c');
  });

  it('creates a run from a version with a request body the swagger accepts, and reads it back', async () => {
    const p = await client.uploadPipeline(fixture('two_step_pipeline.yaml'), { name: 'client-run' });
    const [v] = (await client.listPipelineVersions(p.pipeline_id)).items;
    const exp = await client.getOrCreateExperiment('client-runs');
    const run = await client.createRun({
      displayName: 'stage-0',
      experimentId: exp.experiment_id,
      pipelineVersion: { pipelineId: p.pipeline_id, pipelineVersionId: String(v?.pipeline_version_id) },
      parameters: { text: 'hello' },
      pipelineRoot: 'minio://mlpipeline/v2/artifacts',
    });
    expect(swaggerErrors('v2beta1', 'v2beta1Run', sentJson('/apis/v2beta1/runs'))).toEqual([]);
    expect(run.state).toBe('PENDING');
    expect((await client.getRun(run.run_id)).runtime_config?.parameters).toEqual({ text: 'hello' });
  });

  it('lists runs by filter across pages', async () => {
    const exp = await client.getOrCreateExperiment('client-paging');
    const spec = parse(fixture('hello_world.yaml')) as JsonObject;
    for (const n of ['p-1', 'p-2', 'p-3', 'other'])
      await client.createRun({ displayName: n, experimentId: exp.experiment_id, pipelineSpec: spec });
    const all = await collectAll((pageToken) =>
      client.listRuns({
        experimentId: exp.experiment_id,
        filter: where(oneOf('display_name', ['p-1', 'p-2', 'p-3'])),
        sortBy: 'display_name',
        pageSize: 2,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    expect(all.map((r) => r.display_name)).toEqual(['p-1', 'p-2', 'p-3']);
  });

  it('terminates a run', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonObject;
    const run = await client.createRun({ displayName: 'to-stop', pipelineSpec: spec });
    await client.terminateRun(run.run_id);
    await new Promise((r) => setTimeout(r, 20));
    expect((await client.getRun(run.run_id)).state).toBe('CANCELED');
  });

  it('writes a cache row the swagger accepts and finds the newest by fingerprint, pipeline and namespace', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonObject;
    const run = await client.createRun({ displayName: 'cache', pipelineSpec: spec });
    const row = { pipelineName: 'pipeline/echo', runId: run.run_id, fingerprint: 'abc123', namespace: 'kubeflow' };
    await client.createTask({ ...row, mlmdExecutionID: '1', createdAt: new Date('2026-01-01T00:00:00Z') });
    expect(swaggerErrors('v1beta1-task', 'apiTask', sentJson('/apis/v1alpha1/tasks'))).toEqual([]);
    await client.createTask({ ...row, mlmdExecutionID: '2', createdAt: new Date('2026-01-02T00:00:00Z') });
    const hit = await client.listTasks({
      filter: where(eq('fingerprint', 'abc123'), eq('pipelineName', 'pipeline/echo'), eq('namespace', 'kubeflow')),
      sortBy: 'created_at desc',
      pageSize: 1,
    });
    expect(hit.items.map((t) => t.mlmdExecutionID)).toEqual(['2']);
    expect(hit.totalSize).toBe(2);
  });

  it('loses a run’s cache rows when the run is deleted', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonObject;
    const run = await client.createRun({ displayName: 'doomed', pipelineSpec: spec });
    await client.createTask({
      pipelineName: 'pipeline/echo',
      runId: run.run_id,
      fingerprint: 'doomed-fp',
      mlmdExecutionID: '5',
      createdAt: new Date(),
    });
    await client.deleteRun(run.run_id);
    expect((await client.listTasks({ filter: where(eq('fingerprint', 'doomed-fp')) })).items).toEqual([]);
  });

  it('reports a missing run as a KfpError naming the location and the operation', async () => {
    const err = await client.getRun('no-such-run').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KfpError);
    const k = err as KfpError;
    expect(k.status).toBe(404);
    expect(k.message).toContain('location "train"');
    expect(k.message).toContain('getRun no-such-run');
  });

  it('refuses a cache row for a run that does not exist', async () => {
    const err = await client
      .createTask({
        pipelineName: 'pipeline/x',
        runId: 'missing',
        fingerprint: 'f',
        mlmdExecutionID: '1',
        createdAt: new Date(),
      })
      .catch((e: unknown) => e);
    expect((err as KfpError).status).toBe(404);
  });
});

describe('KfpClient against a multi-user lab server', () => {
  const TOKEN = 'client-secret-token-5d1e';
  let mu: KfpServer;
  let muDir: string;
  beforeAll(async () => {
    muDir = mkdtempSync(join(tmpdir(), 'kfp-client-mu-'));
    mu = await startKfpServer({
      dbPath: join(muDir, 'kfp.sqlite'),
      multiUser: { tokens: { [TOKEN]: 'bob@example.com' }, namespaces: ['team-b'] },
    });
  });
  afterAll(async () => {
    await mu.close();
    rmSync(muDir, { recursive: true, force: true });
  });

  it('sends the token from the environment and works in the namespace', async () => {
    const c = new KfpClient({
      location: 'serve',
      endpoint: mu.url,
      namespace: 'team-b',
      tokenProvider: tokenFromEnv('KFP_SERVE_TOKEN', { KFP_SERVE_TOKEN: TOKEN }),
      retries: 0,
    });
    const exp = await c.getOrCreateExperiment('mu');
    expect(exp.namespace).toBe('team-b');
    expect((await c.healthz()).multiUser).toBe(true);
  });

  it('turns a rejected token into a 401 KfpError that names the variable, not the token', async () => {
    const wrong = 'wrong-token-value-77aa';
    const c = new KfpClient({
      location: 'serve',
      endpoint: mu.url,
      namespace: 'team-b',
      tokenProvider: tokenFromEnv('KFP_SERVE_TOKEN', { KFP_SERVE_TOKEN: wrong }),
      retries: 0,
    });
    const err = (await c.listRuns().catch((e: unknown) => e)) as KfpError;
    expect(err.status).toBe(401);
    expect(err.message).toContain('$KFP_SERVE_TOKEN');
    expect(err.message).not.toContain(wrong);
    expect(JSON.stringify(err)).not.toContain(wrong);
  });
});
