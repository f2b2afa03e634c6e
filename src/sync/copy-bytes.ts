// First phase of a handoff: the artifacts' bytes, under the target's pipeline root. Each object is
// copied whole (never a partial object under its final key), verified by SHA-256, and skipped when
// the target already holds the same bytes — so a killed handoff resumes and a repeated one moves 0.
// And never an object the file's `spec.data` keeps out of the target: the plan already carries such
// artifacts as records only, but the copy checks again, by the rule `bundle import` applies
// (export-travel.ts importResidencyRefusals), so no bug upstream can store residency-bound bytes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listCovering, type ObjectRef, type ObjectStore } from '../location/objectstore/index.js';
import type { RecordedObject } from '../observe/cache-lookup.js';
import type { BundleArtifact, BundleObject, HandoffBundle } from './bundle.js';
import { HandoffError } from './export.js';
import { importResidencyRefusals } from './export-travel.js';
import type { DataRule } from '../plan/residency.js';
import { UserError } from '../errors/user-error.js';
import { Limiter } from '../pipeline/driver/limiter.js';
import { forEachConcurrently } from '../units/parallel.js';
import type {
  LocationTransferSettings,
  TransferEngine,
  TransferEngineName,
  TransferSide,
  TransferSpec,
} from '../transfer/engine.js';
import { chooseEngine } from '../transfer/choose.js';
import { inlineEngine } from '../transfer/inline.js';
import { serverSideEngine } from '../transfer/server-side.js';
import { verifyTransfer } from '../transfer/verify.js';

export interface ByteProgress {
  objects: number;
  objectsDone: number;
  bytes: number;
  bytesMoved: number;
  bytesSkipped: number;
}

export interface CopyBytesResult {
  objects: number;
  copied: number;
  skipped: number;
  bytesMoved: number;
  /** Artifact global id → its objects as written at the target: size, SHA-256 and ETag. */
  digests: Map<string, RecordedObject[]>;
  /** The transfer engine that copied the bytes (bundles from a directory: always inline). */
  engine: TransferEngineName;
  /** Bytes the engine copied, wherever it ran (0 for objects already at the target). */
  bytesCopied: number;
  /** The engine went on with an earlier run's work (a Job found by the handoff's name). */
  resumed: boolean;
  /** Where the work ran, when not in this process (`job kubeflow/sp-xfer-… at b`). */
  detail?: string;
}

/** How a handoff between two stores chooses its engine (the file's settings; all optional). */
export interface TransferChoice {
  spec?: TransferSpec;
  source?: LocationTransferSettings;
  target?: LocationTransferSettings;
  /** Stable id of the handoff, for engines that name their work. */
  handoffId?: string;
  /** Engines besides inline and server-side (kubernetes-job), with their cluster context. */
  engines?: TransferEngine[];
  /** The locations' Kubernetes clients (TransferSide.cluster), for engines that run there. */
  sourceCluster?: unknown;
  targetCluster?: unknown;
}

/** The target URI of a carried artifact: the same path under the target's pipeline root. */
export function targetUri(artifact: BundleArtifact, targetRoot: string): string {
  if (artifact.relativePath === undefined) return artifact.uri;
  return `${targetRoot.replace(/\/+$/, '')}/${artifact.relativePath}`;
}

/**
 * A carried artifact (an output of a handed-off step) always lies under the source's pipeline root,
 * where KFP wrote it; one without a path under that root cannot be placed under the target's, and
 * leaving its bytes behind would hand off a step whose outputs are missing at the target.
 */
export function outsideRoot(bundle: HandoffBundle, a: BundleArtifact): HandoffError {
  return new HandoffError(
    `the handoff from ${bundle.source.location} carries artifact ${a.uri} (${a.globalId}), ` +
      `which is outside the source's pipeline root ${bundle.source.pipelineRoot}: ` +
      "its bytes cannot be placed under the target's root; " +
      `export again with the pipeline root KFP uses at ${bundle.source.location} configured for it`,
  );
}

function objectRef(store: ObjectStore, uri: string, path: string): ObjectRef {
  const base = store.resolve(uri);
  if (path === '') return base;
  return { bucket: base.bucket, key: `${base.key.replace(/\/+$/, '')}/${path}` };
}

