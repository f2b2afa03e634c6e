// bench/transfer: the bytes phase of a handoff — one 512 MiB artifact and 1,000 artifacts of
// 64 KiB — between two lab object stores, through our real copy path (copyBytes → copyObject),
// against `rclone copy` between the same two S3 endpoints and a bare GET→PUT loop on the AWS SDK,
// all measured in this run on this machine. Then the same handoff again (it must move 0 bytes).
//
// The source objects are written as KFP's launcher writes them: plain PUTs without our sha256
// metadata (first hop). A second figure copies objects that carry it (what a previous handoff
// wrote: the A→B→C second hop), which lets the copy stream instead of staging the large object.
//
// Every copy runs in its own process: its wall time and peak RSS are what a user would see.
//
// Then the transfer engines compared on one handoff (compareEngines, below): inline, server-side
// and kubernetes-job, with the reconciler's CPU and peak RSS while each copies. `--engines` runs
// only that comparison.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { LabLocation } from '../packages/lab/src/index.js';
import { startKubeServer } from '../packages/lab/src/kube/index.js';
import { startObjectStore } from '../packages/lab/src/objectstore/index.js';
import { KubeClient } from '../src/location/kube/index.js';
import { ObjectStore } from '../src/location/objectstore/index.js';
import type { TransferManifest, TransferSide } from '../src/transfer/engine.js';
import { inlineEngine } from '../src/transfer/inline.js';
import { kubernetesJobEngine } from '../src/transfer/kubernetes-job.js';
import { serverSideEngine } from '../src/transfer/server-side.js';
import { verifyTransfer } from '../src/transfer/verify.js';
import { benchLab, figures, median, MiB, round, runBench, say } from './lib/bench-kit.js';
import { storeOf, type CopyFigures as ChildResult, type CopyJob as ChildJob, type Endpoint } from './lib/copy-child.js';

const LARGE = Number(process.env['BENCH_LARGE_MIB'] ?? 512) * MiB;
const SMALL = 64 * 1024;
const SMALL_COUNT = Number(process.env['BENCH_SMALL_COUNT'] ?? 1000);
const TOTAL = LARGE + SMALL * SMALL_COUNT;
const ROUNDS = Number(process.env['BENCH_TRANSFER_ROUNDS'] ?? 3);

const endpointOf = (l: LabLocation): Endpoint => ({
  name: l.name,
  endpoint: l.objectStore,
  region: l.region,
  credentials: l.credentials,
});

/** Deterministic incompressible bytes, fast (AES-CTR keystream). */
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

