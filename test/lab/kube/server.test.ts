import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeServer, type LabKubeServer } from '../../../packages/lab/src/kube/index.js';
import { stringMatching } from '../../support/matchers.js';

let dir: string;
let server: LabKubeServer;
const NS = '/apis/coordination.k8s.io/v1/namespaces/kubeflow/leases';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-kube-'));
  server = await startKubeServer({ dir });
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** What these tests read of an answer: a Lease, a LeaseList, a Status or API discovery. */
interface KubeBody {
  kind?: string;
  reason?: string;
  metadata: { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
  spec: { holderIdentity?: string };
  items: KubeBody[];
  groups: { name: string }[];
  resources: { name: string }[];
}

interface Answer {
  status: number;
  /** The JSON under test as the server sent it; the tests' expectations check its shape. */
  body: KubeBody;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  base: LabKubeServer = server,
): Promise<Answer> {
  const res = await fetch(`${base.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text (healthz)
  }
  return { status: res.status, body: parsed as KubeBody };
}

const lease = (name: string, spec: Record<string, unknown> = { holderIdentity: 'a', leaseDurationSeconds: 15 }) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name },
  spec,
});

describe('lab Kubernetes API: leases', () => {
  it('creates a lease with server-assigned uid, resourceVersion and creationTimestamp', async () => {
    const created = await call('POST', NS, lease('lock'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'lock', namespace: 'kubeflow' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
    });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await call('GET', `${NS}/lock`)).body).toEqual(created.body);
  });

  it('answers 409 AlreadyExists when creating an existing name', async () => {
    await call('POST', NS, lease('lock'));
    const again = await call('POST', NS, lease('lock'));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'leases.coordination.k8s.io "lock" already exists',
      reason: 'AlreadyExists',
      details: { name: 'lock', group: 'coordination.k8s.io', kind: 'leases' },
      code: 409,
    });
  });

  it('answers 409 Conflict with a Status to a PUT carrying a stale resourceVersion', async () => {
    const created = (await call('POST', NS, lease('lock'))).body;
    const first = await call('PUT', `${NS}/lock`, {
      ...created,
      spec: { holderIdentity: 'b', leaseDurationSeconds: 15 },
    });
    expect(first.status).toBe(200);
    const stale = await call('PUT', `${NS}/lock`, {
      ...created,
      spec: { holderIdentity: 'c', leaseDurationSeconds: 15 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "lock": the object has been modified; ' +
        'please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'lock', group: 'coordination.k8s.io', kind: 'leases' },
      code: 409,
    });
    expect((await call('GET', `${NS}/lock`)).body.spec.holderIdentity).toBe('b');
  });

  it('increases resourceVersion on every successful update', async () => {
    const created = (await call('POST', NS, lease('lock'))).body;
    const updated = (await call('PUT', `${NS}/lock`, created)).body;
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(updated.metadata.uid).toBe(created.metadata.uid);
  });

  it('rejects a PUT without resourceVersion with 422 Invalid, as Leases allow no unconditional update', async () => {
    await call('POST', NS, lease('lock'));
    const put = await call('PUT', `${NS}/lock`, lease('lock', { holderIdentity: 'z' }));
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      message:
        'leases.coordination.k8s.io "lock" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      details: {
        name: 'lock',
        group: 'coordination.k8s.io',
        kind: 'leases',
        causes: [{ field: 'metadata.resourceVersion' }],
      },
    });
  });

  it('creates a lease with a PUT to a missing name, as Leases allow create-on-update', async () => {
    const put = await call('PUT', `${NS}/fresh`, lease('fresh'));
    expect(put.status).toBe(201);
    expect((await call('GET', `${NS}/fresh`)).body.metadata.uid).toBe(put.body.metadata.uid);
  });

  it('answers 404 NotFound with a Status for a missing lease, on GET, PATCH and DELETE', async () => {
    const merge = { 'content-type': 'application/merge-patch+json' };
    for (const res of [
      await call('GET', `${NS}/missing`),
      await call('PATCH', `${NS}/missing`, {}, merge),
      await call('DELETE', `${NS}/missing`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: 'leases.coordination.k8s.io "missing" not found',
      });
    }
  });

  it('normalizes MicroTime fields to microseconds in UTC', async () => {
    const created = await call(
      'POST',
      NS,
      lease('t', { renewTime: '2026-01-02T05:04:05.123+02:00', acquireTime: '2026-01-02T03:04:05Z' }),
    );
    expect(created.body.spec).toEqual({
      renewTime: '2026-01-02T03:04:05.123000Z',
      acquireTime: '2026-01-02T03:04:05.000000Z',
    });
  });

  it('rejects an invalid lease with 422 Invalid naming the field', async () => {
    const res = await call('POST', NS, lease('bad', { leaseDurationSeconds: 0 }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      reason: 'Invalid',
      code: 422,
      message:
        'Lease.coordination.k8s.io "bad" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      details: { kind: 'Lease', causes: [{ field: 'spec.leaseDurationSeconds' }] },
    });
  });

  it('rejects a body whose namespace differs from the URL with 400', async () => {
    const res = await call('POST', NS, { ...lease('x'), metadata: { name: 'x', namespace: 'other' } });
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe('BadRequest');
  });

  it('applies a merge patch', async () => {
    await call('POST', NS, lease('lock'));
    const res = await call(
      'PATCH',
      `${NS}/lock`,
      { spec: { holderIdentity: 'p', leaseDurationSeconds: null } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.spec).toEqual({ holderIdentity: 'p' });
  });

  it('applies a JSON patch and fails its test operation with 422', async () => {
    await call('POST', NS, lease('lock'));
    const jp = { 'content-type': 'application/json-patch+json' };
    const ok = await call(
      'PATCH',
      `${NS}/lock`,
      [
        { op: 'test', path: '/spec/holderIdentity', value: 'a' },
        { op: 'replace', path: '/spec/holderIdentity', value: 'j' },
      ],
      jp,
    );
    expect(ok.body.spec.holderIdentity).toBe('j');
    const failed = await call('PATCH', `${NS}/lock`, [{ op: 'test', path: '/spec/holderIdentity', value: 'a' }], jp);
    expect(failed.status).toBe(422);
  });

  it('treats a resourceVersion in a patch as a precondition', async () => {
    const created = (await call('POST', NS, lease('lock'))).body;
    await call('PUT', `${NS}/lock`, created);
    const res = await call(
      'PATCH',
      `${NS}/lock`,
      { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { holderIdentity: 'q' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('Conflict');
  });

  it('refuses server-side apply with 415', async () => {
    await call('POST', NS, lease('lock'));
    const res = await call('PATCH', `${NS}/lock`, {}, { 'content-type': 'application/apply-patch+yaml' });
    expect(res.status).toBe(415);
  });

  it('deletes a lease with a Success Status, honouring resourceVersion preconditions', async () => {
    const created = (await call('POST', NS, lease('lock'))).body;
    const stale = await call('DELETE', `${NS}/lock`, { preconditions: { resourceVersion: '999' } });
    expect(stale.status).toBe(409);
    const res = await call('DELETE', `${NS}/lock`, {
      preconditions: { resourceVersion: created.metadata.resourceVersion },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'lock', group: 'coordination.k8s.io', kind: 'leases', uid: created.metadata.uid },
    });
    expect((await call('GET', `${NS}/lock`)).status).toBe(404);
  });

  it('lists leases of a namespace and of all namespaces', async () => {
    await call('POST', NS, lease('a'));
    await call('POST', NS, lease('b'));
    await call('POST', '/apis/coordination.k8s.io/v1/namespaces/other/leases', lease('c'));
    const list = await call('GET', NS);
    expect(list.body.kind).toBe('LeaseList');
    expect(list.body.items.map((l) => l.metadata.name)).toEqual(['a', 'b']);
    const all = await call('GET', '/apis/coordination.k8s.io/v1/leases');
    expect(all.body.items).toHaveLength(3);
  });

  it('does not store anything for a dry run', async () => {
    const res = await call('POST', `${NS}?dryRun=All`, lease('dry'));
    expect(res.status).toBe(201);
    expect((await call('GET', `${NS}/dry`)).status).toBe(404);
  });

  it('keeps leases and the resourceVersion counter across a restart', async () => {
    const created = (await call('POST', NS, lease('lock'))).body;
    await server.close();
    server = await startKubeServer({ dir });
    expect((await call('GET', `${NS}/lock`)).body).toEqual(created);
    const next = (await call('POST', NS, lease('second'))).body;
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });
});

describe('lab Kubernetes API: discovery and auth', () => {
  it('serves /version, /api, /apis and the coordination resource list', async () => {
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', gitVersion: stringMatching(/^v1\./) });
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await call('GET', '/apis')).body.groups[0]).toMatchObject({ name: 'coordination.k8s.io' });
    const resources = (await call('GET', '/apis/coordination.k8s.io/v1')).body;
    expect(resources.resources[0]).toMatchObject({ name: 'leases', kind: 'Lease', namespaced: true });
  });

  it('answers 404 with a Status for an unknown path', async () => {
    const res = await call('GET', '/api/v1/namespaces/x/configmaps');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('requires the bearer token when one is configured', async () => {
    const secured = await startKubeServer({ dir: join(dir, 'secured'), token: 't0ken' });
    try {
      expect((await call('GET', NS, undefined, {}, secured)).status).toBe(401);
      const wrong = await call('GET', NS, undefined, { authorization: 'Bearer nope' }, secured);
      expect(wrong.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      expect((await call('GET', NS, undefined, { authorization: 'Bearer t0ken' }, secured)).status).toBe(200);
      expect((await call('GET', '/version', undefined, {}, secured)).status).toBe(200);
    } finally {
      await secured.close();
    }
  });
});
