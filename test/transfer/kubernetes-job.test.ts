// The kubernetes-job engine against the lab: its Kubernetes API runs the Job's rclone on this
// machine, against the lab's S3. One lab (API server + S3) for the file.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../packages/lab/src/kube/audit-log.js';
import { startKubeServer, type LabKubeServer } from '../../packages/lab/src/kube/index.js';
import { startObjectStore, type LabObjectStore } from '../../packages/lab/src/objectstore/index.js';
import { KubeClient } from '../../src/location/kube/index.js';
import { ObjectStore, sha256Hex } from '../../src/location/objectstore/index.js';
import type { KubernetesJobSettings, TransferManifest, TransferSide } from '../../src/transfer/engine.js';
import { KubernetesJobError, kubernetesJobEngine } from '../../src/transfer/kubernetes-job.js';
import { runEngine } from '../../src/transfer/engine.js';
import { handoffIdOf } from '../../src/apply/execute.js';
import { verifyTransfer } from '../../src/transfer/verify.js';
import { Upload } from '@aws-sdk/lib-storage';
import {
  buildJob,
  copiedFromLog,
  copyGroups,
  GROUP_MARKER,
  jobNameOf,
} from '../../src/transfer/kubernetes-job-spec.js';
import type { TransferProgress } from '../../src/transfer/engine.js';

let dir: string;
let s3: LabObjectStore;
let kube: LabKubeServer;
let store: ObjectStore;
let cluster: KubeClient;
const NS = 'xfer';
const IMAGE = `rclone/rclone@sha256:${'a'.repeat(64)}`;

