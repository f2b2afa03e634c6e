/**
 * A lab KFP API server at version `next` serves the native task and artifact API of kubeflow/pipelines
 * 6585b5143d: requests and responses valid against that commit's swagger, unknown fields refused, KFP's error
 * shape, a findCached hit, and its records kept across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { body, call, fixture, startLab, type JsonBody, type LabServer } from '../kfp/helpers.js';
import { nextSwaggerErrors } from './swagger.js';

let lab: LabServer;
let runId: string;
beforeAll(async () => {
  lab = await startLab({ kfpVersion: 'next' });
  const spec = parse(fixture('hello_world.yaml')) as JsonBody;
  runId = String(
    body(await call(lab, 'POST', '/apis/v2beta1/runs', { body: { display_name: 'r', pipeline_spec: spec } }))['run_id'],
  );
});
afterAll(async () => {
  await lab.dispose();
});

const FP = 'a'.repeat(64);
/** A request body, checked against the swagger before it is sent. */
function valid(definition: string, file: 'run' | 'artifact', b: JsonBody): JsonBody {
  expect(nextSwaggerErrors(file, definition, b)).toEqual([]);
  return b;
}
const newTask = (over: JsonBody = {}): JsonBody =>
  valid('v2beta1PipelineTask', 'run', {
    name: 'train',
    display_name: 'train',
    state: 'RUNNING',
    cache_fingerprint: FP,
    scope_path: 'root.train',
    ...over,
  });
const post = (path: string, b: unknown) => call(lab, 'POST', path, { body: b });

