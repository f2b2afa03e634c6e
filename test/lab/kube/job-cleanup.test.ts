// The lab's Kubernetes API cleans up Jobs as Kubernetes does: the TTL-after-finished controller
// deletes a finished Job and its pods `ttlSecondsAfterFinished` after it ended (also across a lab
// restart); DELETE with propagationPolicy Background or Foreground removes the pods (killing a
// running one), Orphan (batch/v1's default) keeps them; a running pod's log is readable as it grows;
// writes are in the audit log (audit.k8s.io/v1 Events), the controller's deletions under its user.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeServer, type LabKubeServer } from '../../../packages/lab/src/kube/index.js';
import type { AuditEvent } from '../../../packages/lab/src/kube/audit-log.js';

let dir: string;
let server: LabKubeServer;
const JOBS = '/apis/batch/v1/namespaces/xfer/jobs';
const PODS = '/api/v1/namespaces/xfer/pods';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-kube-cleanup-'));
  server = await startKubeServer({ dir });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Body {
  code?: number;
  reason?: string;
  metadata: { name: string; uid: string };
  status?: { phase?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
  items: Body[];
}

async function call(method: string, path: string, body?: unknown): Promise<{ code: number; body: Body }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'user-agent': 'cleanup-test/1' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { code: res.status, body: (await res.json()) as Body };
}

const job = (name: string, script: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: {
    backoffLimit: 0,
    ...spec,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', command: ['sh', '-c', script] }] } },
  },
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const finishedAt = (name: string) =>
  until(`${name} to finish`, async () => {
    const { body } = await call('GET', `${JOBS}/${name}`);
    return body.status?.conditions?.find((c) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True')
      ?.lastTransitionTime;
  });

const podsOf = async (name: string) =>
  (await call('GET', `${PODS}?labelSelector=${encodeURIComponent(`job-name=${name}`)}`)).body.items;

const audit = (): AuditEvent[] =>
  readFileSync(join(dir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent);

describe('lab Job cleanup', () => {
  it('deletes a finished Job and its pods ttlSecondsAfterFinished after it ended, as the TTL controller', async () => {
    expect((await call('POST', JOBS, job('short', 'echo done', { ttlSecondsAfterFinished: 1 }))).code).toBe(201);
    expect((await call('POST', JOBS, job('failing', 'exit 4', { ttlSecondsAfterFinished: 1 }))).code).toBe(201);
    expect((await call('POST', JOBS, job('kept', 'echo done'))).code).toBe(201);
    const ended = Date.parse(await finishedAt('short'));
    await finishedAt('failing');
    await finishedAt('kept');
    expect(await podsOf('short')).toHaveLength(1);
    await until('short to be deleted', async () =>
      (await call('GET', `${JOBS}/short`)).code === 404 ? true : undefined,
    );
    // Not before the TTL ran from the finish (conditions keep whole seconds, as Kubernetes' do).
    expect(Date.now()).toBeGreaterThanOrEqual(ended + 1000);
    expect(await podsOf('short')).toEqual([]);
    await until('failing to be deleted', async () =>
      (await call('GET', `${JOBS}/failing`)).code === 404 ? true : undefined,
    );
    // Without a TTL a finished Job stays.
    expect((await call('GET', `${JOBS}/kept`)).code).toBe(200);
    expect(await podsOf('kept')).toHaveLength(1);
    const deletes = audit().filter((e) => e.verb === 'delete' && e.objectRef?.resource === 'jobs');
    expect(deletes.map((e) => [e.objectRef?.name, e.user.username, e.responseStatus.code]).sort()).toEqual([
      ['failing', 'system:serviceaccount:kube-system:ttl-after-finished-controller', 200],
      ['short', 'system:serviceaccount:kube-system:ttl-after-finished-controller', 200],
    ]);
  });

  it('refuses a negative ttlSecondsAfterFinished (422 Invalid)', async () => {
    const r = await call('POST', JOBS, job('negative', 'true', { ttlSecondsAfterFinished: -1 }));
    expect([r.code, r.body.reason]).toEqual([422, 'Invalid']);
  });

  it('serves a running pod’s log as it grows, and DELETE Background kills and removes the pod', async () => {
    await call('POST', JOBS, job('copying', 'echo one; sleep 0.5; echo two; sleep 30'));
    const pod = await until('a running pod', async () => {
      const [p] = await podsOf('copying');
      return p?.status?.phase === 'Running' ? p.metadata.name : undefined;
    });
    const read = async () => (await fetch(`${server.url}${PODS}/${pod}/log`)).text();
    await until('the first line', async () => ((await read()) === 'one\n' ? true : undefined));
    await until('the second line', async () => ((await read()) === 'one\ntwo\n' ? true : undefined));
    expect((await podsOf('copying'))[0]?.status?.phase).toBe('Running');
    const del = await call('DELETE', `${JOBS}/copying?propagationPolicy=Background`);
    expect(del.code).toBe(200);
    expect(await podsOf('copying')).toEqual([]);
    expect((await call('GET', `${JOBS}/copying`)).code).toBe(404);
    const events = audit().filter((e) => e.objectRef?.name === 'copying');
    expect(events.map((e) => [e.verb, e.responseStatus.code, e.userAgent])).toEqual([
      ['create', 201, 'cleanup-test/1'],
      ['delete', 200, 'cleanup-test/1'],
    ]);
  });

  it('orphans the pods of a Job deleted without a propagation policy (batch/v1 default)', async () => {
    await call('POST', JOBS, job('orphaning', 'true'));
    await finishedAt('orphaning');
    expect((await call('DELETE', `${JOBS}/orphaning`)).code).toBe(200);
    expect(await podsOf('orphaning')).toHaveLength(1);
  });

  it('deletes after a restart a Job that finished before it, on the same clock', async () => {
    await call('POST', JOBS, job('before-restart', 'true', { ttlSecondsAfterFinished: 2 }));
    await finishedAt('before-restart');
    await server.close();
    server = await startKubeServer({ dir });
    expect((await call('GET', `${JOBS}/before-restart`)).code).toBe(200);
    await until('before-restart to be deleted', async () =>
      (await call('GET', `${JOBS}/before-restart`)).code === 404 ? true : undefined,
    );
    expect(await podsOf('before-restart')).toEqual([]);
  });
});
