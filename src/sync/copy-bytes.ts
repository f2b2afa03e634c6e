// First phase of a handoff: the artifacts' bytes, under the target's pipeline root. Each object is
// copied whole (never a partial object under its final key), verified by SHA-256, and skipped when
// the target already holds the same bytes — so a killed handoff resumes and a repeated one moves 0.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyObject, type ObjectRef, type ObjectStore } from '../location/objectstore/index.js';
import type { BundleArtifact, HandoffBundle } from './bundle.js';
import { HandoffError } from './export.js';

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
  /** Artifact global id → its objects as written at the target, with their SHA-256 when known. */
  digests: Map<string, { path: string; size: number; sha256?: string }[]>;
}

/** The target URI of a carried artifact: the same path under the target's pipeline root. */
export function targetUri(artifact: BundleArtifact, targetRoot: string): string {
  if (artifact.relativePath === undefined) return artifact.uri;
  return `${targetRoot.replace(/\/+$/, '')}/${artifact.relativePath}`;
}

function objectRef(store: ObjectStore, uri: string, path: string): ObjectRef {
  const base = store.resolve(uri);
  if (path === '') return base;
  return { bucket: base.bucket, key: `${base.key.replace(/\/+$/, '')}/${path}` };
}

export type ByteSource = { kind: 'store'; store: ObjectStore } | { kind: 'bundle'; dir: string };

export async function copyBytes(
  bundle: HandoffBundle,
  from: ByteSource,
  target: { store: ObjectStore; pipelineRoot: string },
  options: { concurrency?: number; onProgress?: (p: ByteProgress) => void } = {},
): Promise<CopyBytesResult> {
  const carried = new Set(bundle.executions.flatMap((e) => e.outputs.map((o) => o.artifact)));
  const jobs: { artifact: BundleArtifact; path: string; size: number; sha256?: string }[] = [];
  for (const a of bundle.artifacts) {
    if (!carried.has(a.globalId) || a.relativePath === undefined) continue;
    for (const o of a.objects) {
      const job: (typeof jobs)[number] = { artifact: a, path: o.path, size: o.size };
      if (o.sha256) job.sha256 = o.sha256;
      jobs.push(job);
    }
  }
  const progress: ByteProgress = { objects: jobs.length, objectsDone: 0, bytes: jobs.reduce((n, j) => n + j.size, 0), bytesMoved: 0, bytesSkipped: 0 };
  const result: CopyBytesResult = { objects: jobs.length, copied: 0, skipped: 0, bytesMoved: 0, digests: new Map() };
  const record = (job: (typeof jobs)[number], sha256: string | undefined) => {
    const list = result.digests.get(job.artifact.globalId) ?? [];
    list.push({ path: job.path, size: job.size, ...(sha256 ? { sha256 } : {}) });
    result.digests.set(job.artifact.globalId, list);
  };
  options.onProgress?.({ ...progress });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const dstRef = objectRef(target.store, targetUri(job.artifact, target.pipelineRoot), job.path);
      let moved = 0;
      let skipped = false;
      if (from.kind === 'store') {
        const srcRef = objectRef(from.store, job.artifact.uri, job.path);
        const r = await copyObject(from.store, srcRef, target.store, dstRef);
        moved = r.bytes;
        skipped = r.skipped;
        record(job, r.sha256);
      } else {
        const existing = await target.store.head(dstRef);
        record(job, job.sha256);
        if (existing && existing.size === job.size && job.sha256 && existing.sha256 === job.sha256) skipped = true;
        else {
          const file = join(from.dir, 'objects', job.artifact.relativePath!, job.path);
          const st = await stat(file).catch(() => undefined);
          if (!st) throw new HandoffError(`the bundle has no bytes for ${job.artifact.uri}${job.path ? `/${job.path}` : ''} (expected ${file})`);
          await target.store.put(dstRef, createReadStream(file), { contentLength: st.size, ...(job.sha256 ? { sha256: job.sha256 } : {}) });
          moved = st.size;
        }
      }
      if (skipped) {
        result.skipped++;
        progress.bytesSkipped += job.size;
      } else {
        result.copied++;
        result.bytesMoved += moved;
        progress.bytesMoved += moved;
      }
      progress.objectsDone++;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, jobs.length)) }, worker));
  return result;
}
