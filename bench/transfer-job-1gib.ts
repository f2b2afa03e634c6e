// bench/transfer-job-1gib: one handoff of 1 GiB (uploaded in parts, as KFP's launcher writes large
// outputs) plus 100 objects of 64 KiB between two lab locations, copied by the kubernetes-job
// engine (the lab's Kubernetes API runs the Job's rclone on this machine) and, for reference in the
// same run, by the inline engine. The reconciler runs in a process of its own, so its CPU seconds,
// peak RSS and the bytes it moved are its own; the Job's work (rclone, the lab's S3) is not.
// Both copies are verified (verify.ts) before the figures count.
//
//   npx esbuild bench/transfer-job-1gib.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist/bench/transfer-job-1gib.mjs && node dist/bench/transfer-job-1gib.mjs
import { spawn } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { KubeClient } from '../src/location/kube/index.js';
import { ObjectStore } from '../src/location/objectstore/index.js';
import type { TransferEngine, TransferManifest, TransferObject, TransferSide } from '../src/transfer/engine.js';
import { inlineEngine } from '../src/transfer/inline.js';
import { kubernetesJobEngine } from '../src/transfer/kubernetes-job.js';
import { verifyTransfer } from '../src/transfer/verify.js';
import { benchLab, figures, MiB, round, runBench, say } from './lib/bench-kit.js';

const LARGE = Number(process.env['BENCH_JOB_LARGE_MIB'] ?? 1024) * MiB;
const SMALL = 64 * 1024;
const SMALL_COUNT = Number(process.env['BENCH_JOB_SMALL_COUNT'] ?? 100);
const NS = 'kubeflow';
const IMAGE = `docker.io/rclone/rclone@sha256:${'5'.repeat(64)}`;

interface Endpoint {
  name: string;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  kubernetes: string;
}

interface ChildJob {
  engine: 'kubernetes-job' | 'inline';
  handoffId: string;
  source: Endpoint;
  target: Endpoint;
  objects: Omit<TransferObject, 'artifact'>[];
}

interface ChildFigures {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  bytesMovedByReconciler: number;
  bytesCopied: number;
  verified: number;
}

/** Deterministic incompressible bytes (AES-CTR keystream). */
function bytesStream(seed: string, size: number): Readable {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, seed), Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n)));
    },
  });
}

const storeOf = (e: Endpoint) =>
  new ObjectStore({ location: e.name, endpoint: e.endpoint, region: e.region, credentials: e.credentials });

/** The reconciler's side of one handoff copy: start or resume, watch, verify. */
async function child(file: string): Promise<void> {
  const job = JSON.parse(readFileSync(file, 'utf8')) as ChildJob;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const settings = { image: IMAGE, namespace: NS, credentialsSecret: { name: 'store-creds' } };
  const side = (e: Endpoint, withJob: boolean): TransferSide => ({
    location: e.name,
    endpoint: e.endpoint,
    region: e.region,
    store: storeOf(e),
    settings: withJob ? { engines: ['inline', 'kubernetes-job'], kubernetesJob: settings } : undefined,
    ...(withJob ? { cluster: new KubeClient({ location: e.name, connection: { server: e.kubernetes } }) } : {}),
  });
  const manifest: TransferManifest = {
    handoffId: job.handoffId,
    source: side(job.source, true),
    target: side(job.target, true),
    objects: job.objects.map((o) => ({ ...o, artifact: 'bench' })),
  };
  const engine: TransferEngine = job.engine === 'inline' ? inlineEngine() : kubernetesJobEngine({ pollMs: 500 });
  const run = await engine.startOrResume(manifest);
  const result = await run.watch();
  const verified = await verifyTransfer(manifest, result);
  const used = process.cpuUsage(cpu);
  const out: ChildFigures = {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    bytesMovedByReconciler: result.bytesMovedByReconciler,
    bytesCopied: result.bytesCopied,
    verified: [...verified.values()].flat().length,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(job: ChildJob, dir: string): Promise<ChildFigures> {
  const file = join(dir, `job-${job.engine}.json`);
  writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [process.argv[1]!, '--child', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${job.engine} copy failed (exit ${code})`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildFigures);
    });
  });
}

async function main(): Promise<void> {
  const b = await benchLab('transfer-job', { locations: ['a', 'b'] });
  try {
    const [a, t] = [b.lab.locations['a']!, b.lab.locations['b']!];
    const ep = (l: typeof a): Endpoint => ({
      name: l.name,
      endpoint: l.objectStore,
      region: l.region,
      credentials: l.credentials,
      kubernetes: l.kubernetes,
    });
    const res = await fetch(`${t.kubernetes}/api/v1/namespaces/${NS}/secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        metadata: { name: 'store-creds' },
        stringData: {
          AWS_ACCESS_KEY_ID: a.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: a.credentials.secretAccessKey,
        },
      }),
    });
    if (!res.ok) throw new Error(`creating the Secret: ${res.status} ${await res.text()}`);
    const source = storeOf(ep(a));
    say(`writing ${LARGE / MiB} MiB in 16 MiB parts and ${SMALL_COUNT} × 64 KiB at a …`);
    await new Upload({
      client: source.s3,
      params: { Bucket: a.bucket, Key: 'bench/run-1/train/model.bin', Body: bytesStream('large', LARGE) },
      partSize: 16 * MiB,
      queueSize: 4,
    }).done();
    for (let i = 0; i < SMALL_COUNT; i++)
      await source.put({ bucket: a.bucket, key: `bench/run-1/shards/part-${i}` }, Buffer.alloc(SMALL, i % 251));
    const listed = await source.listAll(a.bucket, 'bench/');
    const objects = listed.map((o) => ({
      path: o.key,
      source: { bucket: a.bucket, key: o.key },
      target: { bucket: t.bucket, key: `handoff/${o.key}` },
      size: o.size,
      ...(o.etag ? { etag: o.etag } : {}),
    }));
    const total = objects.reduce((n, o) => n + o.size, 0);
    const target = storeOf(ep(t));
    const clear = async () => {
      for (const o of objects) await target.delete(o.target);
    };
    const job = await runChild(
      { engine: 'kubernetes-job', handoffId: 'bench-job', source: ep(a), target: ep(t), objects },
      b.dir,
    );
    say(
      `kubernetes-job: ${round(job.seconds, 1)} s, reconciler ${round(job.cpuSeconds, 2)} CPU s, ` +
        `peak RSS ${round(job.peakRssMiB)} MiB, ${job.bytesMovedByReconciler} bytes through it, ${job.verified} objects verified`,
    );
    await clear();
    const inline = await runChild(
      { engine: 'inline', handoffId: 'bench-inline', source: ep(a), target: ep(t), objects },
      b.dir,
    );
    say(
      `inline:         ${round(inline.seconds, 1)} s, reconciler ${round(inline.cpuSeconds, 2)} CPU s, ` +
        `peak RSS ${round(inline.peakRssMiB)} MiB, ${inline.bytesMovedByReconciler} bytes through it, ${inline.verified} objects verified`,
    );
    source.close();
    target.close();
    figures('transfer-job-1gib', {
      objects: objects.length,
      bytes: total,
      job: job,
      inline: inline,
      jobOverInlineSeconds: round(job.seconds / inline.seconds),
      reconcilerCpuJobOverInline: round(job.cpuSeconds / inline.cpuSeconds, 3),
      reconcilerRssJobOverInline: round(job.peakRssMiB / inline.peakRssMiB),
    });
  } finally {
    await b.close();
  }
}

if (process.argv[2] === '--child') runBench(() => child(process.argv[3]!));
else runBench(main);