describe('lab at KFP next: native API', () => {
  it('healthz reports the build (tag_name), valid against the swagger', async () => {
    const r = await call(lab, 'GET', '/apis/v2beta1/healthz');
    expect(r.status).toBe(200);
    expect(body(r)).toMatchObject({ tag_name: 'next', multi_user: false });
  });

  it('creates, updates, gets and lists run-scoped tasks', async () => {
    const created = await post(`/apis/v2beta1/runs/${runId}/tasks`, newTask());
    expect(created.status).toBe(200);
    expect(nextSwaggerErrors('run', 'v2beta1PipelineTask', created.json)).toEqual([]);
    const taskId = String(body(created)['task_id']);
    expect(body(created)).toMatchObject({ run_id: runId, state: 'RUNNING' });

    const patch = valid('v2beta1PipelineTask', 'run', { state: 'SUCCEEDED', end_time: '2026-12-05T10:00:00Z' });
    const updated = await call(lab, 'PATCH', `/apis/v2beta1/runs/${runId}/tasks/${taskId}`, { body: patch });
    expect(updated.status).toBe(200);
    expect(nextSwaggerErrors('run', 'v2beta1PipelineTask', updated.json)).toEqual([]);
    expect(body(updated)).toMatchObject({ task_id: taskId, state: 'SUCCEEDED', name: 'train' });

    const bulk = valid('RunServiceUpdateTasksBulkBody', 'run', { tasks: { [taskId]: { display_name: 'Train' } } });
    const b = await post(`/apis/v2beta1/runs/${runId}/tasks:batchUpdate`, bulk);
    expect(b.status).toBe(200);
    expect(nextSwaggerErrors('run', 'v2beta1UpdateTasksBulkResponse', b.json)).toEqual([]);

    const got = await call(lab, 'GET', `/apis/v2beta1/runs/${runId}/tasks/${taskId}`);
    expect(body(got)).toMatchObject({ display_name: 'Train', state: 'SUCCEEDED' });
    const listed = await call(lab, 'GET', `/apis/v2beta1/runs/${runId}/tasks`);
    expect(nextSwaggerErrors('run', 'v2beta1ListTasksResponse', listed.json)).toEqual([]);
    expect((body(listed)['tasks'] as JsonBody[]).map((t) => t['task_id'])).toContain(taskId);
  });

  it('creates artifacts linked to their task and lists the links with filters', async () => {
    const taskId = String(body(await post(`/apis/v2beta1/runs/${runId}/tasks`, newTask({ name: 'prep' })))['task_id']);
    const req = valid('v2beta1CreateArtifactRequest', 'artifact', {
      artifact: {
        name: 'dataset',
        type: 'Dataset',
        uri: 's3://mlpipeline/v2/artifacts/x/dataset',
        namespace: 'kubeflow',
      },
      run_id: runId,
      task_id: taskId,
      producer_key: 'dataset',
    });
    const a = await post('/apis/v2beta1/artifacts', req);
    expect(a.status).toBe(200);
    expect(nextSwaggerErrors('artifact', 'v2beta1Artifact', a.json)).toEqual([]);
    const artifactId = String(body(a)['artifact_id']);
    expect((await call(lab, 'GET', `/apis/v2beta1/artifacts/${artifactId}`)).status).toBe(200);

    // validateCreateArtifactRequest (artifact_server.go:804-846): every artifact is some task's output, in a namespace.
    const refused = async (over: JsonBody, message: RegExp) => {
      const r = await post('/apis/v2beta1/artifacts', { ...req, ...over });
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(JSON.stringify(r.json)).toMatch(message);
    };
    await refused(
      { artifact: { name: 'm', type: 'Model', namespace: 'kubeflow' }, task_id: undefined },
      /Task ID is required/,
    );
    await refused({ artifact: { name: 'm', type: 'Model' } }, /Artifact namespace is required/);
    await refused({ producer_key: '' }, /Producer key is required/);
    await refused({ run_id: '' }, /Run ID is required/);
    await refused({ artifact: { type: 'Model', namespace: 'kubeflow' } }, /Artifact name is required/);
    const bulkReuse = await post('/apis/v2beta1/artifacts:batchCreate', {
      artifacts: [{ ...req, reuse_if_exists: true }],
    });
    expect(bulkReuse.status).toBe(400);
    expect(JSON.stringify(bulkReuse.json)).toMatch(/does not support reuse_if_exists/);

    const bulk = await post(
      '/apis/v2beta1/artifacts:batchCreate',
      valid('v2beta1CreateArtifactsBulkRequest', 'artifact', {
        artifacts: [
          {
            artifact: { name: 'm', type: 'Model', namespace: 'kubeflow' },
            run_id: runId,
            task_id: taskId,
            producer_key: 'model',
          },
        ],
      }),
    );
    expect(bulk.status).toBe(200);
    expect(nextSwaggerErrors('artifact', 'v2beta1CreateArtifactsBulkResponse', bulk.json)).toEqual([]);

    // reuse_if_exists: an equal artifact (type, URI, name, description, metadata) is linked, not created again.
    const importer = String(body(await post(`/apis/v2beta1/runs/${runId}/tasks`, newTask({ name: 'imp' })))['task_id']);
    const reuse = { ...req, task_id: importer, reuse_if_exists: true };
    const again = body(await post('/apis/v2beta1/artifacts', reuse));
    expect(again['artifact_id']).toBe(artifactId);
    const other = body(
      await post('/apis/v2beta1/artifacts', {
        ...reuse,
        artifact: { ...(req['artifact'] as JsonBody), metadata: { a: 1 } },
      }),
    );
    expect(other['artifact_id']).not.toBe(artifactId);

    const consumer = String(body(await post(`/apis/v2beta1/runs/${runId}/tasks`, newTask({ name: 'use' })))['task_id']);
    const link = valid('v2beta1CreateArtifactTaskRequest', 'artifact', {
      artifact_task: {
        artifact_id: artifactId,
        run_id: runId,
        task_id: consumer,
        type: 'TASK_OUTPUT_INPUT',
        producer: { task_name: 'prep' },
        key: 'data',
      },
    });
    const l = await post('/apis/v2beta1/artifact_tasks', link);
    expect(l.status).toBe(200);
    expect(nextSwaggerErrors('artifact', 'v2beta1ArtifactTask', l.json)).toEqual([]);

    const links = await call(lab, 'GET', `/apis/v2beta1/artifact_tasks?artifact_ids=${artifactId}`);
    expect(nextSwaggerErrors('artifact', 'v2beta1ListArtifactTasksResponse', links.json)).toEqual([]);
    const types = (body(links)['artifact_tasks'] as JsonBody[]).map((x) => x['type']).sort();
    expect(types).toEqual(['OUTPUT', 'OUTPUT', 'TASK_OUTPUT_INPUT']);
    const inputs = await call(lab, 'GET', `/apis/v2beta1/artifact_tasks?task_ids=${consumer}&type=TASK_OUTPUT_INPUT`);
    expect((body(inputs)['artifact_tasks'] as JsonBody[]).map((x) => x['artifact_id'])).toEqual([artifactId]);
  });

  it('findCached answers the newest SUCCEEDED task with the fingerprint, never a CACHED one', async () => {
    const fp = 'b'.repeat(64);
    const miss = await post(
      '/apis/v2beta1/tasks:findCached',
      valid('v2beta1FindCachedTaskRequest', 'run', { cache_fingerprint: fp }),
    );
    expect(miss.status).toBe(200);
    expect(body(miss)).toEqual({});
    await post(`/apis/v2beta1/runs/${runId}/tasks`, newTask({ cache_fingerprint: fp, state: 'CACHED' }));
    expect(body(await post('/apis/v2beta1/tasks:findCached', { cache_fingerprint: fp }))).toEqual({});
    const done = body(
      await post(`/apis/v2beta1/runs/${runId}/tasks`, newTask({ cache_fingerprint: fp, state: 'SUCCEEDED' })),
    );
    const hit = await post('/apis/v2beta1/tasks:findCached', { namespace: '', cacheFingerprint: fp });
    expect(nextSwaggerErrors('run', 'v2beta1FindCachedTaskResponse', hit.json)).toEqual([]);
    expect((body(hit)['task'] as JsonBody)['task_id']).toBe(done['task_id']);
  });

  it('refuses unknown fields and answers in the grpc-gateway error shape', async () => {
    const r = await post(`/apis/v2beta1/runs/${runId}/tasks`, { name: 'x', colour: 'blue' });
    expect(r.status).toBe(400);
    expect(body(r)).toMatchObject({ code: 3 });
    expect(String(body(r)['message'])).toContain('unknown field "colour"');
    expect(nextSwaggerErrors('run', 'googleRpcStatus', r.json)).toEqual([]);
    const f = await post('/apis/v2beta1/tasks:findCached', { cache_fingerprint: 'x', pipeline_name: 'p' });
    expect(f.status).toBe(400);
    const missing = await post('/apis/v2beta1/tasks:findCached', {});
    expect(body(missing)).toMatchObject({ code: 3 });
    expect(String(body(missing)['message'])).toContain('cache_fingerprint is required');
    const noRun = await post('/apis/v2beta1/runs/nope/tasks', newTask());
    expect(noRun.status).toBe(404);
  });

  it('keeps tasks, artifacts and links across a restart', async () => {
    const t = body(
      await post(
        `/apis/v2beta1/runs/${runId}/tasks`,
        newTask({ name: 'kept', state: 'SUCCEEDED', cache_fingerprint: 'c'.repeat(64) }),
      ),
    );
    const before = body(await call(lab, 'GET', `/apis/v2beta1/runs/${runId}/tasks`));
    await lab.close();
    const again = await startLab({ kfpVersion: 'next', dir: lab.dir });
    lab = again;
    const after = body(await call(lab, 'GET', `/apis/v2beta1/runs/${runId}/tasks`));
    expect(after).toEqual(before);
    const hit = body(await post('/apis/v2beta1/tasks:findCached', { cache_fingerprint: 'c'.repeat(64) }));
    expect((hit['task'] as JsonBody)['task_id']).toBe(t['task_id']);
  });
});

describe('lab at a KFP release: no native API', () => {
  it('answers 404 for the native routes', async () => {
    const old = await startLab({ kfpVersion: '2.17.0' });
    try {
      expect(
        (await call(old, 'POST', '/apis/v2beta1/tasks:findCached', { body: { cache_fingerprint: 'x' } })).status,
      ).toBe(404);
    } finally {
      await old.dispose();
    }
  });
});
