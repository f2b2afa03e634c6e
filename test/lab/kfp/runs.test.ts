import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext, RunExecutor, StoredRun } from '../../../packages/lab/src/kfp/index.js';
import { parse } from 'yaml';
import { swaggerErrors } from '../../support/swagger.js';
import { body, call, fixture, startLab, uploadFixture, type JsonBody, type LabServer } from './helpers.js';

let lab: LabServer;
afterEach(async () => {
  await lab.dispose();
});

const createRun = (run: JsonBody) => call(lab, 'POST', '/apis/v2beta1/runs', { body: run });

describe('lab KFP server: runs', () => {
  beforeEach(async () => {
    lab = await startLab();
  });

  it('creates a run from a pipeline version reference in PENDING, in the default experiment', async () => {
    const { pipelineId, versionId } = await uploadFixture(lab, 'two_step_pipeline.yaml', 'two-step');
    const r = await createRun({
      display_name: 'first',
      pipeline_version_reference: { pipeline_id: pipelineId, pipeline_version_id: versionId },
      runtime_config: { parameters: { text: 'hi' }, pipeline_root: 'minio://mlpipeline/v2/artifacts' },
    });
    expect(r.status).toBe(200);
    expect(swaggerErrors('v2beta1', 'v2beta1Run', r.json)).toEqual([]);
    const run = body(r);
    expect(run['state']).toBe('PENDING');
    expect(run['pipeline_version_reference']).toEqual({ pipeline_id: pipelineId, pipeline_version_id: versionId });
    expect(run['runtime_config']).toEqual({
      parameters: { text: 'hi' },
      pipeline_root: 'minio://mlpipeline/v2/artifacts',
    });
    const experiment = body(await call(lab, 'GET', `/apis/v2beta1/experiments/${String(run['experiment_id'])}`));
    expect(experiment['display_name']).toBe('Default');
  });

  it('returns an inline spec with a platform spec as {pipeline_spec, platform_spec}', async () => {
    const [spec, platform] = fixture('pvc_mount.yaml')
      .split('\n---\n')
      .map((d) => parse(d) as JsonBody);
    const r = await createRun({
      display_name: 'inline',
      pipeline_spec: { pipeline_spec: spec, platform_spec: platform },
    });
    expect(r.status).toBe(200);
    const got = body(r)['pipeline_spec'] as JsonBody;
    expect(got['pipeline_spec']).toEqual(spec);
    expect(got['platform_spec']).toEqual(platform);
  });

  it('accepts a bare inline pipeline spec and returns it bare', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const r = await createRun({ display_name: 'bare', pipeline_spec: spec });
    expect(body(r)['pipeline_spec']).toEqual(spec);
  });

  it('rejects a run with an unknown field nested in runtime_config', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const r = await createRun({ display_name: 'x', pipeline_spec: spec, runtime_config: { params: {} } });
    expect(r.status).toBe(400);
    expect(String(body(r)['message'])).toContain('unknown field "params"');
  });

  it('rejects a run that names both a spec and a version (one pipeline source)', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const r = await createRun({
      display_name: 'x',
      pipeline_spec: spec,
      pipeline_version_reference: { pipeline_version_id: 'v' },
    });
    expect(r.status).toBe(400);
  });

  it('lists runs of an experiment, filtered by state and paged with an opaque token', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const exp = body(await call(lab, 'POST', '/apis/v2beta1/experiments', { body: { display_name: 'paging' } }));
    for (const name of ['a', 'b', 'c'])
      await createRun({ display_name: name, experiment_id: exp['experiment_id'], pipeline_spec: spec });
    const filter = JSON.stringify({ predicates: [{ key: 'state', operation: 'EQUALS', string_value: 'PENDING' }] });
    const first = body(
      await call(lab, 'GET', '/apis/v2beta1/runs', {
        query: { experiment_id: String(exp['experiment_id']), page_size: 2, filter, sort_by: 'display_name' },
      }),
    );
    expect(swaggerErrors('v2beta1', 'v2beta1ListRunsResponse', first)).toEqual([]);
    expect((first['runs'] as JsonBody[]).map((x) => x['display_name'])).toEqual(['a', 'b']);
    expect(first['total_size']).toBe(3);
    const second = body(
      await call(lab, 'GET', '/apis/v2beta1/runs', {
        query: {
          experiment_id: String(exp['experiment_id']),
          page_size: 2,
          page_token: String(first['next_page_token']),
        },
      }),
    );
    expect((second['runs'] as JsonBody[]).map((x) => x['display_name'])).toEqual(['c']);
    expect(second).not.toHaveProperty('next_page_token');
  });

  it('refuses a page token used with a different sort order', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    for (const name of ['a', 'b']) await createRun({ display_name: name, pipeline_spec: spec });
    const first = body(
      await call(lab, 'GET', '/apis/v2beta1/runs', { query: { page_size: 1, sort_by: 'display_name' } }),
    );
    const r = await call(lab, 'GET', '/apis/v2beta1/runs', {
      query: { page_token: String(first['next_page_token']), sort_by: 'display_name desc' },
    });
    expect(r.status).toBe(400);
  });

  it('filters runs with IN and IS_SUBSTRING on display_name', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    for (const name of ['stage-0-abc', 'stage-1-abc', 'other'])
      await createRun({ display_name: name, pipeline_spec: spec });
    const inFilter = JSON.stringify({
      predicates: [{ key: 'display_name', operation: 'IN', string_values: { values: ['other', 'stage-1-abc'] } }],
    });
    const got = body(
      await call(lab, 'GET', '/apis/v2beta1/runs', { query: { filter: inFilter, sort_by: 'display_name' } }),
    );
    expect((got['runs'] as JsonBody[]).map((x) => x['display_name'])).toEqual(['other', 'stage-1-abc']);
    const sub = JSON.stringify({
      predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'abc' }],
    });
    const got2 = body(await call(lab, 'GET', '/apis/v2beta1/runs', { query: { filter: sub } }));
    expect(got2['total_size']).toBe(2);
  });

  it('terminates a pending run with no executor to CANCELED', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const run = body(await createRun({ display_name: 't', pipeline_spec: spec }));
    const t = await call(lab, 'POST', `/apis/v2beta1/runs/${String(run['run_id'])}:terminate`);
    expect(t.status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    const after = body(await call(lab, 'GET', `/apis/v2beta1/runs/${String(run['run_id'])}`));
    expect(after['state']).toBe('CANCELED');
    const again = await call(lab, 'POST', `/apis/v2beta1/runs/${String(run['run_id'])}:terminate`);
    expect(again.status).toBe(400);
  });
});