/** Where the copy writes, for the residency check: the target location and the file's `spec.data`. */
export interface CopyResidency {
  location: string;
  data: readonly DataRule[];
}

/** The copy would store bytes at a location the file's `spec.data` keepIn leaves out. */
export class ResidencyRefusedError extends UserError {
  constructor(bundle: HandoffBundle, location: string, refusals: string[]) {
    super(
      `the handoff of ${bundle.steps.join(', ')} from ${bundle.source.location} to ${location} would store ` +
        `at ${location} the bytes of ${refusals.join('; ')} (spec.data keepIn); nothing was copied`,
      {
        code: 'residency',
        operation: 'handoff',
        location,
        advice:
          'plan again with this file: an artifact kept out of a location travels there as records only, and a ' +
          'placement that makes a step read it there is refused; place the steps that read it at a location its keepIn lists',
      },
    );
    this.name = 'ResidencyRefusedError';
  }
}

const COPY_CONCURRENCY = 8;
const LARGE_AT_ONCE = 2;

export type ByteSource = { kind: 'store'; store: ObjectStore } | { kind: 'bundle'; dir: string };

interface CopyJob {
  artifact: BundleArtifact;
  object: BundleObject;
  dstRef: ObjectRef;
}

export async function copyBytes(
  bundle: HandoffBundle,
  from: ByteSource,
  target: { store: ObjectStore; pipelineRoot: string },
  options: {
    concurrency?: number;
    onProgress?: (p: ByteProgress) => void;
    transfer?: TransferChoice;
    /** The file's residency rules at the target: an object they keep out is refused before any is written. */
    residency?: CopyResidency;
  } = {},
): Promise<CopyBytesResult> {
  if (options.residency) {
    const refusals = importResidencyRefusals(bundle, options.residency.location, options.residency.data);
    if (refusals.length > 0) throw new ResidencyRefusedError(bundle, options.residency.location, refusals);
  }
  const carried = new Set(bundle.executions.flatMap((e) => e.outputs.map((o) => o.artifact)));
  const jobs: CopyJob[] = [];
  for (const a of bundle.artifacts) {
    if (!carried.has(a.globalId)) continue;
    if (a.relativePath === undefined) throw outsideRoot(bundle, a);
    const uri = targetUri(a, target.pipelineRoot);
    for (const o of a.objects) jobs.push({ artifact: a, object: o, dstRef: objectRef(target.store, uri, o.path) });
  }
  const progress: ByteProgress = {
    objects: jobs.length,
    objectsDone: 0,
    bytes: jobs.reduce((n, j) => n + j.object.size, 0),
    bytesMoved: 0,
    bytesSkipped: 0,
  };
  if (from.kind === 'store') return copyByEngine(bundle, from.store, target.store, jobs, progress, options);
  const result: CopyBytesResult = {
    objects: jobs.length,
    copied: 0,
    skipped: 0,
    bytesMoved: 0,
    digests: new Map(),
    engine: 'inline',
    bytesCopied: 0,
    resumed: false,
  };
  const record = (job: CopyJob, written: { sha256?: string | undefined; etag?: string | undefined }) => {
    const list = result.digests.get(job.artifact.globalId) ?? [];
    list.push({
      path: job.object.path,
      size: job.object.size,
      ...(written.sha256 ? { sha256: written.sha256 } : {}),
      ...(written.etag ? { etag: written.etag } : {}),
    });
    result.digests.set(job.artifact.globalId, list);
  };
  options.onProgress?.({ ...progress });
  // What the target already holds, in one listing rather than a HEAD per object (most keys of a
  // first handoff are free); keys it shows taken are HEADed for their metadata.
  const listing =
    jobs.length > 1
      ? await listCovering(
          target.store,
          jobs.map((j) => j.dstRef),
        )
      : undefined;
  const targetAbsent = (job: CopyJob) => listing !== undefined && listing.at(job.dstRef) === undefined;
  const copyOne = async (job: CopyJob): Promise<{ moved: number; skipped: boolean }> => {
    const o = job.object;
    const existing = targetAbsent(job) ? undefined : await target.store.head(job.dstRef);
    if (existing && existing.size === o.size && o.sha256 && existing.sha256 === o.sha256) {
      record(job, existing);
      return { moved: 0, skipped: true };
    }
    const file = join(from.dir, 'objects', job.artifact.relativePath!, o.path);
    const st = await stat(file).catch(() => undefined);
    if (!st)
      throw new HandoffError(
        `the bundle has no bytes for ${job.artifact.uri}${o.path ? `/${o.path}` : ''} (expected ${file})`,
      );
    const written = await target.store.put(job.dstRef, createReadStream(file), {
      contentLength: st.size,
      ...(o.sha256 ? { sha256: o.sha256 } : {}),
    });
    record(job, written);
    return { moved: written.size, skipped: false };
  };
  // Eight objects at once (small objects are bound by request latency, and the stores' own
  // concurrency), but at most two above the multipart threshold: each holds a pool of part
  // buffers, and two already keep a link busy. Memory stays bounded by ~8 × the threshold plus
  // two pools, whatever the objects.
  const large = new Limiter(LARGE_AT_ONCE);
  await forEachConcurrently(jobs, options.concurrency ?? COPY_CONCURRENCY, async (job) => {
    const { moved, skipped } =
      job.object.size > target.store.multipartThresholdBytes ? await large.run(() => copyOne(job)) : await copyOne(job);
    if (skipped) {
      result.skipped++;
      progress.bytesSkipped += job.object.size;
    } else {
      result.copied++;
      result.bytesMoved += moved;
      result.bytesCopied += moved;
      progress.bytesMoved += moved;
    }
    progress.objectsDone++;
    options.onProgress?.({ ...progress });
  });
  return result;
}

