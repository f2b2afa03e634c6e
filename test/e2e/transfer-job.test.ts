// The thesis chain with its handoffs copied by the kubernetes-job engine on a three-location lab:
// each location's Kubernetes API runs the Job's rclone on this machine against the lab's S3. The
// reconciler only creates, watches and verifies; an apply killed while a Job copies leaves the Job
// to the next apply, which watches it to the end; a Job that cannot read the source fails the apply
// with the location, the Job and rclone's cause. One lab for the file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { AuditEvent } from '../../packages/lab/src/kube/audit-log.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { applyWatched, runCli } from '../support/cli.js';
import { applyJson, planJson } from '../support/json-output.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

const STEPS = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];
const NS = 'kubeflow';
// The lab runs the container's command with the host's rclone; the image only has to be pinned.
const IMAGE = `docker.io/rclone/rclone@sha256:${'5'.repeat(64)}`;

interface KubeJob {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string }[]; active?: number };
}
interface KubePod {
  metadata: { name: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

let lab: Lab;
let dir: string;
let env: NodeJS.ProcessEnv;

async function kube<T>(location: string, method: string, path: string, body?: unknown, type?: string): Promise<T> {
  const res = await fetch(`${lab.locations[location]!.kubernetes}${path}`, {
    method,
    headers: { 'content-type': type ?? 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} at ${location}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The transfer Jobs at a location (those the engine labels with their handoff). */
async function transferJobs(location: string): Promise<KubeJob[]> {
  const q = encodeURIComponent('app.kubernetes.io/managed-by=split-pipelines');
  const list = await kube<{ items: KubeJob[] }>(
    location,
    'GET',
    `/apis/batch/v1/namespaces/${NS}/jobs?labelSelector=${q}`,
  );
  return list.items;
}

/**
 * The Job writes at a location's API server, from its audit log (one audit.k8s.io/v1 Event a line):
 * [verb, Job name, who] — `split-pipelines` for the reconciler (the lab's anonymous user, with the
 * user agent of @kubernetes/client-node's fetch), else the user (the TTL-after-finished controller's).
 */
function jobWrites(location: string): [string, string, string][] {
  const file = join(lab.dir, location, 'kube', 'audit.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.objectRef?.resource === 'jobs' && e.objectRef.name?.startsWith('sp-xfer-'))
    .map((e) => [
      e.verb,
      e.objectRef!.name!,
      e.user.username === 'system:anonymous' && /^node-fetch\//.test(e.userAgent ?? '')
        ? 'split-pipelines'
        : e.user.username,
    ]);
}

const podsOf = async (location: string, job: string) =>
  (await kube<{ items: KubePod[] }>(location, 'GET', `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3D${job}`))
    .items;

/** `kubectl cordon lab` / `uncordon lab` at a location: new pods wait, unscheduled, until uncordoned. */
const cordon = (location: string, unschedulable: boolean) =>
  kube(location, 'PATCH', '/api/v1/nodes/lab', { spec: { unschedulable } }, 'application/strategic-merge-patch+json');

/** The thesis file with every location allowing the Job engine, and `auto` sending any handoff above 1 byte to it. */
function jobProject(name: string, sourceSecret: (location: string) => string, testSize = 0.2): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  const file = exampleOnLabs([lab], at);
  const doc = parse(readFileSync(file, 'utf8')) as {
    metadata: { name: string };
    spec: {
      pipeline: { parameters: Record<string, unknown> };
      transfer?: unknown;
      locations: { name: string; transfer?: unknown }[];
    };
  };
  doc.metadata.name = name;
  doc.spec.pipeline.parameters['test_size'] = testSize;
  doc.spec.transfer = { engine: 'auto', inlineMaxBytes: 1 };
  for (const loc of doc.spec.locations) {
    loc.transfer = {
      engines: ['inline', 'kubernetes-job'],
      kubernetesJob: {
        image: IMAGE,
        namespace: NS,
        backoffLimit: 0,
        credentialsSecret: { name: sourceSecret(loc.name) },
      },
    };
  }
  writeFileSync(file, stringify(doc));
  return file;
}

/** The first byte-progress line of the handoff into `to`: the engine has started or found its Job and watches it. */
const watching = (to: string) => {
  let inHandoff = false;
  return (line: string) => {
    if (line.startsWith('→ ')) inHandoff = line.startsWith(`→ handoff `) && line.includes(`→ ${to}`);
    return inHandoff && /^ {2}\S.* \/ .*moved\)$/.test(line);
  };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-xfer-job-'));
  const modest = { outputBytes: 256 * 1024 };
  lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['a', 'b', 'c'],
    ports: 'ephemeral',
    steps: Object.fromEntries(['a', 'b', 'c'].map((l) => [l, Object.fromEntries(STEPS.map((s) => [s, modest]))])),
  });
  // A killed apply keeps its lease until the TTL passes; keep that short here.
  env = labEnv([lab], { SPLIT_PIPELINES_LOCK_TTL: '2' });
  const creds = lab.locations['a']!.credentials;
  for (const location of ['a', 'b', 'c']) {
    const secret = (name: string, id: string, key: string) =>
      kube(location, 'POST', `/api/v1/namespaces/${NS}/secrets`, {
        metadata: { name },
        stringData: { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: key },
      });
    await secret('store-creds', creds.accessKeyId, creds.secretAccessKey);
    await secret('wrong-creds', 'NOBODY', 'not-the-lab-key');
  }
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

describe('handoffs by the kubernetes-job engine', () => {
  it('survives a kill -9 while the Job copies: the next apply watches the same Job to the end; c serves four steps from cache', async () => {
    const file = jobProject('thesis', () => 'store-creds');
    // b's node cordoned: the a → b Job is created and its pod waits, unscheduled, until uncordoned.
    await cordon('b', true);
    const isWatching = watching('b');
    const killed = await applyWatched(file, env, (line, kill) => {
      if (isWatching(line)) kill();
    });
    expect(killed.signal).toBe('SIGKILL');
    const [job] = await transferJobs('b');
    expect(job, killed.stderr).toBeDefined();
    expect(job!.metadata.name).toMatch(/^sp-xfer-/);
    const pods = await podsOf('b', job!.metadata.name);
    expect(pods.map((p) => [p.status?.phase, p.status?.conditions?.[0]?.reason])).toEqual([
      ['Pending', 'Unschedulable'],
    ]);

    // The next apply (after the killed one's lease ran out) finds the Job by the handoff's name and
    // watches it; b's node is uncordoned only once it watches, so the Job copies while it does.
    const resumedWatch = watching('b');
    const again = await applyWatched(file, env, (line) => {
      if (resumedWatch(line)) void cordon('b', false);
    });
    expect(again.code, again.stderr).toBe(0);
    const doc = applyJson(again.stdout);
    const handoffs = doc.applied.filter((a) => a.kind === 'handoff');
    expect(handoffs.map((h) => [h.from, h.location, h.engine, h.bytesMoved])).toEqual([
      ['a', 'b', 'kubernetes-job', 0],
      ['b', 'c', 'kubernetes-job', 0],
    ]);
    const ab = handoffs[0]!.handoff!;
    expect(ab.transfer?.resumed).toBe(true);
    expect(ab.transfer?.detail).toContain(`${NS}/${job!.metadata.name}`);
    expect(ab.transfer?.bytesCopied).toBeGreaterThan(0);
    expect(handoffs[1]!.handoff!.transfer?.resumed).toBe(false);

    // Exactly one Job per handoff, by the API servers' audit logs: at b the one the killed apply
    // created (the next apply created none), at c one; each deleted by the reconciler (not by its
    // TTL) once its copy was verified, with its pods. A Job runs in its handoff's target cluster.
    expect(jobWrites('b')).toEqual([
      ['create', job!.metadata.name, 'split-pipelines'],
      ['delete', job!.metadata.name, 'split-pipelines'],
    ]);
    const atC = jobWrites('c');
    expect(atC.map(([verb, , user]) => [verb, user])).toEqual([
      ['create', 'split-pipelines'],
      ['delete', 'split-pipelines'],
    ]);
    expect(atC[0]![1]).toMatch(/^sp-xfer-/);
    expect(atC[0]![1]).not.toBe(job!.metadata.name);
    expect(jobWrites('a')).toEqual([]);
    expect(await transferJobs('b')).toEqual([]);
    expect(await transferJobs('c')).toEqual([]);
    expect(await podsOf('b', job!.metadata.name)).toEqual([]);

    const last = doc.stages[2]!;
    expect(last.cached).toEqual(['load-data', 'split-data', 'train-model', 'evaluate-model']);
    expect(last.executed).toEqual(['serve-model']);
    expect(doc.inSync).toBe(true);

    // The copies were written by rclone (its `mtime` metadata on every carried object), not by the
    // reconciler (whose writes carry its SHA-256 and never an mtime).
    for (const [from, to] of [
      ['a', 'b'],
      ['b', 'c'],
    ] as const) {
      const store = (l: string) =>
        new ObjectStore({
          location: l,
          endpoint: lab.locations[l]!.objectStore,
          credentials: lab.locations[l]!.credentials,
          maxAttempts: 1,
        });
      const [src, dst] = [store(from), store(to)];
      const bucket = lab.locations[to]!.bucket;
      const there = new Set((await src.listAll(lab.locations[from]!.bucket, '')).map((o) => o.key));
      const carried = (await dst.listAll(bucket, '')).filter((o) => there.has(o.key));
      expect(carried.length, `objects carried ${from} → ${to}`).toBeGreaterThan(0);
      for (const o of carried) expect((await dst.head({ bucket, key: o.key }))?.metadata['mtime'], o.key).toBeDefined();
      src.close();
      dst.close();
    }
  }, 60_000);

  it('ends with exit 1 naming the location, the Job and the cause when the Job cannot read the source', async () => {
    // Another split pipeline on the same lab (another test_size: no cache hits from the first), whose
    // Job reads a with credentials S3 refuses.
    const file = jobProject('thesis-bad-creds', (l) => (l === 'a' ? 'wrong-creds' : 'store-creds'), 0.3);
    const r = await runCli(['apply', '-f', file], { env });
    expect(r.code, r.stderr).toBe(1);
    const jobs = await transferJobs('b');
    const failedJobs = jobs.filter((j) =>
      j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'),
    );
    expect(failedJobs, JSON.stringify(jobs)).toHaveLength(1);
    const failed = failedJobs[0];
    expect(r.stderr).toContain('location b');
    expect(r.stderr).toContain(`${NS}/${failed!.metadata.name}`);
    expect(r.stderr).toContain('BackoffLimitExceeded');
    expect(r.stderr).toMatch(/rclone: .*(Forbidden|InvalidAccessKeyId|AccessDenied|SignatureDoesNotMatch|403)/);
    expect(r.stderr).not.toContain('not-the-lab-key');

    // The plan still has the handoff, with the engine that will copy it, its bytes and their time.
    const planned = await runCli(['plan', '-f', file, '--json'], { env });
    const op = planJson(planned.stdout).operations.find((o) => o.kind === 'handoff' && o.from === 'a');
    expect(op?.transfer, planned.stdout).toBeDefined();
    if (typeof op!.bytes === 'number') {
      expect(op!.transfer).toMatchObject({ engine: 'kubernetes-job', bytes: op!.bytes });
      expect(op!.transfer!.estimatedSeconds).toBeGreaterThanOrEqual(1);
    } else {
      expect(op!.transfer).toMatchObject({ engine: 'auto', bytes: null, estimatedSeconds: null });
      expect(op!.transfer!.reason).toContain('kubernetes-job above');
    }
  }, 60_000);
});