describe('lab KFP server: runs with an executor', () => {
  it('hands a new run to the executor, which reports state and task details through the RunStore', async () => {
    const started: StoredRun[] = [];
    const executor: RunExecutor = {
      start(run: StoredRun, ctx: RunContext) {
        started.push(run);
        ctx.store.setRunState(run.runId, 'RUNNING');
        ctx.store.setTaskDetails(run.runId, [
          {
            taskId: 't1',
            displayName: 'print-msg',
            state: 'SUCCEEDED',
            executionId: '7',
            outputs: { Output: ['12'] },
            startTime: new Date(0),
            endTime: new Date(1000),
          },
        ]);
        ctx.store.setRunContextIds(run.runId, { pipelineContextId: '1', pipelineRunContextId: '2' });
        ctx.store.finish(run.runId, 'SUCCEEDED');
      },
      terminate() {},
    };
    lab = await startLab({ runExecutor: executor });
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const created = body(
      await createRun({ display_name: 'exec', pipeline_spec: spec, runtime_config: { parameters: { text: 'x' } } }),
    );
    expect(created['state']).toBe('PENDING');
    await new Promise((r) => setTimeout(r, 20));
    expect(started.map((r) => r.parameters)).toEqual([{ text: 'x' }]);
    const got = await call(lab, 'GET', `/apis/v2beta1/runs/${String(created['run_id'])}`);
    expect(swaggerErrors('v2beta1', 'v2beta1Run', got.json)).toEqual([]);
    const run = body(got);
    expect(run['state']).toBe('SUCCEEDED');
    expect((run['state_history'] as JsonBody[]).map((h) => h['state'])).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    expect(run['run_details']).toMatchObject({ pipeline_context_id: '1', pipeline_run_context_id: '2' });
    const detail = ((run['run_details'] as JsonBody)['task_details'] as JsonBody[])[0];
    expect(detail).toMatchObject({ task_id: 't1', execution_id: '7', outputs: { Output: { artifact_ids: ['12'] } } });
    expect(run['finished_at']).not.toBe('1970-01-01T00:00:00Z');
  });

  it('keeps runs PENDING when no executor is configured', async () => {
    lab = await startLab();
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const created = body(await createRun({ display_name: 'idle', pipeline_spec: spec }));
    await new Promise((r) => setTimeout(r, 20));
    const run = body(await call(lab, 'GET', `/apis/v2beta1/runs/${String(created['run_id'])}`));
    expect(run['state']).toBe('PENDING');
    expect(run['finished_at']).toBe('1970-01-01T00:00:00Z');
  });

  it('asks the executor to stop a run that is terminated', async () => {
    const terminated: string[] = [];
    lab = await startLab({ runExecutor: { start() {}, terminate: (id) => terminated.push(id) } });
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const created = body(await createRun({ display_name: 'stop-me', pipeline_spec: spec }));
    await call(lab, 'POST', `/apis/v2beta1/runs/${String(created['run_id'])}:terminate`);
    await new Promise((r) => setTimeout(r, 20));
    expect(terminated).toEqual([created['run_id']]);
    expect(body(await call(lab, 'GET', `/apis/v2beta1/runs/${String(created['run_id'])}`))['state']).toBe('CANCELING');
  });

  it('lets the executor write and look up cache rows with the task table’s rules', async () => {
    let ctxStore: RunContext['store'] | undefined;
    lab = await startLab({ runExecutor: { start: (_run, ctx) => (ctxStore = ctx.store), terminate() {} } });
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const created = body(await createRun({ display_name: 'cache-writer', pipeline_spec: spec }));
    await new Promise((r) => setTimeout(r, 20));
    const store = ctxStore;
    if (!store) throw new Error('executor not started');
    const runId = String(created['run_id']);
    store.createTask({
      pipelineName: 'pipeline/echo',
      runId,
      mlmdExecutionID: '1',
      fingerprint: 'fp',
      createdAt: 100,
      namespace: 'kubeflow',
    });
    store.createTask({
      pipelineName: 'pipeline/echo',
      runId,
      mlmdExecutionID: '2',
      fingerprint: 'fp',
      createdAt: 200,
      namespace: 'kubeflow',
    });
    expect(
      store
        .listTasks({ fingerprint: 'fp', pipelineName: 'pipeline/echo', namespace: 'kubeflow' })
        .map((t) => t.mlmdExecutionID),
    ).toEqual(['2', '1']);
    expect(() =>
      store.createTask({
        pipelineName: 'pipeline/echo',
        runId: 'nope',
        mlmdExecutionID: '3',
        fingerprint: 'fp',
        createdAt: 1,
      }),
    ).toThrow(/not found/);
    const listed = body(await call(lab, 'GET', '/apis/v1alpha1/tasks'));
    expect(listed['total_size']).toBe(2);
  });
});
