// One copy between two S3 endpoints in a process of its own, so its wall time and peak RSS are
// what a user's process would show: it imports only the copy path, not the lab. `ours` is the
// handoff's bytes phase exactly as apply runs it (copyBytes → copyObject, default settings);
// `raw` is the least a copy can do (GET, PUT the stream; no checks, no digests). Reads the job
// from the JSON file named on the command line, prints its figures as one JSON line.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectStore, type ObjectStoreConfig } from '../../src/location/objectstore/index.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleArtifact, type HandoffBundle } from '../../src/sync/bundle.js';
import { copyBytes } from '../../src/sync/copy-bytes.js';

export interface Endpoint {
  name: string;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface CopyJob {
  mode: 'ours' | 'raw';
  source: Endpoint;
  target: Endpoint;
  bucket: string;
  /** Key prefixes, without a trailing slash. */
  fromPrefix: string;
  toPrefix: string;
  keys: { key: string; size: number }[];
}

export interface CopyFigures {
  seconds: number;
  bytesMoved: number;
  objectsCopied: number;
  objectsSkipped: number;
  maxRssMiB: number;
}

const MiB = 1024 * 1024;

/**
 * Transfer settings to try instead of the defaults (`BENCH_OBJECTSTORE='{"partSizeBytes":…}'`),
 * for exploring tuning; the reported figures always use the defaults.
 */
function tuning(): Partial<ObjectStoreConfig> {
  const raw = process.env['BENCH_OBJECTSTORE'];
  return raw ? (JSON.parse(raw) as Partial<ObjectStoreConfig>) : {};
}

export const storeOf = (e: Endpoint): ObjectStore => new ObjectStore({ ...tuning(), location: e.name, endpoint: e.endpoint, region: e.region, credentials: e.credentials });

/** A handoff bundle carrying `keys`, one artifact each, as exportHandoff describes objects KFP wrote. */
export function bundleOf(job: CopyJob): HandoffBundle {
  const artifacts: BundleArtifact[] = job.keys.map((k, i) => ({
    globalId: `split-pipelines/v1/${job.source.name}/artifact/${i + 1}`,
    type: 'system.Dataset',
    uri: `minio://${job.bucket}/${k.key}`,
    relativePath: k.key.slice(job.fromPrefix.length + 1),
    state: 'LIVE',
    customProperties: {},
    objects: [{ path: '', size: k.size }],
  }));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: 'bench',
    revision: 'bench',
    pipelineName: 'bench',
    source: { location: job.source.name, kfpVersion: '2.17.0', pipelineRoot: `minio://${job.bucket}/${job.fromPrefix}` },
    steps: ['produce'],
    executions: [
      {
        globalId: `split-pipelines/v1/${job.source.name}/execution/1`,
        type: 'system.ContainerExecution',
        state: 'COMPLETE',
        customProperties: {},
        path: ['produce'],
        iteration: [],
        outputs: artifacts.map((a) => ({ name: 'data', artifact: a.globalId })),
        inputs: [],
      },
    ],
    artifacts,
    consumedOnly: [],
    importerArtifacts: [],
    createdAt: new Date().toISOString(),
    bytesIncluded: false,
  };
}

async function rawCopy(job: CopyJob, source: ObjectStore, target: ObjectStore): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < job.keys.length) {
      const k = job.keys[next++]!;
      const out = await source.s3.send(new GetObjectCommand({ Bucket: job.bucket, Key: k.key }));
      const key = `${job.toPrefix}/${k.key.slice(job.fromPrefix.length + 1)}`;
      const body = out.Body as Readable;
      if (k.size <= 16 * MiB) await target.s3.send(new PutObjectCommand({ Bucket: job.bucket, Key: key, Body: body, ContentLength: k.size }));
      else await new Upload({ client: target.s3, params: { Bucket: job.bucket, Key: key, Body: body, ContentLength: k.size }, partSize: 8 * MiB, queueSize: 4 }).done();
      bytes += k.size;
    }
  };
  // As many objects at once as copyBytes moves (its default concurrency).
  await Promise.all(Array.from({ length: 4 }, worker));
  return bytes;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CopyJob;
  const source = storeOf(job.source);
  const target = storeOf(job.target);
  const start = process.hrtime.bigint();
  let moved: Omit<CopyFigures, 'seconds' | 'maxRssMiB'>;
  if (job.mode === 'ours') {
    // BENCH_COPY_CONCURRENCY explores other concurrencies; apply uses copyBytes' default.
    const concurrency = Number(process.env['BENCH_COPY_CONCURRENCY']) || undefined;
    const r = await copyBytes(bundleOf(job), { kind: 'store', store: source }, { store: target, pipelineRoot: `minio://${job.bucket}/${job.toPrefix}` }, concurrency ? { concurrency } : {});
    moved = { bytesMoved: r.bytesMoved, objectsCopied: r.copied, objectsSkipped: r.skipped };
  } else {
    moved = { bytesMoved: await rawCopy(job, source, target), objectsCopied: job.keys.length, objectsSkipped: 0 };
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  source.close();
  target.close();
  const figures: CopyFigures = { ...moved, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

// Run only as the child's entry point (bench/run.mjs bundles it as dist/bench/copy-child.mjs).
if (/copy-child\.(mjs|js|ts)$/.test(process.argv[1] ?? '')) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`copy failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
