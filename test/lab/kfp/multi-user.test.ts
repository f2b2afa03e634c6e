import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { swaggerErrors } from '../../support/swagger.js';
import { body, call, fixture, startLab, upload, uploadFixture, type JsonBody, type LabServer } from './helpers.js';

const TOKEN = 'tok-7f3a9c1e5b';
const auth = { authorization: `Bearer ${TOKEN}` };
let lab: LabServer;
beforeAll(async () => {
  lab = await startLab({ multiUser: { tokens: { [TOKEN]: 'alice@example.com' }, namespaces: ['team-a'] } });
});
afterAll(async () => {
  await lab.dispose();
});

describe('lab KFP server: multi-user mode', () => {
  it('reports multi_user in healthz without asking for a token', async () => {
    const r = await call(lab, 'GET', '/apis/v2beta1/healthz');
    expect(r.status).toBe(200);
    expect(body(r)).toMatchObject({ multi_user: true, tag_name: '2.17.0' });
  });

  it('answers 401 without an Authorization header', async () => {
    const r = await call(lab, 'GET', '/apis/v2beta1/experiments', { query: { namespace: 'team-a' } });
    expect(r.status).toBe(401);
    expect(swaggerErrors('v2beta1', 'googleRpcStatus', r.json)).toEqual([]);
  });

  it('answers 401 for an unknown token without repeating it', async () => {
    const secret = 'wrong-secret-token-0123456789';
    const r = await call(lab, 'GET', '/apis/v2beta1/experiments', {
      query: { namespace: 'team-a' },
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(r.status).toBe(401);
    expect(r.text).not.toContain(secret);
    expect([...r.headers.values()].join(' ')).not.toContain(secret);
  });

  it('requires a namespace to list experiments and runs', async () => {
    expect((await call(lab, 'GET', '/apis/v2beta1/experiments', { headers: auth })).status).toBe(400);
    expect((await call(lab, 'GET', '/apis/v2beta1/runs', { headers: auth })).status).toBe(400);
  });

  it('answers 403 for a namespace outside the caller’s', async () => {
    const r = await call(lab, 'GET', '/apis/v2beta1/runs', { headers: auth, query: { namespace: 'team-b' } });
    expect(r.status).toBe(403);
  });

  it('requires an experiment for a run, and runs in the experiment’s namespace', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const noExp = await call(lab, 'POST', '/apis/v2beta1/runs', {
      headers: auth,
      body: { display_name: 'r', pipeline_spec: spec },
    });
    expect(noExp.status).toBe(400);
    const exp = body(
      await call(lab, 'POST', '/apis/v2beta1/experiments', {
        headers: auth,
        body: { display_name: 'e', namespace: 'team-a' },
      }),
    );
    const run = await call(lab, 'POST', '/apis/v2beta1/runs', {
      headers: auth,
      body: { display_name: 'r', pipeline_spec: spec, experiment_id: exp['experiment_id'] },
    });
    expect(run.status).toBe(200);
    const listed = body(
      await call(lab, 'GET', '/apis/v2beta1/runs', { headers: auth, query: { namespace: 'team-a' } }),
    );
    expect((listed['runs'] as JsonBody[]).map((r) => r['run_id'])).toContain(body(run)['run_id']);
  });

  it('fills a cache row’s namespace from the run’s experiment and checks a claimed one', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const exp = body(
      await call(lab, 'POST', '/apis/v2beta1/experiments', {
        headers: auth,
        body: { display_name: 'tasks', namespace: 'team-a' },
      }),
    );
    const run = body(
      await call(lab, 'POST', '/apis/v2beta1/runs', {
        headers: auth,
        body: { display_name: 'r', pipeline_spec: spec, experiment_id: exp['experiment_id'] },
      }),
    );
    const row = {
      pipelineName: 'pipeline/echo',
      runId: run['run_id'],
      mlmdExecutionID: '1',
      fingerprint: 'abc',
      created_at: '2026-01-01T00:00:00Z',
    };
    const filled = await call(lab, 'POST', '/apis/v1alpha1/tasks', { headers: auth, body: row });
    expect(body(filled)['namespace']).toBe('team-a');
    const mismatch = await call(lab, 'POST', '/apis/v1alpha1/tasks', {
      headers: auth,
      body: { ...row, namespace: 'team-b' },
    });
    expect(mismatch.status).toBeGreaterThanOrEqual(400);
  });

  it('serves the task API without credentials, as KFP does (no authn/authz on TaskService)', async () => {
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    const exp = body(
      await call(lab, 'POST', '/apis/v2beta1/experiments', {
        headers: auth,
        body: { display_name: 'anon', namespace: 'team-a' },
      }),
    );
    const run = body(
      await call(lab, 'POST', '/apis/v2beta1/runs', {
        headers: auth,
        body: { display_name: 'r', pipeline_spec: spec, experiment_id: exp['experiment_id'] },
      }),
    );
    const row = {
      pipelineName: 'pipeline/echo',
      runId: run['run_id'],
      mlmdExecutionID: '7',
      fingerprint: 'anon-fp',
      created_at: '2026-01-01T00:00:00Z',
    };
    const created = await call(lab, 'POST', '/apis/v1alpha1/tasks', { body: row });
    expect(created.status).toBe(200);
    expect(body(created)['namespace']).toBe('team-a');
    const filter = JSON.stringify({ predicates: [{ key: 'fingerprint', op: 'EQUALS', string_value: 'anon-fp' }] });
    const listed = await call(lab, 'GET', '/apis/v1alpha1/tasks', { query: { filter } });
    expect(listed.status).toBe(200);
    expect((body(listed)['tasks'] as JsonBody[]).map((t) => t['mlmdExecutionID'])).toEqual(['7']);
    // A wrong token is not even looked at; the other APIs still refuse it.
    const wrong = { authorization: 'Bearer not-a-known-token' };
    expect(
      (await call(lab, 'POST', '/apis/v1alpha1/tasks', { body: { ...row, fingerprint: 'anon-fp-2' }, headers: wrong }))
        .status,
    ).toBe(200);
    expect(
      (await call(lab, 'GET', '/apis/v2beta1/runs', { headers: wrong, query: { namespace: 'team-a' } })).status,
    ).toBe(401);
  });

  it('uploads a pipeline into a namespace with a token', async () => {
    const r = await upload(
      lab,
      fixture('hello_world.yaml'),
      { name: 'ns-pipe', namespace: 'team-a' },
      { headers: auth },
    );
    expect(r.status).toBe(200);
    expect(body(r)['namespace']).toBe('team-a');
    const ids = await uploadFixture(lab, 'hello_world.yaml', 'ns-pipe-2', { namespace: 'team-a' }, auth);
    expect(ids.versionId).not.toBe('undefined');
  });
});