function runChild(job: ChildJob, dir: string): Promise<ChildResult> {
  const file = join(dir, `job-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    // BENCH_CHILD_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is for looking into a copy.
    const nodeArgs = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const p = spawn(process.execPath, [...nodeArgs, join(dirname(process.argv[1]!), 'copy-child.mjs'), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`${job.mode} copy failed (exit ${code})`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

function ensureRclone(): string {
  const found = spawnSync('rclone', ['version'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.split('\n')[0]!;
  say('rclone is not installed: installing the Debian package (apt-get install -y rclone)');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const install = () =>
    spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'install', '-y', 'rclone'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  if (install().status !== 0) {
    spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'update'], { stdio: 'inherit' });
    if (install().status !== 0)
      throw new Error('cannot install rclone (apt-get install -y rclone failed); install it and run again');
  }
  return spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
}

function withoutCaBundle(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_CA_BUNDLE: _ignored, ...rest } = env;
  return rest;
}

/** rclone copy between the two stores, configured through environment variables (two S3 remotes, provider Other, path style). */
async function rcloneCopy(
  src: Endpoint,
  dst: Endpoint,
  bucket: string,
  fromPrefix: string,
  toPrefix: string,
  dir: string,
): Promise<number> {
  const remote = (name: string, e: Endpoint) => ({
    [`RCLONE_CONFIG_${name}_TYPE`]: 's3',
    [`RCLONE_CONFIG_${name}_PROVIDER`]: 'Other',
    [`RCLONE_CONFIG_${name}_ENDPOINT`]: e.endpoint,
    [`RCLONE_CONFIG_${name}_REGION`]: e.region,
    [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: e.credentials.accessKeyId,
    [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: e.credentials.secretAccessKey,
    [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: 'true',
  });
  const config = join(dir, 'rclone.conf');
  writeFileSync(config, '');
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    // --fast-list: one recursive listing instead of a walk by delimiter, which s3rver 3.7.1 answers
    // without the CommonPrefixes of nested "directories" (rclone would see nothing to copy).
    const p = spawn(
      'rclone',
      [
        'copy',
        '--config',
        config,
        '--s3-no-check-bucket',
        '--fast-list',
        ...(process.env['BENCH_RCLONE_FLAGS'] ?? '').split(' ').filter(Boolean),
        `SRC:${bucket}/${fromPrefix}`,
        `DST:${bucket}/${toPrefix}`,
      ],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        // A CA bundle in the environment (AWS_CA_BUNDLE) makes rclone's S3 backend refuse to start.
        env: { ...withoutCaBundle(process.env), ...remote('SRC', src), ...remote('DST', dst) },
      },
    );
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`rclone copy failed (exit ${code})`))));
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Our copy path against rclone and a raw loop (the figures of the first part). */
async function viaRclone(): Promise<Record<string, unknown>> {
  const rclone = ensureRclone();
  const b = await benchLab('transfer', { locations: ['src', 'dst'] });
  try {
    const src = endpointOf(b.lab.locations['src']!);
    const dst = endpointOf(b.lab.locations['dst']!);
    const bucket = b.lab.locations['src']!.bucket;
    const fromPrefix = 'v2/artifacts/bench-transfer';
    say(
      `Writing the source objects as KFP's launcher does (no sha256 metadata): 1 × ${LARGE / MiB} MiB + ${SMALL_COUNT} × ${SMALL / 1024} KiB`,
    );
    const source = storeOf(src);
    const keys: { key: string; size: number }[] =
      LARGE > 0 ? [{ key: `${fromPrefix}/run/train/large/model`, size: LARGE }] : [];
    for (let i = 0; i < SMALL_COUNT; i++)
      keys.push({ key: `${fromPrefix}/run/step-${String(i).padStart(4, '0')}/out/data`, size: SMALL });
    if (LARGE > 0)
      await new Upload({
        client: source.s3,
        params: { Bucket: bucket, Key: keys[0]!.key, Body: bytesStream('large', LARGE), ContentLength: LARGE },
        partSize: 16 * MiB,
        queueSize: 4,
      }).done();
    for (let i = LARGE > 0 ? 1 : 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map(async (k) => {
          const chunks: Buffer[] = [];
          for await (const c of bytesStream(k.key, k.size)) chunks.push(c as Buffer);
          await source.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k.key, Body: Buffer.concat(chunks) }));
        }),
      );
    }
    source.close();
    const dstObjects = join(b.dir, 'lab', 'dst', 'objects', bucket);
    const srcObjects = join(b.dir, 'lab', 'src', 'objects', bucket);
    const clear = (root: string, prefix: string) =>
      rmSync(join(root, ...prefix.split('/')), { recursive: true, force: true });
    const mbps = (seconds: number) => TOTAL / 1e6 / seconds;

    const ours: ChildResult[] = [];
    const raw: ChildResult[] = [];
    const rcloneSeconds: number[] = [];
    const rcloneHopSeconds: number[] = [];
    const secondHop: ChildResult[] = [];
    // The machines are noisy (2 shared cores, the lab's stores in this process): each round runs
    // ours and rclone back to back, in alternating order, and the ratio is the median of the
    // rounds' own ratios, so that a slow minute slows both sides of a ratio rather than one.
    const ratios: number[] = [];
    const hopRatios: number[] = [];
    let second: ChildResult | undefined;
    const inOrder = async <A, B>(round: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> => {
      if (round % 2 === 1) {
        const x = await a();
        return [x, await b()];
      }
      const y = await b();
      return [await a(), y];
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const oursPrefix = `v2/ours-${round}`;
      const [o, rs] = await inOrder(
        round,
        async () => {
          const o = await runChild(
            { mode: 'ours', source: src, target: dst, bucket, fromPrefix, toPrefix: oursPrefix, keys },
            b.dir,
          );
          say(
            `round ${round}: ours      ${round2(mbps(o.seconds))} MB/s (${round2(o.seconds)} s, ${o.objectsCopied} objects, ` +
              `peak RSS ${Math.round(o.maxRssMiB)} MiB, CPU ${round2(o.cpuSeconds)} s)`,
          );
          return o;
        },
        async () => {
          const rs = await rcloneCopy(src, dst, bucket, fromPrefix, `v2/rclone-${round}`, b.dir);
          say(`round ${round}: rclone    ${round2(mbps(rs))} MB/s (${round2(rs)} s)`);
          clear(dstObjects, `v2/rclone-${round}`);
          return rs;
        },
      );
      ours.push(o);
      rcloneSeconds.push(rs);
      ratios.push(rs / o.seconds);
      if (round === 1) {
        second = await runChild(
          { mode: 'ours', source: src, target: dst, bucket, fromPrefix, toPrefix: oursPrefix, keys },
          b.dir,
        );
        say(
          `round ${round}: ours again (second handoff): ${second.bytesMoved} bytes moved, ` +
            `${second.objectsSkipped} objects skipped, ${round2(second.seconds)} s`,
        );
      }
      // Second hop: our copies at dst now carry their digests (in metadata, or as a handoff
      // records them); copy them on, back to src under another prefix — and rclone the same way.
      const hopKeys = keys.map((k) => ({ key: `${oursPrefix}/${k.key.slice(fromPrefix.length + 1)}`, size: k.size }));
      const [h, rh] = await inOrder(
        round,
        async () => {
          const h = await runChild(
            {
              mode: 'ours',
              source: dst,
              target: src,
              bucket,
              fromPrefix: oursPrefix,
              toPrefix: `v2/hop-${round}`,
              keys: hopKeys,
              digests: o.digests,
            },
            b.dir,
          );
          say(
            `round ${round}: ours, second hop (digests known)  ${round2(mbps(h.seconds))} MB/s ` +
              `(${round2(h.seconds)} s, peak RSS ${Math.round(h.maxRssMiB)} MiB, CPU ${round2(h.cpuSeconds)} s)`,
          );
          clear(srcObjects, `v2/hop-${round}`);
          return h;
        },
        async () => {
          const rh = await rcloneCopy(dst, src, bucket, oursPrefix, `v2/rclone-hop-${round}`, b.dir);
          say(`round ${round}: rclone, second hop            ${round2(mbps(rh))} MB/s (${round2(rh)} s)`);
          clear(srcObjects, `v2/rclone-hop-${round}`);
          return rh;
        },
      );
      secondHop.push(h);
      rcloneHopSeconds.push(rh);
      hopRatios.push(rh / h.seconds);
      clear(dstObjects, oursPrefix);

      const r = await runChild(
        { mode: 'raw', source: src, target: dst, bucket, fromPrefix, toPrefix: `v2/raw-${round}`, keys },
        b.dir,
      );
      raw.push(r);
      say(
        `round ${round}: raw loop  ${round2(mbps(r.seconds))} MB/s (${round2(r.seconds)} s, ` +
          `peak RSS ${Math.round(r.maxRssMiB)} MiB, CPU ${round2(r.cpuSeconds)} s)`,
      );
      clear(dstObjects, `v2/raw-${round}`);
    }
    const oursMBps = mbps(median(ours.map((o) => o.seconds)));
    const hopMBps = mbps(median(secondHop.map((o) => o.seconds)));
    const rcloneMBps = mbps(median(rcloneSeconds));
    const rawMBps = mbps(median(raw.map((o) => o.seconds)));
    const ratio = median(ratios);
    const hopRatio = median(hopRatios);
    const rss = Math.max(...ours.map((o) => o.maxRssMiB), ...secondHop.map((o) => o.maxRssMiB));
    const targets = {
      ratioAtLeast0_9: ratio >= 0.9,
      secondHopRatioAtLeast0_9: hopRatio >= 0.9,
      peakRssAtMost200MB: rss * 1.048576 <= 200,
      secondPassZeroBytes: second!.bytesMoved === 0,
    };
    say('');
    say(
      `median of ${ROUNDS} round(s), ${round2(TOTAL / 1e6)} MB per copy (${rclone}); ratios are the median of each round's ratio:`,
    );
    say(
      `  ours (first hop, KFP-written objects)  ${round2(oursMBps)} MB/s  = ${round2(ratio)} × rclone   ` +
        `target ≥ 0.9×: ${targets.ratioAtLeast0_9 ? 'met' : 'NOT met'}`,
    );
    say(
      `  ours (second hop, digests known)       ${round2(hopMBps)} MB/s  = ${round2(hopRatio)} × rclone the same way   ` +
        `target ≥ 0.9×: ${targets.secondHopRatioAtLeast0_9 ? 'met' : 'NOT met'}`,
    );
    say(`  rclone copy                            ${round2(rcloneMBps)} MB/s`);
    say(`  raw GET→PUT loop                       ${round2(rawMBps)} MB/s`);
    say(
      `  peak RSS of our copy                   ${Math.round(rss)} MiB          target ≤ 200 MB: ${targets.peakRssAtMost200MB ? 'met' : 'NOT met'}`,
    );
    say(
      `  second handoff                         ${second!.bytesMoved} bytes in ${round2(second!.seconds)} s   ` +
        `target 0 bytes: ${targets.secondPassZeroBytes ? 'met' : 'NOT met'}`,
    );
    return {
      bytesPerCopy: TOTAL,
      rounds: ROUNDS,
      oursMBps: round2(oursMBps),
      oursSecondHopMBps: round2(hopMBps),
      rcloneMBps: round2(rcloneMBps),
      rcloneSecondHopMBps: round2(mbps(median(rcloneHopSeconds))),
      rawMBps: round2(rawMBps),
      ratioOursToRclone: round2(ratio),
      ratioSecondHopToRclone: round2(hopRatio),
      ratioOursToRaw: round2(oursMBps / rawMBps),
      peakRssMiB: Math.round(rss),
      secondPassBytes: second!.bytesMoved,
      secondPassSeconds: round2(second!.seconds),
      targets,
    };
  } finally {
    await b.close();
  }
}