async function api(method: string, path: string, body?: unknown): Promise<{ items: { metadata: { name: string } }[] }> {
  const res = await fetch(`${kube.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as { items: { metadata: { name: string } }[] };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xfer-kj-'));
  s3 = await startObjectStore({ dir: join(dir, 's3'), buckets: ['root-a', 'root-b'] });
  kube = await startKubeServer({ dir: join(dir, 'kube') });
  store = new ObjectStore({ location: 'a', endpoint: s3.endpoint, credentials: s3.credentials, maxAttempts: 1 });
  cluster = new KubeClient({ location: 'b', namespace: NS, connection: { server: kube.url } });
  const secret = (name: string, id: string, key: string) =>
    api('POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name },
      stringData: { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: key },
    });
  await secret('store-creds', s3.credentials.accessKeyId, s3.credentials.secretAccessKey);
  await secret('wrong-creds', 'NOBODY', 'not-the-key');
});

afterAll(async () => {
  store.close();
  await kube.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

function side(location: string, job: KubernetesJobSettings | undefined): TransferSide {
  return {
    location,
    endpoint: s3.endpoint,
    region: s3.region,
    store,
    settings: job ? { engines: ['kubernetes-job'], kubernetesJob: job } : undefined,
    ...(job ? { cluster } : {}),
  };
}

async function manifest(id: string, secret: string, files: Record<string, Buffer>): Promise<TransferManifest> {
  const objects = [];
  for (const [path, data] of Object.entries(files)) {
    await store.put({ bucket: 'root-a', key: `run-1/step/${path}` }, data);
    objects.push({
      artifact: `art-${id}`,
      path,
      source: { bucket: 'root-a', key: `run-1/step/${path}` },
      target: { bucket: 'root-b', key: `mirror/run-1/step/${path}` },
      size: data.length,
      sha256: sha256Hex(data),
    });
  }
  const settings = { image: IMAGE, namespace: NS, backoffLimit: 0, credentialsSecret: { name: secret } };
  return { handoffId: id, source: side('a', { ...settings }), target: side('b', settings), objects };
}

/** The writes of a Job's name at the API server, from its audit log: [verb, status code]. */
const jobWrites = (name: string): [string, number][] =>
  readFileSync(join(dir, 'kube', 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.objectRef?.resource === 'jobs' && e.objectRef.name === name)
    .map((e) => [e.verb, e.responseStatus.code]);

const jobsOf = async (id: string) =>
  (
    await api(
      'GET',
      `/apis/batch/v1/namespaces/${NS}/jobs?labelSelector=${encodeURIComponent(`split-pipelines.dev/handoff=${id}`)}`,
    )
  ).items;

describe('kubernetes-job transfer engine', () => {
  it('groups objects by their source and target prefixes', () => {
    const o = (s: string, t: string) => ({
      artifact: 'x',
      path: '',
      source: { bucket: 'a', key: s },
      target: { bucket: 'b', key: t },
      size: 1,
    });
    const objects = [o('r/1/x/f', 'm/r/1/x/f'), o('r/1/x/d/g', 'm/r/1/x/d/g'), o('r/k', 'other')];
    expect(copyGroups(objects)).toEqual([
      {
        sourceBucket: 'a',
        sourcePrefix: '',
        targetBucket: 'b',
        targetPrefix: 'm',
        paths: ['r/1/x/f', 'r/1/x/d/g'],
        objects: objects.slice(0, 2),
      },
      {
        sourceBucket: 'a',
        sourcePrefix: 'r/k',
        targetBucket: 'b',
        targetPrefix: 'other',
        paths: [],
        objects: objects.slice(2),
      },
    ]);
  });

  it('copies the manifest in a Job (no bytes through this process), and a later run watches the same Job', async () => {
    const files = {
      'data.csv': randomBytes(300_000),
      'nested/part-0': randomBytes(1000),
      'nested/part-1': Buffer.from('x'),
    };
    const m = await manifest('h-copy', 'store-creds', files);
    const engine = kubernetesJobEngine({ pollMs: 25 });
    expect(engine.usable(m.source, m.target)).toEqual({ usable: true });
    const first = await engine.startOrResume(m);
    expect(first.resumed).toBe(false);
    // An apply killed here never watches: the Job copies to the end and stays (nothing verified it).
    for (;;) {
      const [job] = (await jobsOf('h-copy')) as { status?: { conditions?: { type: string }[] } }[];
      if (job?.status?.conditions?.some((c) => c.type === 'Complete')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    // The next one finds the Job by the handoff's name, verifies its copy, then deletes it.
    const second = await kubernetesJobEngine({ pollMs: 25 }).startOrResume(m);
    expect(second.resumed).toBe(true);
    const result = await second.watch();
    expect(result).toMatchObject({ engine: 'kubernetes-job', copied: 3, bytesMovedByReconciler: 0, resumed: true });
    expect(result.detail).toContain(`${NS}/${jobNameOf('h-copy')}`);
    for (const [path, data] of Object.entries(files)) {
      const chunks: Buffer[] = [];
      for await (const c of (await store.get({ bucket: 'root-b', key: `mirror/run-1/step/${path}` })).body)
        chunks.push(c as Buffer);
      expect(sha256Hex(Buffer.concat(chunks))).toBe(sha256Hex(data));
    }
    // One Job was created for the handoff (the API server's audit log), and it was deleted with its
    // pods once the copy verified.
    expect(jobWrites(jobNameOf('h-copy'))).toEqual([
      ['create', 201],
      ['delete', 200],
    ]);
    expect(await jobsOf('h-copy')).toEqual([]);
    const pods = await api('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${jobNameOf('h-copy')}`);
    expect(pods.items).toEqual([]);
  });

  it("ends with an error naming the location, the Job and rclone's cause when the credentials are wrong", async () => {
    const m = await manifest('h-badcreds', 'wrong-creds', { 'f.bin': randomBytes(100) });
    const run = await kubernetesJobEngine({ pollMs: 25 }).startOrResume(m);
    const err = await run.watch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubernetesJobError);
    const message = (err as Error).message;
    expect(message).toContain('location b');
    expect(message).toContain(`${NS}/${jobNameOf('h-badcreds')}`);
    expect(message).toContain('BackoffLimitExceeded');
    expect(message).toMatch(/Forbidden|InvalidAccessKeyId|AccessDenied|SignatureDoesNotMatch/);
    expect(message).not.toContain('not-the-key');
  });

  it('verifies copies of multipart sources by the SHA-256s the Job reads back, and records them', async () => {
    const data = randomBytes(12 * 1024 * 1024);
    const small = Buffer.from('not what the manifest says');
    await new Upload({
      client: store.s3,
      params: { Bucket: 'root-a', Key: 'run-2/big/model.bin', Body: data },
      partSize: 5 * 1024 * 1024,
    }).done();
    await new Upload({
      client: store.s3,
      params: { Bucket: 'root-a', Key: 'run-2/big/extra.bin', Body: small },
      partSize: 5 * 1024 * 1024,
    }).done();
    const head = async (key: string) => (await store.head({ bucket: 'root-a', key }))!;
    const big = await head('run-2/big/model.bin');
    expect(big.etag).toMatch(/-3"?$/); // uploaded in parts: its ETag is no MD5 of the bytes
    const settings = { image: IMAGE, namespace: NS, credentialsSecret: { name: 'store-creds' } };
    const obj = (key: string, size: number, extra: { sha256?: string; etag?: string }) => ({
      artifact: 'art-mp',
      path: key,
      source: { bucket: 'root-a', key: `run-2/big/${key}` },
      target: { bucket: 'root-b', key: `mirror/run-2/big/${key}` },
      size,
      ...extra,
    });
    const m: TransferManifest = {
      handoffId: 'h-multipart',
      source: side('a', settings),
      target: side('b', settings),
      objects: [obj('model.bin', data.length, { etag: big.etag! })],
    };
    const result = await runEngine(kubernetesJobEngine({ pollMs: 25 }), m);
    expect(result.written[0]).toMatchObject({ targetSha256: sha256Hex(data), sourceSha256: sha256Hex(data) });
    const digests = await verifyTransfer(m, result);
    expect(digests.get('art-mp')).toEqual([expect.objectContaining({ path: 'model.bin', sha256: sha256Hex(data) })]);

    // A source digest that the copy's bytes do not have: verification stops before any record.
    const wrong: TransferManifest = {
      ...m,
      handoffId: 'h-multipart-wrong',
      objects: [obj('extra.bin', small.length, { sha256: sha256Hex(Buffer.from('other bytes')) })],
    };
    await expect(runEngine(kubernetesJobEngine({ pollMs: 25 }), wrong)).rejects.toThrow(
      /extra\.bin has SHA-256 [0-9a-f]{64} at the target, but/,
    );
    // Not kept: the next apply copies again with a new Job, as the error advises.
    expect(await jobsOf('h-multipart-wrong')).toEqual([]);
  });

  it('waits while the node is cordoned: the pod stays Pending and Unschedulable, the Job copies once uncordoned', async () => {
    const cordon = (unschedulable: boolean) =>
      fetch(`${kube.url}/api/v1/nodes/lab`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify({ spec: { unschedulable } }),
      }).then((r) => r.json() as Promise<{ spec: { unschedulable?: boolean } }>);
    expect((await cordon(true)).spec.unschedulable).toBe(true);
    const m = await manifest('h-held', 'store-creds', { 'held.bin': randomBytes(5000) });
    const run = await kubernetesJobEngine({ pollMs: 25 }).startOrResume(m);
    type Pods = {
      items: { spec: { nodeName?: string }; status: { phase: string; conditions: { reason?: string }[] } }[];
    };
    const pods = (await api(
      'GET',
      `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${jobNameOf('h-held')}`,
    )) as unknown as Pods;
    expect(pods.items.map((p) => [p.status.phase, p.status.conditions[0]?.reason, p.spec.nodeName])).toEqual([
      ['Pending', 'Unschedulable', undefined],
    ]);
    // Still held: a run started now finds the same Job.
    expect((await kubernetesJobEngine().startOrResume(m)).resumed).toBe(true);
    expect((await cordon(false)).spec.unschedulable).toBeUndefined();
    const result = await run.watch();
    expect(result.copied).toBe(1);
    expect((await store.head({ bucket: 'root-b', key: 'mirror/run-1/step/held.bin' }))?.size).toBe(5000);
    expect(jobWrites(jobNameOf('h-held')).filter(([verb]) => verb === 'create')).toEqual([['create', 201]]);
    expect(await jobsOf('h-held')).toEqual([]);
  });

  it('reports the bytes the Job has copied while it copies, growing, from its pod’s log', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`shard-${i}`, randomBytes(256 * 1024)]));
    const m = await manifest('h-progress', 'store-creds', files);
    const total = 40 * 256 * 1024;
    const seen: TransferProgress[] = [];
    // Every S3 request 150 ms late while the Job copies: that takes seconds, and rclone logs its
    // stats every 2 s. Verification (HEADs) runs at full speed again.
    s3.setFaults({ delayMs: 150 });
    try {
      await runEngine(kubernetesJobEngine({ pollMs: 100 }), m, {
        onProgress: (p) => {
          seen.push(p);
          if (p.bytesDone === total) s3.setFaults({});
        },
      });
    } finally {
      s3.setFaults({});
    }
    const during = seen.filter((p) => p.bytesDone > 0 && p.bytesDone < total).map((p) => p.bytesDone);
    expect(during.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);
    const done = seen.map((p) => p.bytesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(during).size).toBe(during.length);
    expect(seen[seen.length - 1]).toMatchObject({ bytes: total, bytesDone: total, objectsDone: 40, bytesMoved: 0 });
    expect(seen.every((p) => p.bytesMoved === 0)).toBe(true);
  }, 30_000);

  it('reads the bytes copied from a log tail: stats lines counted after the groups before theirs', () => {
    const o = (s: string, t: string, size: number) => ({
      artifact: 'x',
      path: '',
      source: { bucket: 'a', key: s },
      target: { bucket: 'b', key: t },
      size,
    });
    // Two groups: 1000 bytes under r/1, then 50 bytes renamed.
    const groups = copyGroups([o('r/1/f', 'm/r/1/f', 600), o('r/1/g', 'm/r/1/g', 400), o('r/k', 'other', 50)]);
    const stats = (bytes: number) => JSON.stringify({ level: 'warning', msg: `${bytes} B`, stats: { bytes } });
    expect(copiedFromLog('', groups, 0)).toEqual({ group: 0, bytes: undefined });
    expect(copiedFromLog([`${GROUP_MARKER} 0`, stats(100), stats(700)].join('\n'), groups, 0)).toEqual({
      group: 0,
      bytes: 700,
    });
    // The tail lost the marker of the group the last read ended in.
    expect(copiedFromLog([stats(900)].join('\n'), groups, 0)).toEqual({ group: 0, bytes: 900 });
    // Lines before the next group's marker are the group before it; after it, counted from 1000.
    expect(copiedFromLog([stats(1000), `${GROUP_MARKER} 1`, stats(20)].join('\n'), groups, 0)).toEqual({
      group: 1,
      bytes: 1020,
    });
    // A count above its group's size (a retry's) is capped; the digests' marker means all is copied.
    expect(copiedFromLog([`${GROUP_MARKER} 1`, stats(70)].join('\n'), groups, 1).bytes).toBe(1050);
    expect(copiedFromLog(['sp-sha256 dst 0'].join('\n'), groups, 1)).toEqual({ group: 2, bytes: 1050 });
  });

  it('gives the Job ttlSecondsAfterFinished: the file’s, else a day', () => {
    const m: TransferManifest = {
      handoffId: 'h-ttl',
      source: side('a', undefined),
      target: side('b', { image: IMAGE }),
      objects: [],
    };
    const job = (ttl?: number) =>
      buildJob({
        manifest: m,
        settings: { image: IMAGE, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}) },
        namespace: NS,
        source: undefined,
        target: undefined,
      });
    expect(job().spec?.ttlSecondsAfterFinished).toBe(86_400);
    expect(job(600).spec?.ttlSecondsAfterFinished).toBe(600);
  });

  it('lets a location that lists its engines without kubernetes-job keep its bytes out of any Job', () => {
    const job = { image: IMAGE, namespace: NS };
    const refusing: TransferSide = { ...side('a', undefined), settings: { engines: ['inline'] } };
    expect(kubernetesJobEngine().usable(refusing, side('b', job))).toEqual({
      usable: false,
      reason: 'transfer.engines of a does not list kubernetes-job',
    });
  });

  it("names a handoff's Job the same on every apply, and differently for any other handoff", () => {
    const id = handoffIdOf('thesis', '782c5cc05c6b', 2, 'a', 'b');
    expect(handoffIdOf('thesis', '782c5cc05c6b', 2, 'a', 'b')).toBe(id);
    expect(id).toMatch(/^782c5cc05c6b-2-a-b-[0-9a-f]{8}$/);
    const long = 'a-location-name-that-is-long-enough-to-be-cut';
    const others = [
      handoffIdOf('thesis-2', '782c5cc05c6b', 2, 'a', 'b'),
      handoffIdOf('thesis', '782c5cc05c6b', 3, 'a', 'b'),
      handoffIdOf('thesis', '782c5cc05c6b', 2, long, `${long}-1`),
      handoffIdOf('thesis', '782c5cc05c6b', 2, long, `${long}-2`),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
    for (const h of others) {
      expect(h).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(jobNameOf(h).length).toBeLessThanOrEqual(63);
    }
  });

  it('refuses an image not pinned by digest', () => {
    const s = side('b', { image: 'rclone/rclone:latest' });
    expect(kubernetesJobEngine().usable(s, s)).toMatchObject({ usable: false });
  });
});
