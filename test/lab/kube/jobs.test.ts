// The lab's batch/v1 Jobs, pods, logs and Secrets, as the kubernetes-job transfer engine uses them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeServer, type LabKubeServer } from '../../../packages/lab/src/kube/index.js';

let dir: string;
let server: LabKubeServer;
const JOBS = '/apis/batch/v1/namespaces/xfer/jobs';
const PODS = '/api/v1/namespaces/xfer/pods';
const SECRETS = '/api/v1/namespaces/xfer/secrets';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-kube-jobs-'));
  server = await startKubeServer({ dir });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface Body {
  kind?: string;
  reason?: string;
  code?: number;
  metadata: { name: string; uid: string; resourceVersion: string; labels?: Record<string, string> };
  status?: { phase?: string; succeeded?: number; failed?: number; active?: number; conditions?: Condition[] };
  items: Body[];
  data?: Record<string, string>;
}

async function call(method: string, path: string, body?: unknown): Promise<{ code: number; body: Body }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { code: res.status, body: (await res.json()) as Body };
}

function job(
  name: string,
  script: string,
  extra: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
) {
  return {
    metadata: { name, labels: { app: 'test' } },
    spec: {
      backoffLimit: 0,
      ...extra,
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', command: ['sh', '-c', script], ...container }] },
      },
    },
  };
}

/** Polls the Job until a terminal condition; the lab's Jobs always end (commands or deadlines). */
async function finished(name: string): Promise<Body> {
  for (;;) {
    const { body } = await call('GET', `${JOBS}/${name}`);
    const end = body.status?.conditions?.find(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (end) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function podsOf(name: string): Promise<Body[]> {
  return (await call('GET', `${PODS}?labelSelector=${encodeURIComponent(`job-name=${name}`)}`)).body.items;
}

describe('lab Jobs', () => {
  it('runs the command to Complete, with its pod Succeeded and its log served', async () => {
    const created = await call('POST', JOBS, job('ok', 'echo copied 3 files'));
    expect(created.code).toBe(201);
    expect(created.body.kind).toBe('Job');
    const done = await finished('ok');
    expect(done.status?.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(done.status?.succeeded).toBe(1);
    const pods = await podsOf('ok');
    expect(pods).toHaveLength(1);
    expect(pods[0]?.status?.phase).toBe('Succeeded');
    expect(pods[0]?.metadata.labels?.['batch.kubernetes.io/job-name']).toBe('ok');
    const log = await fetch(`${server.url}${PODS}/${pods[0]?.metadata.name}/log`);
    expect(await log.text()).toBe('copied 3 files\n');
  });

  it('retries failing pods up to backoffLimit, then Failed with BackoffLimitExceeded', async () => {
    await call('POST', JOBS, job('bad', 'echo denied >&2; exit 3', { backoffLimit: 2 }));
    const done = await finished('bad');
    expect(done.status?.failed).toBe(3);
    expect(done.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const pods = await podsOf('bad');
    expect(pods.map((p) => p.status?.phase)).toEqual(['Failed', 'Failed', 'Failed']);
  });

  it('fails a Job running past activeDeadlineSeconds with DeadlineExceeded and kills its pod', async () => {
    await call('POST', JOBS, job('slow', 'sleep 30', { activeDeadlineSeconds: 1 }));
    const done = await finished('slow');
    expect(done.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('DeadlineExceeded');
    expect((await podsOf('slow'))[0]?.status?.phase).toBe('Failed');
  });

  it('gives the container the environment of its Secrets (env and envFrom)', async () => {
    const secret = await call('POST', SECRETS, {
      metadata: { name: 'creds' },
      stringData: { KEY_ID: 'abc', SECRET: 's3cr3t' },
    });
    expect(secret.code).toBe(201);
    expect(secret.body.data).toEqual({ KEY_ID: 'YWJj', SECRET: 'czNjcjN0' });
    await call(
      'POST',
      JOBS,
      job(
        'env',
        'echo "$ID $RCLONE_SECRET ${HOSTVAR:-none}"',
        {},
        {
          env: [{ name: 'ID', valueFrom: { secretKeyRef: { name: 'creds', key: 'KEY_ID' } } }],
          envFrom: [{ secretRef: { name: 'creds' }, prefix: 'RCLONE_' }],
        },
      ),
    );
    await finished('env');
    const pod = (await podsOf('env'))[0]!;
    expect(await (await fetch(`${server.url}${PODS}/${pod.metadata.name}/log`)).text()).toBe('abc s3cr3t none\n');
  });

  it('answers 404 and 409 Status objects, and deletes a Job with its pods (Background)', async () => {
    const missing = await call('GET', `${JOBS}/nope`);
    expect([missing.code, missing.body.kind, missing.body.reason]).toEqual([404, 'Status', 'NotFound']);
    const again = await call('POST', JOBS, job('ok', 'true'));
    expect([again.code, again.body.reason]).toEqual([409, 'AlreadyExists']);
    const del = await call('DELETE', `${JOBS}/ok?propagationPolicy=Background`);
    expect(del.code).toBe(200);
    expect(await podsOf('ok')).toHaveLength(0);
    expect((await call('GET', `${SECRETS}/missing`)).code).toBe(404);
  });

  it('keeps Jobs across a restart of the lab', async () => {
    await server.close();
    server = await startKubeServer({ dir });
    const { code, body } = await call('GET', `${JOBS}?labelSelector=app%3Dtest`);
    expect(code).toBe(200);
    expect(body.items.map((j) => j.metadata.name)).toEqual(['bad', 'env', 'slow']);
  });
});
