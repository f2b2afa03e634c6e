/**
 * The lab's native API refuses what the next KFP (kubeflow/pipelines 6585b5143d) refuses, and answers as it
 * answers: each case cites the server code it follows. Every one of them was accepted (or answered otherwise)
 * by the lab before this audit, so a client that passed against the lab could still be refused by KFP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { body, call, fixture, startLab, type CallResult, type JsonBody, type LabServer } from '../kfp/helpers.js';

let lab: LabServer;
let runId: string;
let otherRunId: string;
const spec = (): JsonBody => parse(fixture('hello_world.yaml')) as JsonBody;
beforeAll(async () => {
  lab = await startLab({ kfpVersion: 'next' });
  const run = async () =>
    String(
      body(await call(lab, 'POST', '/apis/v2beta1/runs', { body: { display_name: 'r', pipeline_spec: spec() } }))[
        'run_id'
      ],
    );
  runId = await run();
  otherRunId = await run();
});
afterAll(async () => {
  await lab.dispose();
});

const post = (path: string, b: unknown) => call(lab, 'POST', path, { body: b });
const get = (path: string, query: Record<string, string | number> = {}) => call(lab, 'GET', path, { query });
async function newTask(run: string, over: JsonBody = {}): Promise<JsonBody> {
  const r = await post(`/apis/v2beta1/runs/${run}/tasks`, { name: 'step', state: 'RUNNING', ...over });
  expect(r.status, r.text).toBe(200);
  return body(r);
}
async function newArtifact(run: string, taskId: string, name = 'a', key = 'out'): Promise<JsonBody> {
  const r = await post('/apis/v2beta1/artifacts', {
    artifact: { name, type: 'Dataset', uri: `s3://b/${name}`, namespace: 'kubeflow' },
    run_id: run,
    task_id: taskId,
    producer_key: key,
  });
  expect(r.status, r.text).toBe(200);
  return body(r);
}
function refused(r: CallResult, status: number, message: RegExp): void {
  expect(r.status, r.text).toBe(status);
  expect(String(body(r)['message'])).toMatch(message);
}

describe('artifact–task links (artifact_server.go:413-479, :539-630)', () => {
  it('require artifact, task, run, a type, a producer and a key', async () => {
    const task = String((await newTask(runId, { name: 'consumer' }))['task_id']);
    const producer = String((await newTask(runId, { name: 'producer' }))['task_id']);
    const artifact = String((await newArtifact(runId, producer))['artifact_id']);
    const link = { artifact_id: artifact, run_id: runId, task_id: task, type: 'TASK_OUTPUT_INPUT', key: 'data' };
    const withProducer = { ...link, producer: { task_name: 'producer' } };
    // :573-575 — the link the product used to send for its inputs.
    refused(
      await post('/apis/v2beta1/artifact_tasks:batchCreate', { artifact_tasks: [link] }),
      400,
      /producer is required/,
    );
    refused(await post('/apis/v2beta1/artifact_tasks', { artifact_task: link }), 400, /producer is required/);
    for (const [field, message] of [
      ['artifact_id', /artifact_id is required/],
      ['task_id', /task_id is required/],
      ['run_id', /run_id is required/],
      ['type', /type is required/],
      ['key', /key is required/],
    ] as const) {
      const r = await post('/apis/v2beta1/artifact_tasks:batchCreate', {
        artifact_tasks: [{ ...withProducer, [field]: field === 'type' ? 'UNSPECIFIED' : '' }],
      });
      refused(r, 400, message);
    }
    refused(await post('/apis/v2beta1/artifact_tasks:batchCreate', { artifact_tasks: [] }), 400, /at least one/);
    refused(
      await post('/apis/v2beta1/artifact_tasks', { artifact_task: { ...withProducer, run_id: otherRunId } }),
      400,
      /must match the task's run_id/,
    );
    refused(
      await post('/apis/v2beta1/artifact_tasks', { artifact_task: { ...withProducer, task_id: 'nope' } }),
      404,
      /nope/,
    );
    refused(
      await post('/apis/v2beta1/artifact_tasks', { artifact_task: { ...withProducer, artifact_id: 'nope' } }),
      404,
      /nope/,
    );
    const ok = await post('/apis/v2beta1/artifact_tasks:batchCreate', { artifact_tasks: [withProducer] });
    expect(ok.status, ok.text).toBe(200);
    // Single-user mode drops the artifact's namespace (ReplaceNamespace, resource_manager.go:2614-2620).
    expect(body(await get(`/apis/v2beta1/artifacts/${artifact}`))['namespace']).toBeUndefined();
  });

  it('keep one run per bulk request, refuse a duplicate link (UniqueLink) and create none of a failed bulk', async () => {
    const t1 = String((await newTask(runId, { name: 'u1' }))['task_id']);
    const t2 = String((await newTask(otherRunId, { name: 'u2' }))['task_id']);
    const a = String((await newArtifact(runId, t1, 'dup'))['artifact_id']);
    const l1 = { artifact_id: a, run_id: runId, task_id: t1, type: 'TASK_OUTPUT_INPUT', key: 'x', producer: {} };
    const l2 = { ...l1, run_id: otherRunId, task_id: t2 };
    refused(await post('/apis/v2beta1/artifact_tasks:batchCreate', { artifact_tasks: [l1, l2] }), 400, /single run_id/);
    const fresh = { ...l1, key: 'y' };
    // The same link twice in one request: the unique index fails the second insert, the transaction rolls back.
    const dup = await post('/apis/v2beta1/artifact_tasks:batchCreate', { artifact_tasks: [fresh, fresh] });
    expect(dup.status, dup.text).toBe(500);
    const keys = (
      body(await get('/apis/v2beta1/artifact_tasks', { task_ids: t1 }))['artifact_tasks'] as JsonBody[]
    ).map((l) => l['key']);
    expect(keys).toEqual(['out']);
  });
});

describe('tasks:batchUpdate (run_server.go:795-877)', () => {
  it('refuses an empty update, a mismatched task or run id, and a task of another run before updating any', async () => {
    const mine = String((await newTask(runId, { name: 'b1' }))['task_id']);
    const theirs = String((await newTask(otherRunId, { name: 'b2' }))['task_id']);
    const path = `/apis/v2beta1/runs/${runId}/tasks:batchUpdate`;
    refused(await post(path, { tasks: {} }), 400, /at least one task/);
    refused(await post(path, { tasks: { [mine]: { task_id: theirs } } }), 400, /does not match task ID/);
    refused(await post(path, { tasks: { [mine]: { run_id: otherRunId } } }), 400, /run_id in request body/);
    refused(
      await post(path, { tasks: { [mine]: { display_name: 'changed' }, [theirs]: { display_name: 'changed' } } }),
      400,
      /does not belong to run/,
    );
    const after = body(await get(`/apis/v2beta1/runs/${runId}/tasks/${mine}`));
    expect(after['display_name']).toBeUndefined();
    refused(await post(path, { tasks: { [mine]: {}, missing: {} } }), 404, /missing/);
    // body "*": the path's run_id may be repeated in the body.
    const ok = await post(path, {
      run_id: runId,
      tasks: { [mine]: { task_id: mine, run_id: runId, display_name: 'x' } },
    });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('task updates (task_store.go:1018-1210)', () => {
  it('merge parameters, keep scope_path and create_time, ignore empty strings, append state history', async () => {
    const t = await newTask(runId, {
      name: 'm',
      scope_path: 'root.m',
      create_time: '2026-01-01T00:00:00Z',
      outputs: { parameters: [{ parameter_key: 'a', value: 1, type: 'OUTPUT' }] },
    });
    const id = String(t['task_id']);
    // CreateTask keeps a create_time it is given (task_store.go:569-577).
    expect(t['create_time']).toBe('2026-01-01T00:00:00Z');
    const r = await call(lab, 'PATCH', `/apis/v2beta1/runs/${runId}/tasks/${id}`, {
      body: {
        name: '',
        scope_path: 'root.other',
        create_time: '2027-01-01T00:00:00Z',
        state: 'SUCCEEDED',
        end_time: '2026-01-01T00:00:05.250Z',
        outputs: { parameters: [{ parameter_key: 'b', value: 2, type: 'OUTPUT' }] },
      },
    });
    const u = body(r);
    expect(u).toMatchObject({
      name: 'm',
      scope_path: 'root.m',
      create_time: '2026-01-01T00:00:00Z',
      state: 'SUCCEEDED',
    });
    // Seconds only: the store keeps FinishedInSec.
    expect(u['end_time']).toBe('2026-01-01T00:00:05Z');
    const params = ((u['outputs'] as JsonBody)['parameters'] as JsonBody[]).map((p) => p['parameter_key']).sort();
    expect(params).toEqual(['a', 'b']);
    expect((u['state_history'] as JsonBody[]).map((h) => h['state'])).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it('answers a task of another run with INVALID_ARGUMENT, and lists its children', async () => {
    const parent = String((await newTask(runId, { name: 'dag', type: 'DAG' }))['task_id']);
    await newTask(runId, { name: 'child', parent_task_id: parent });
    refused(await get(`/apis/v2beta1/runs/${otherRunId}/tasks/${parent}`), 400, /does not match the existing task/);
    const got = body(await get(`/apis/v2beta1/runs/${runId}/tasks/${parent}`));
    expect(got['child_tasks']).toEqual([{ task_id: expect.any(String) as string, name: 'child' }]);
    expect(got).toMatchObject({ inputs: {}, outputs: {} });
  });
});

describe('task creation (run_server.go:696-731, task_store.go:538-674)', () => {
  it('refuses a missing task, a parent of another run or none, unknown nested fields and enum names', async () => {
    const path = `/apis/v2beta1/runs/${runId}/tasks`;
    refused(await call(lab, 'POST', path, {}), 400, /Task is required/);
    const foreign = String((await newTask(otherRunId, { name: 'p' }))['task_id']);
    refused(
      await post(path, { name: 'c', parent_task_id: foreign }),
      400,
      /parent_task_id must belong to the same run/,
    );
    refused(await post(path, { name: 'c', parent_task_id: 'nope' }), 404, /nope/);
    refused(
      await post(path, { name: 'c', outputs: { parameters: [{ parameter_key: 'a', colour: 1 }] } }),
      400,
      /unknown field "colour"/,
    );
    refused(await post(path, { name: 'c', type: 'CONTAINER' }), 400, /invalid value for enum/);
    refused(
      await post(path, { name: 'c', type_attributes: { iteration_index: 'one' } }),
      400,
      /invalid value for int64/,
    );
    refused(await post(path, { name: 'x'.repeat(129) }), 500, /Data too long for column 'Name'/);
  });

  it('returns the existing task for the same logical identity (run, parent, scope path, name, type, iteration)', async () => {
    const t = { name: 'same', scope_path: 'root.same', type: 'RUNTIME', type_attributes: { iteration_index: '2' } };
    const a = await newTask(runId, t);
    const b = await newTask(runId, { ...t, state: 'FAILED' });
    expect(b['task_id']).toBe(a['task_id']);
    const c = await newTask(runId, { ...t, type_attributes: { iteration_index: '3' } });
    expect(c['task_id']).not.toBe(a['task_id']);
  });
});

describe('lists (list.go: 20 per page by default, at most 200; task_store.go, artifact_store.go)', () => {
  it('pages tasks with a token, refuses a negative page size, and lists no tasks for an unknown run', async () => {
    const run = String(
      body(await call(lab, 'POST', '/apis/v2beta1/runs', { body: { display_name: 'p', pipeline_spec: spec() } }))[
        'run_id'
      ],
    );
    const before = (body(await get(`/apis/v2beta1/runs/${run}/tasks`, { page_size: 200 }))['tasks'] ??
      []) as JsonBody[];
    for (let i = 0; i < 25; i++) await newTask(run, { name: `t${i}` });
    const first = body(await get(`/apis/v2beta1/runs/${run}/tasks`));
    expect((first['tasks'] as JsonBody[]).length).toBe(20);
    expect(first['total_size']).toBe(25 + before.length);
    const second = body(await get(`/apis/v2beta1/runs/${run}/tasks`, { page_token: String(first['next_page_token']) }));
    expect((second['tasks'] as JsonBody[]).length).toBe(5 + before.length);
    expect(second['next_page_token']).toBeUndefined();
    refused(await get(`/apis/v2beta1/runs/${run}/tasks`, { page_size: -1 }), 400, /page size/);
    // Single-user: canAccessRun checks nothing, so an unknown run just has no tasks (run_server.go:1077-1080).
    const none = await get('/apis/v2beta1/runs/no-such-run/tasks');
    expect(none.status).toBe(200);
    expect(body(none)).toEqual({});
  });

  it('pages artifacts and links, and checks the ids and type a link listing names', async () => {
    const t = String((await newTask(runId, { name: 'many' }))['task_id']);
    for (let i = 0; i < 22; i++) await newArtifact(runId, t, `m${i}`, `k${i}`);
    const links = body(await get('/apis/v2beta1/artifact_tasks', { task_ids: t }));
    expect((links['artifact_tasks'] as JsonBody[]).length).toBe(20);
    expect(links['total_size']).toBe(22);
    expect(links['next_page_token']).toEqual(expect.any(String));
    const artifacts = body(await get('/apis/v2beta1/artifacts', { page_size: 5 }));
    expect((artifacts['artifacts'] as JsonBody[]).length).toBe(5);
    expect(artifacts['next_page_token']).toEqual(expect.any(String));
    refused(await get('/apis/v2beta1/artifact_tasks', { task_ids: '' }), 400, /must not contain empty values/);
    refused(await get('/apis/v2beta1/artifact_tasks', { task_ids: 'nope' }), 404, /nope/);
    refused(await get('/apis/v2beta1/artifact_tasks', { artifact_ids: 'nope' }), 404, /nope/);
    refused(await get('/apis/v2beta1/artifact_tasks', { task_ids: t, type: 'INPUT' }), 400, /type/);
  });
});

describe('artifacts (artifact_server.go:41-113, model/artifact.go:23-31)', () => {
  it('refuses a name longer than its column, an unknown type and a number that is not one', async () => {
    const t = String((await newTask(runId, { name: 'w' }))['task_id']);
    const req = (artifact: JsonBody) => ({ artifact, run_id: runId, task_id: t, producer_key: 'o' });
    const base = { name: 'n', type: 'Dataset', namespace: 'kubeflow' };
    refused(await post('/apis/v2beta1/artifacts', req({ ...base, name: 'n'.repeat(129) })), 500, /Data too long/);
    refused(await post('/apis/v2beta1/artifacts', req({ ...base, type: 'Table' })), 400, /invalid value for enum/);
    refused(
      await post('/apis/v2beta1/artifacts', req({ ...base, type: 'Metric', number_value: 'high' })),
      400,
      /double field number_value/,
    );
  });

  it('hydrates a task’s artifacts of one key in artifact id order, not link order (task_store.go:271-277)', async () => {
    const t = String((await newTask(runId, { name: 'h' }))['task_id']);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(String((await newArtifact(runId, t, `h${i}`, 'same'))['artifact_id']));
    const got = body(await get(`/apis/v2beta1/runs/${runId}/tasks/${t}`));
    const io = ((got['outputs'] as JsonBody)['artifacts'] as JsonBody[])[0]!;
    expect((io['artifacts'] as JsonBody[]).map((a) => a['artifact_id'])).toEqual([...ids].sort());
  });
});

describe('multi-user mode (canAccessRun / canAccessArtifacts)', () => {
  it('authorizes the namespace of every native call and refuses an empty one', async () => {
    const TOKEN = 'tok-native-audit';
    const mu = await startLab({
      kfpVersion: 'next',
      multiUser: { tokens: { [TOKEN]: 'alice@example.com' }, namespaces: ['team-a'] },
    });
    try {
      const headers = { authorization: `Bearer ${TOKEN}` };
      const as = (method: string, path: string, opts: { body?: unknown; query?: Record<string, string> } = {}) =>
        call(mu, method, path, { ...opts, headers });
      refused(await as('GET', '/apis/v2beta1/artifacts'), 400, /empty namespace in multi-user mode/);
      expect((await as('GET', '/apis/v2beta1/artifacts', { query: { namespace: 'team-b' } })).status).toBe(403);
      expect((await as('GET', '/apis/v2beta1/artifacts', { query: { namespace: 'team-a' } })).status).toBe(200);
      const find = (namespace: string) =>
        as('POST', '/apis/v2beta1/tasks:findCached', { body: { namespace, cache_fingerprint: 'f' } });
      expect((await find('team-b')).status).toBe(403);
      expect((await find('team-a')).status).toBe(200);
      // canAccessRun needs the run: an unknown one is NOT_FOUND in multi-user mode.
      expect((await as('GET', '/apis/v2beta1/runs/no-such-run/tasks')).status).toBe(404);

      const exp = body(
        await as('POST', '/apis/v2beta1/experiments', { body: { display_name: 'e', namespace: 'team-a' } }),
      );
      const run = body(
        await as('POST', '/apis/v2beta1/runs', {
          body: { display_name: 'r', experiment_id: exp['experiment_id'], pipeline_spec: spec() },
        }),
      );
      const runId = String(run['run_id']);
      const task = await as('POST', `/apis/v2beta1/runs/${runId}/tasks`, { body: { name: 't' } });
      expect(task.status, task.text).toBe(200);
      const artifact = (namespace: string) =>
        as('POST', '/apis/v2beta1/artifacts', {
          body: {
            artifact: { name: 'a', type: 'Model', namespace },
            run_id: runId,
            task_id: body(task)['task_id'],
            producer_key: 'm',
          },
        });
      expect((await artifact('team-b')).status).toBe(403);
      const created = await artifact('team-a');
      expect(created.status, created.text).toBe(200);
      // Multi-user keeps the namespace on the artifact (ReplaceNamespace, resource_manager.go:2614-2620).
      expect(body(created)['namespace']).toBe('team-a');
    } finally {
      await mu.dispose();
    }
  });
});
