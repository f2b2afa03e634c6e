import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { swaggerErrors } from '../../support/swagger.js';
import { body, call, fixture, startLab, type JsonBody, type LabServer } from './helpers.js';

let lab: LabServer;
let runId: string;
beforeEach(async () => {
  lab = await startLab();
  const spec = parse(fixture('hello_world.yaml')) as JsonBody;
  runId = String(
    body(await call(lab, 'POST', '/apis/v2beta1/runs', { body: { display_name: 'r', pipeline_spec: spec } }))['run_id'],
  );
});
afterEach(async () => {
  await lab.dispose();
});

const cacheRow = (over: JsonBody = {}): JsonBody => ({
  pipelineName: 'pipeline/echo',
  namespace: 'kubeflow',
  runId,
  mlmdExecutionID: '42',
  fingerprint: 'f'.repeat(64),
  created_at: '2026-01-01T00:00:00Z',
  finished_at: '2026-01-01T00:01:00Z',
  ...over,
});
const createTask = (t: JsonBody) => call(lab, 'POST', '/apis/v1alpha1/tasks', { body: t });
const listTasks = (query: Record<string, string | number>) => call(lab, 'GET', '/apis/v1alpha1/tasks', { query });
const v1Filter = (preds: [string, string][]) =>
  JSON.stringify({ predicates: preds.map(([key, v]) => ({ key, op: 'EQUALS', string_value: v })) });

describe('lab KFP server: task table (cache rows)', () => {
  it('creates a cache row and answers with the v1beta1 Task shape', async () => {
    const r = await createTask(cacheRow());
    expect(r.status).toBe(200);
    expect(swaggerErrors('v1beta1-task', 'apiTask', r.json)).toEqual([]);
    expect(body(r)).toMatchObject({
      pipelineName: 'pipeline/echo',
      runId,
      mlmdExecutionID: '42',
      created_at: '2026-01-01T00:00:00Z',
    });
    expect(typeof body(r)['id']).toBe('string');
  });

  it.each([
    ['pipelineName', 'PipelineName'],
    ['runId', 'RunID'],
    ['mlmdExecutionID', 'MlmdExecutionID'],
    ['fingerprint', 'FingerPrint'],
    ['created_at', 'CreatedAt'],
  ])('rejects a row without %s', async (field, named) => {
    const t = cacheRow();
    delete t[field];
    const r = await createTask(t);
    expect(r.status).toBe(400);
    expect(String(body(r)['message'])).toContain(`must specify ${named}`);
  });

  it('rejects a row that sets its own id', async () => {
    const r = await createTask(cacheRow({ id: 'mine' }));
    expect(r.status).toBe(400);
    expect(String(body(r)['message'])).toContain('Id should not be set');
  });

  it('rejects a namespaced pipelineName that disagrees with the namespace', async () => {
    const bad = await createTask(cacheRow({ pipelineName: 'namespace/team-a/pipeline/echo', namespace: 'team-b' }));
    expect(bad.status).toBe(400);
    const short = await createTask(cacheRow({ pipelineName: 'namespace/team-a', namespace: '' }));
    expect(short.status).toBe(400);
  });

  it('refuses a row for a run that does not exist', async () => {
    const r = await createTask(cacheRow({ runId: '00000000-0000-0000-0000-000000000000' }));
    expect(r.status).toBe(404);
    expect(swaggerErrors('v1beta1-task', 'googleRpcStatus', r.json)).toEqual([]);
  });

  it('rejects the snake_case spelling of a v1 field as unknown', async () => {
    const t = cacheRow();
    delete t['runId'];
    const r = await createTask({ ...t, run_id: runId });
    expect(r.status).toBe(400);
    expect(String(body(r)['message'])).toContain('unknown field "run_id"');
  });

  it('finds the newest row for a fingerprint, pipeline and namespace as the driver asks', async () => {
    await createTask(cacheRow({ mlmdExecutionID: '1', created_at: '2026-01-01T00:00:00Z' }));
    await createTask(cacheRow({ mlmdExecutionID: '2', created_at: '2026-01-02T00:00:00Z' }));
    await createTask(cacheRow({ mlmdExecutionID: '3', namespace: 'other', created_at: '2026-01-03T00:00:00Z' }));
    const filter = v1Filter([
      ['fingerprint', 'f'.repeat(64)],
      ['pipelineName', 'pipeline/echo'],
      ['namespace', 'kubeflow'],
    ]);
    const r = await listTasks({ filter, sort_by: 'created_at desc', page_size: 1 });
    expect(swaggerErrors('v1beta1-task', 'apiListTasksResponse', r.json)).toEqual([]);
    expect((body(r)['tasks'] as JsonBody[]).map((t) => t['mlmdExecutionID'])).toEqual(['2']);
    expect(body(r)['total_size']).toBe(2);
  });

  it('accepts the filter as protojson writes it (camelCase stringValue, enum op)', async () => {
    await createTask(cacheRow());
    const filter = JSON.stringify({ predicates: [{ op: 'EQUALS', key: 'runId', stringValue: runId }] });
    const r = await listTasks({ filter });
    expect(body(r)['total_size']).toBe(1);
  });

  it('rejects a v2-style "operation" in the v1 task filter', async () => {
    const filter = JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'runId', string_value: runId }] });
    const r = await listTasks({ filter });
    expect(r.status).toBe(400);
  });

  it('pages through rows with next_page_token', async () => {
    for (let i = 0; i < 5; i++)
      await createTask(cacheRow({ mlmdExecutionID: String(i), created_at: `2026-01-0${i + 1}T00:00:00Z` }));
    const seen: string[] = [];
    let token = '';
    for (let pages = 0; pages < 5; pages++) {
      const page = body(
        await listTasks({ page_size: 2, sort_by: 'created_at desc', ...(token ? { page_token: token } : {}) }),
      );
      seen.push(...(page['tasks'] as JsonBody[]).map((t) => String(t['mlmdExecutionID'])));
      const next = page['next_page_token'];
      token = typeof next === 'string' ? next : '';
      if (!token) break;
    }
    expect(seen).toEqual(['4', '3', '2', '1', '0']);
  });

  it('deletes a run’s rows when the run is deleted', async () => {
    await createTask(cacheRow());
    expect(body(await listTasks({}))['total_size']).toBe(1);
    const del = await call(lab, 'DELETE', `/apis/v2beta1/runs/${runId}`);
    expect(del.status).toBe(200);
    expect(body(await listTasks({}))).not.toHaveProperty('tasks');
  });

  it('fills an empty namespace from the run’s experiment (empty in single-user mode)', async () => {
    const r = await createTask(cacheRow({ namespace: '' }));
    expect(r.status).toBe(200);
    expect(body(r)).not.toHaveProperty('namespace');
  });
});