function sideOf(store: ObjectStore, settings: LocationTransferSettings | undefined, cluster: unknown): TransferSide {
  return {
    location: store.location,
    endpoint: store.endpoint,
    region: store.region,
    store,
    settings,
    ...(cluster !== undefined ? { cluster } : {}),
  };
}

/** Store to store: the engine the file chooses copies, then the shared verification, before any record. */
async function copyByEngine(
  bundle: HandoffBundle,
  source: ObjectStore,
  target: ObjectStore,
  jobs: CopyJob[],
  progress: ByteProgress,
  options: { concurrency?: number; onProgress?: (p: ByteProgress) => void; transfer?: TransferChoice },
): Promise<CopyBytesResult> {
  const t = options.transfer ?? {};
  const manifest = {
    handoffId:
      t.handoffId ??
      `${bundle.splitPipeline}-${bundle.revision}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 40),
    source: sideOf(source, t.source, t.sourceCluster),
    target: sideOf(target, t.target, t.targetCluster),
    objects: jobs.map((j) => ({
      artifact: j.artifact.globalId,
      path: j.object.path,
      source: objectRef(source, j.artifact.uri, j.object.path),
      target: j.dstRef,
      size: j.object.size,
      ...(j.object.sha256 ? { sha256: j.object.sha256 } : {}),
      ...(j.object.etag ? { etag: j.object.etag } : {}),
    })),
  };
  const engines = [inlineEngine(), serverSideEngine(), ...(t.engines ?? [])];
  const { engine } = chooseEngine(t.spec, manifest.source, manifest.target, progress.bytes, engines);
  const run = await engine.startOrResume(manifest, {
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.onProgress
      ? {
          onProgress: (p) =>
            options.onProgress!({
              objects: p.objects,
              objectsDone: p.objectsDone,
              bytes: p.bytes,
              bytesMoved: p.bytesMoved,
              // Bytes another engine copied count as done, not as moved by this process.
              bytesSkipped: p.bytesDone - p.bytesMoved,
            }),
        }
      : {}),
  });
  const done = await run.watch();
  const digests = await verifyTransfer(manifest, done);
  return {
    objects: done.objects,
    copied: done.copied,
    skipped: done.skipped,
    bytesMoved: done.bytesMovedByReconciler,
    digests,
    engine: done.engine,
    bytesCopied: done.bytesCopied,
    resumed: done.resumed,
    ...(done.detail !== undefined ? { detail: done.detail } : {}),
  };
}