const round2 = (n: number) => round(n, 2);

// ---------------------------------------------------------------------------------------------
// Engines: one handoff — a large artifact plus many small ones — copied by each transfer engine
// (src/transfer) between two buckets of one lab S3 endpoint, the engine port called directly from
// a child process that plays the reconciler: `inline` streams every byte through it, `server-side`
// asks the store to copy (CopyObject, UploadPartCopy), `kubernetes-job` creates a Job at the lab's
// Kubernetes API, which runs rclone on this machine, and watches it. The child's wall time, CPU
// seconds and peak RSS are the reconciler's; ratios are against inline in the same run.
//   node dist/bench/transfer.mjs --engines [--large-gib 2] [--small-count 2000] [--small-kib 4]

interface EngineJob {
  engine: 'inline' | 'server-side' | 'kubernetes-job';
  s3: Endpoint;
  kube: string;
  namespace: string;
  secret: string;
  handoffId: string;
  objects: { key: string; size: number; etag?: string }[];
  fromBucket: string;
  toBucket: string;
  toPrefix: string;
}

interface EngineFigures {
  engine: string;
  seconds: number;
  cpuSeconds: number;
  /** Wall and CPU seconds of the copy alone (start, watch), without start-up and verification. */
  copySeconds: number;
  copyCpuSeconds: number;
  maxRssMiB: number;
  bytesCopied: number;
  bytesMovedByReconciler: number;
  objects: number;
}