describe('lab KFP server: the task API does not authorize by namespace', () => {
  it('takes a row for a namespace the caller may not use elsewhere, as KFP does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfp-lab-authz-'));
    const spec = parse(fixture('hello_world.yaml')) as JsonBody;
    // Set up a run in team-b while team-b is allowed, then serve the same state to a caller limited to team-a.
    const setup = await startLab({
      dir,
      multiUser: { tokens: { [TOKEN]: 'alice@example.com' }, namespaces: ['team-a', 'team-b'] },
    });
    const exp = body(
      await call(setup, 'POST', '/apis/v2beta1/experiments', {
        headers: auth,
        body: { display_name: 'b', namespace: 'team-b' },
      }),
    );
    const runBody = { display_name: 'r', pipeline_spec: spec, experiment_id: exp['experiment_id'] };
    const run = body(await call(setup, 'POST', '/apis/v2beta1/runs', { headers: auth, body: runBody }));
    await setup.close();
    const limited = await startLab({
      dir,
      multiUser: { tokens: { [TOKEN]: 'alice@example.com' }, namespaces: ['team-a'] },
    });
    try {
      expect(
        (await call(limited, 'GET', '/apis/v2beta1/runs', { headers: auth, query: { namespace: 'team-b' } })).status,
      ).toBe(403);
      const row = {
        pipelineName: 'pipeline/echo',
        runId: run['run_id'],
        mlmdExecutionID: '3',
        fingerprint: 'fp-b',
        created_at: '2026-01-01T00:00:00Z',
        namespace: 'team-b',
      };
      const created = await call(limited, 'POST', '/apis/v1alpha1/tasks', { headers: auth, body: row });
      expect(created.status).toBe(200);
      expect(body(created)['namespace']).toBe('team-b');
      // What KFP does check remains: the run's experiment must be in the claimed namespace.
      const claimed = await call(limited, 'POST', '/apis/v1alpha1/tasks', {
        headers: auth,
        body: { ...row, namespace: 'team-a' },
      });
      expect(claimed.status).toBe(400);
      expect(body(claimed)['message']).toContain(
        "belongs to namespace 'team-b' (claimed a different namespace 'team-a')",
      );
    } finally {
      await limited.dispose();
    }
  });
});
