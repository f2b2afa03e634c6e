import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunExecutor, StoredRun } from '../../../packages/lab/src/kfp/index.js';
import { swaggerErrors } from '../../support/swagger.js';
import { body, call, fixture, startLab, type JsonBody } from './helpers.js';

describe('lab KFP server: healthz, routing, restart and faults', () => {
  it('reports its KFP version as tag_name in healthz', async () => {
    const lab = await startLab({ kfpVersion: '2.14.0' });
    try {
      const r = await call(lab, 'GET', '/apis/v2beta1/healthz');
      expect(body(r)).toEqual({
        commit_sha: 'unknown',
        tag_name: '2.14.0',
        multi_user: false,
        pipeline_store: 'database',
      });
      // v1beta1 healthz has no pipeline_store (main.go newHealthzResponse("") with omitempty).
      expect(body(await call(lab, 'GET', '/apis/v1beta1/healthz'))).toEqual({
        commit_sha: 'unknown',
        tag_name: '2.14.0',
        multi_user: false,
      });
    } finally {
      await lab.dispose();
    }
  });

  it('answers an unknown path with 404 and a google.rpc.Status body', async () => {
    const lab = await startLab();
    try {
      const r = await call(lab, 'GET', '/apis/v2beta1/nothing-here');
      expect(r.status).toBe(404);
      expect(swaggerErrors('v2beta1', 'googleRpcStatus', r.json)).toEqual([]);
    } finally {
      await lab.dispose();
    }
  });

  it('answers malformed JSON with 400', async () => {
    const lab = await startLab();
    try {
      const r = await call(lab, 'POST', '/apis/v2beta1/experiments', { body: '{"display_name": ' });
      expect(r.status).toBe(400);
    } finally {
      await lab.dispose();
    }
  });

  it('keeps pipelines, runs and cache rows across a restart on the same database', async () => {
    const first = await startLab();
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const run = body(
      await call(first, 'POST', '/apis/v2beta1/runs', { body: { display_name: 'kept', pipeline_spec: spec } }),
    );
    await call(first, 'POST', '/apis/v1alpha1/tasks', {
      body: {
        pipelineName: 'pipeline/echo',
        runId: run['run_id'],
        mlmdExecutionID: '9',
        fingerprint: 'fp',
        created_at: '2026-01-01T00:00:00Z',
      },
    });
    await first.close();
    const second = await startLab({ dir: first.dir });
    try {
      const again = body(await call(second, 'GET', `/apis/v2beta1/runs/${String(run['run_id'])}`));
      expect(again['display_name']).toBe('kept');
      const tasks = body(await call(second, 'GET', '/apis/v1alpha1/tasks'));
      expect((tasks['tasks'] as JsonBody[]).map((t) => t['mlmdExecutionID'])).toEqual(['9']);
    } finally {
      await second.dispose();
    }
  });

  it('hands unfinished runs to the executor again after a restart', async () => {
    const first = await startLab();
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const run = body(
      await call(first, 'POST', '/apis/v2beta1/runs', { body: { display_name: 'resume', pipeline_spec: spec } }),
    );
    await first.close();
    const resumed: StoredRun[] = [];
    const executor: RunExecutor = { start: (r) => resumed.push(r), terminate() {} };
    const second = await startLab({ dir: first.dir, runExecutor: executor });
    try {
      await new Promise((r) => setTimeout(r, 20));
      expect(resumed.map((r) => r.runId)).toEqual([run['run_id']]);
      expect(resumed[0]?.pipelineSpec['pipelineInfo']).toEqual({ name: 'echo' });
    } finally {
      await second.dispose();
    }
  });

  it('answers every Nth request with 503 and Retry-After when told to', async () => {
    const lab = await startLab({ faults: { status503EveryN: 2, retryAfterSeconds: 3 } });
    try {
      const a = await call(lab, 'GET', '/apis/v2beta1/healthz');
      const b = await call(lab, 'GET', '/apis/v2beta1/healthz');
      expect([a.status, b.status]).toEqual([200, 503]);
      expect(b.headers.get('retry-after')).toBe('3');
    } finally {
      await lab.dispose();
    }
  });

  it('drops the connection of every Nth request when told to', async () => {
    const lab = await startLab({ faults: { dropConnectionEveryN: 1 } });
    try {
      await expect(call(lab, 'GET', '/apis/v2beta1/healthz')).rejects.toThrow();
    } finally {
      await lab.dispose();
    }
  });
});

describe('test/support/swagger', () => {
  it('rejects a property the definition does not declare', () => {
    expect(swaggerErrors('v2beta1', 'v2beta1Pipeline', { pipeline_id: 'x', colour: 'blue' })).not.toEqual([]);
  });

  it('rejects an int64 that is not a decimal string', () => {
    expect(swaggerErrors('v2beta1', 'v2beta1ArtifactList', { artifact_ids: [12] })).not.toEqual([]);
    expect(swaggerErrors('v2beta1', 'v2beta1ArtifactList', { artifact_ids: ['12'] })).toEqual([]);
  });

  it('rejects an enum value the definition does not list', () => {
    expect(swaggerErrors('v2beta1', 'v2beta1Run', { state: 'CACHED' })).not.toEqual([]);
  });
});