const ENGINE_NAMESPACE = 'kubeflow';
// The lab runs the Job's command with this machine's rclone; the image only has to be pinned.
const RCLONE_IMAGE = `docker.io/rclone/rclone@sha256:${'0'.repeat(64)}`;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
}

/** The child: one engine, start to verified, in this process (the reconciler's role). */
async function engineChild(file: string): Promise<void> {
  const job = JSON.parse(readFileSync(file, 'utf8')) as EngineJob;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const store = new ObjectStore({
    location: 'src',
    endpoint: job.s3.endpoint,
    region: job.s3.region,
    credentials: job.s3.credentials,
  });
  const cluster = new KubeClient({ location: 'dst', namespace: job.namespace, connection: { server: job.kube } });
  const settings = {
    engines: [job.engine],
    // Parts of 64 MiB above 256 MiB for server-side (S3's defaults are 512 MiB above 5 GiB).
    serverSideMultipartThresholdBytes: 256 * MiB,
    serverSidePartSizeBytes: 64 * MiB,
    kubernetesJob: {
      image: RCLONE_IMAGE,
      namespace: job.namespace,
      backoffLimit: 0,
      credentialsSecret: { name: job.secret },
    },
  };
  const side = (location: string): TransferSide => ({
    location,
    endpoint: job.s3.endpoint,
    region: job.s3.region,
    store,
    settings,
    cluster,
  });
  const manifest: TransferManifest = {
    handoffId: job.handoffId,
    source: side('src'),
    target: side('dst'),
    objects: job.objects.map((o) => ({
      artifact: o.key,
      path: '',
      source: { bucket: job.fromBucket, key: o.key },
      target: { bucket: job.toBucket, key: `${job.toPrefix}/${o.key}` },
      size: o.size,
      ...(o.etag ? { etag: o.etag } : {}),
    })),
  };
  const engine =
    job.engine === 'inline'
      ? inlineEngine()
      : job.engine === 'server-side'
        ? serverSideEngine()
        : kubernetesJobEngine({ pollMs: 1000 });
  // While the engine copies (started, then watched to the end): what the reconciler spends waiting.
  const copyCpu = process.cpuUsage();
  const copyStarted = process.hrtime.bigint();
  const result = await (await engine.startOrResume(manifest)).watch();
  const copying = process.cpuUsage(copyCpu);
  const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
  await verifyTransfer(manifest, result);
  store.close();
  const used = process.cpuUsage(cpu);
  const out: EngineFigures = {
    engine: job.engine,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    copySeconds,
    copyCpuSeconds: (copying.user + copying.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    bytesCopied: result.bytesCopied,
    bytesMovedByReconciler: result.bytesMovedByReconciler,
    objects: result.objects,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runEngineChild(job: EngineJob, dir: string): Promise<EngineFigures> {
  const file = join(dir, `engine-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [process.argv[1]!, '--engine-child', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`${job.engine} engine failed (exit ${code})`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as EngineFigures);
    });
  });
}

async function compareEngines(): Promise<Record<string, unknown>> {
  const large = Math.round(flag('large-gib', Number(process.env['BENCH_ENGINES_LARGE_GIB'] ?? 1)) * 1024 * MiB);
  const smallCount = Math.round(flag('small-count', Number(process.env['BENCH_ENGINES_SMALL_COUNT'] ?? 2000)));
  const small = Math.round(flag('small-kib', 4) * 1024);
  const total = large + small * smallCount;
  const rclone = ensureRclone();
  const dir = mkdtempSync(join(process.env['SPLIT_PIPELINES_BENCH_DIR'] ?? tmpdir(), 'sp-bench-engines-'));
  const s3 = await startObjectStore({ dir: join(dir, 's3'), buckets: ['root-src', 'root-dst'] });
  const kube = await startKubeServer({ dir: join(dir, 'kube') });
  try {
    const endpoint: Endpoint = { name: 'lab', endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials };
    await fetch(`${kube.url}/api/v1/namespaces/${ENGINE_NAMESPACE}/secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        metadata: { name: 'store-creds' },
        stringData: {
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        },
      }),
    }).then((r) => {
      if (!r.ok) throw new Error(`cannot create the Job's Secret: ${r.status}`);
    });
    say(
      `Engines: writing the handoff's objects as KFP's launcher does: ${large > 0 ? `1 × ${round2(large / 1024 / MiB)} GiB + ` : ''}` +
        `${smallCount} × ${small / 1024} KiB (${round2(total / 1e9)} GB) on one lab S3 endpoint, two buckets`,
    );
    const source = storeOf(endpoint);
    const objects: { key: string; size: number; etag?: string }[] = [];
    if (large > 0) {
      const key = 'v2/artifacts/bench/run/train/model/model.bin';
      const up = await new Upload({
        client: source.s3,
        params: { Bucket: 'root-src', Key: key, Body: bytesStream('large', large), ContentLength: large },
        partSize: 64 * MiB,
        queueSize: 4,
      }).done();
      objects.push({ key, size: large, ...(up.ETag ? { etag: up.ETag } : {}) });
    }
    for (let i = 0; i < smallCount; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, smallCount - i) }, async (_, j) => {
          const key = `v2/artifacts/bench/run/step-${String(i + j).padStart(5, '0')}/out/data`;
          const chunks: Buffer[] = [];
          for await (const c of bytesStream(key, small)) chunks.push(c as Buffer);
          const put = await source.s3.send(
            new PutObjectCommand({ Bucket: 'root-src', Key: key, Body: Buffer.concat(chunks) }),
          );
          return { key, size: small, ...(put.ETag ? { etag: put.ETag } : {}) };
        }),
      );
      objects.push(...batch);
    }
    source.close();
    const results: EngineFigures[] = [];
    for (const engine of ['inline', 'server-side', 'kubernetes-job'] as const) {
      const r = await runEngineChild(
        {
          engine,
          s3: endpoint,
          kube: kube.url,
          namespace: ENGINE_NAMESPACE,
          secret: 'store-creds',
          handoffId: `bench-${engine}`,
          objects,
          fromBucket: 'root-src',
          toBucket: 'root-dst',
          toPrefix: engine,
        },
        dir,
      );
      results.push(r);
      say(
        `  ${engine.padEnd(15)} ${round2(r.seconds)} s, ${round2(total / 1e6 / r.seconds)} MB/s; reconciler: CPU ${round2(r.cpuSeconds)} s ` +
          `in all, ${round2(r.copyCpuSeconds)} s while copying (${round2((100 * r.copyCpuSeconds) / r.copySeconds)} % of one core), ` +
          `peak RSS ${Math.round(r.maxRssMiB)} MiB, ${r.bytesMovedByReconciler} bytes through it`,
      );
      rmSync(join(dir, 's3', 'root-dst', engine), { recursive: true, force: true });
    }
    const inline = results[0]!;
    const per = Object.fromEntries(
      results.map((r) => [
        r.engine,
        {
          seconds: round2(r.seconds),
          MBps: round2(total / 1e6 / r.seconds),
          speedupVsInline: round2(inline.seconds / r.seconds),
          reconcilerCpuSeconds: round2(r.cpuSeconds),
          reconcilerCpuVsInline: round2(r.cpuSeconds / inline.cpuSeconds),
          reconcilerCpuSecondsWhileCopying: round2(r.copyCpuSeconds),
          reconcilerCpuPercentWhileCopying: round2((100 * r.copyCpuSeconds) / r.copySeconds),
          reconcilerPeakRssMiB: Math.round(r.maxRssMiB),
          bytesThroughReconciler: r.bytesMovedByReconciler,
        },
      ]),
    );
    say(`  (${rclone} in the Job; ratios against inline in this run)`);
    return { bytes: total, largeBytes: large, smallObjects: smallCount, smallBytes: small, engines: per };
  } finally {
    await kube.close();
    await s3.close();
    if (!process.env['SPLIT_PIPELINES_BENCH_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--engine-child');
  if (child >= 0) return engineChild(process.argv[child + 1]!);
  const copy = process.argv.includes('--engines') ? {} : await viaRclone();
  say('');
  const engines = await compareEngines();
  figures('transfer', { ...copy, engines });
}

runBench(main);
