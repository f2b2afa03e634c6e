// One copy between two S3 endpoints in a process of its own, so its wall time and peak RSS are
// what a user's process would show: it imports only the copy path, not the lab. `ours` is the
// handoff's bytes phase exactly as apply runs it (copyBytes → copyObject, default settings);
// `raw` is the least a copy can do (GET, PUT the stream; no checks, no digests). Reads the job
// from the JSON file named on the command line, prints its figures as one JSON line.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Artifact, Properties } from '../../src/location/mlmd/index.js';
import { ObjectStore, type ObjectStoreConfig } from '../../src/location/objectstore/index.js';
import { OBJECTS_PROPERTY, type RecordedObject } from '../../src/observe/cache-lookup.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleArtifact, type HandoffBundle } from '../../src/sync/bundle.js';
import { copyBytes } from '../../src/sync/copy-bytes.js';
import { objectsOf } from '../../src/sync/export-objects.js';

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
  /** What a previous handoff recorded of these objects (by key), as ML Metadata would hold it. */
  digests?: Record<string, RecordedObject[]>;
}

export interface CopyFigures {
  seconds: number;
  bytesMoved: number;
  objectsCopied: number;
  objectsSkipped: number;
  maxRssMiB: number;
  /** CPU seconds (user + system) the copy's process spent: on a machine whose stores run on the
   * same cores, the client's CPU is taken from the servers. */
  cpuSeconds: number;
  /** `ours`: what the handoff would record of each object written, by destination key. */
  digests?: Record<string, RecordedObject[]>;
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

export const storeOf = (e: Endpoint): ObjectStore =>
  new ObjectStore({
    ...tuning(),
    location: e.name,
    endpoint: e.endpoint,
    region: e.region,
    credentials: e.credentials,
  });

/**
 * A handoff bundle carrying `keys`, one artifact each, with the objects exactly as exportHandoff
 * describes them (objectsOf: one listing of the source; the SHA-256 from the record a previous
 * handoff left in ML Metadata, `digests`, while the object is unchanged). Timed with the copy.
 */
export async function bundleOf(job: CopyJob, source: ObjectStore): Promise<HandoffBundle> {
  const mlmdArtifacts = job.keys.map((k, i): Artifact => {
    const recorded = job.digests?.[k.key];
    const customProperties: Properties = recorded
      ? { [OBJECTS_PROPERTY]: { stringValue: JSON.stringify(recorded) } }
      : {};
    return { id: i + 1, uri: `minio://${job.bucket}/${k.key}`, customProperties };
  });
  const objects = await objectsOf(source, job.source.name, mlmdArtifacts);
  const artifacts: BundleArtifact[] = job.keys.map((k, i) => ({
    globalId: `split-pipelines/v1/${job.source.name}/artifact/${i + 1}`,
    type: 'system.Dataset',
    uri: `minio://${job.bucket}/${k.key}`,
    relativePath: k.key.slice(job.fromPrefix.length + 1),
    metadata: {},
    objects: objects.get(i + 1)!,
  }));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: 'bench',
    revision: 'bench',
    pipelineName: 'bench',
    source: {
      location: job.source.name,
      kfpVersion: '2.17.0',
      pipelineRoot: `minio://${job.bucket}/${job.fromPrefix}`,
    },
    steps: ['produce'],
    executions: [
      {
        globalId: `split-pipelines/v1/${job.source.name}/execution/1`,
        kind: 'container',
        parameters: {},
        properties: {},
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
      if (k.size <= 16 * MiB)
        await target.s3.send(new PutObjectCommand({ Bucket: job.bucket, Key: key, Body: body, ContentLength: k.size }));
      else
        await new Upload({
          client: target.s3,
          params: { Bucket: job.bucket, Key: key, Body: body, ContentLength: k.size },
          partSize: 8 * MiB,
          queueSize: 4,
        }).done();
      bytes += k.size;
    }
  };
  // As many objects at once as copyBytes moves (its default concurrency).
  await Promise.all(Array.from({ length: 8 }, worker));
  return bytes;
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CopyJob;
  const source = storeOf(job.source);
  const target = storeOf(job.target);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let moved: Omit<CopyFigures, 'seconds' | 'maxRssMiB' | 'cpuSeconds'>;
  if (job.mode === 'ours') {
    // BENCH_COPY_CONCURRENCY explores other concurrencies; apply uses copyBytes' default.
    const concurrency = Number(process.env['BENCH_COPY_CONCURRENCY']) || undefined;
    const r = await copyBytes(
      await bundleOf(job, source),
      { kind: 'store', store: source },
      { store: target, pipelineRoot: `minio://${job.bucket}/${job.toPrefix}` },
      concurrency ? { concurrency } : {},
    );
    const digests: Record<string, RecordedObject[]> = {};
    job.keys.forEach((k, i) => {
      const d = r.digests.get(`split-pipelines/v1/${job.source.name}/artifact/${i + 1}`);
      if (d) digests[`${job.toPrefix}/${k.key.slice(job.fromPrefix.length + 1)}`] = d;
    });
    moved = { bytesMoved: r.bytesMoved, objectsCopied: r.copied, objectsSkipped: r.skipped, digests };
  } else {
    moved = { bytesMoved: await rawCopy(job, source, target), objectsCopied: job.keys.length, objectsSkipped: 0 };
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  source.close();
  target.close();
  const cpu = process.cpuUsage(cpuStart);
  const figures: CopyFigures = {
    ...moved,
    seconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
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
