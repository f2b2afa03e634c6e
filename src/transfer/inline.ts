// The `inline` engine: today's streaming copy, each object through this process (copyObject: one
// GET, one PUT or multipart upload, SHA-256 checked while streaming). Always usable.
import { copyObject, listCovering, type KnownObject } from '../location/objectstore/index.js';
import { Limiter } from '../pipeline/driver/limiter.js';
import { forEachAtMost } from './each.js';
import {
  emptyTransferResult,
  type TransferEngine,
  type TransferManifest,
  type TransferOptions,
  type TransferResult,
  type WrittenObject,
} from './engine.js';

const COPY_CONCURRENCY = 8;
const LARGE_AT_ONCE = 2;

export function inlineEngine(): TransferEngine {
  return {
    name: 'inline',
    usable: () => ({ usable: true }),
    async startOrResume(manifest, options = {}) {
      return { resumed: false, watch: () => copyInline(manifest, options) };
    },
  };
}

async function copyInline(manifest: TransferManifest, options: TransferOptions): Promise<TransferResult> {
  const target = manifest.target.store;
  const source = manifest.source.store;
  const jobs = manifest.objects;
  const progress = {
    objects: jobs.length,
    objectsDone: 0,
    bytes: jobs.reduce((n, o) => n + o.size, 0),
    bytesDone: 0,
    bytesMoved: 0,
    bytesSkipped: 0,
  };
  const result = emptyTransferResult('inline', jobs.length);
  options.onProgress?.({ ...progress });
  // What the target already holds, in one listing rather than a HEAD per object.
  const listing =
    jobs.length > 1
      ? await listCovering(
          target,
          jobs.map((j) => j.target),
        )
      : undefined;
  // Eight objects at once, at most two above the multipart threshold (each holds a pool of part
  // buffers): memory stays bounded by ~8 × the threshold plus two pools, whatever the objects.
  const large = new Limiter(LARGE_AT_ONCE);
  await forEachAtMost(jobs, options.concurrency ?? COPY_CONCURRENCY, async (o) => {
    options.signal?.throwIfAborted();
    const known: KnownObject = {
      size: o.size,
      ...(o.sha256 ? { sha256: o.sha256 } : {}),
      ...(o.etag ? { etag: o.etag } : {}),
    };
    const copy = () =>
      copyObject(source, o.source, target, o.target, {
        source: known,
        targetAbsent: listing !== undefined && listing.at(o.target) === undefined,
      });
    const r = o.size > target.multipartThresholdBytes ? await large.run(copy) : await copy();
    const w: WrittenObject = { artifact: o.artifact, path: o.path, target: o.target, size: o.size, skipped: r.skipped };
    if (r.sha256) w.sha256 = r.sha256;
    if (r.etag) w.etag = r.etag;
    result.written.push(w);
    if (r.skipped) {
      result.skipped++;
      progress.bytesSkipped += o.size;
    } else {
      result.copied++;
      result.bytesCopied += r.bytes;
      result.bytesMovedByReconciler += r.bytes;
      progress.bytesMoved += r.bytes;
    }
    progress.objectsDone++;
    progress.bytesDone += o.size;
    options.onProgress?.({ ...progress });
  });
  return result;
}
