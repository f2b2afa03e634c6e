// Copying one object between two locations' stores (S3 has no cross-endpoint copy, so the bytes
// stream through this process). The destination key only ever holds a complete object: small
// objects go in one PUT, large ones in a multipart upload that is completed only after the whole
// stream passed its checks, and aborted otherwise (see put.ts).
import { ObjectStoreError } from './errors.js';
import { SHA256_METADATA } from './integrity.js';
import type { ObjectInfo, ObjectRef, ObjectStore } from './client.js';

/** Metadata naming the source ETag a copy was made from, for sources without our sha256. */
export const SOURCE_ETAG_METADATA = 'source-etag';

export interface CopyOptions {
  /** Skip when the destination already holds the same bytes (same size and sha256). Default true. */
  skipIfSame?: boolean;
  /** Whole-copy attempts when the source download breaks mid-stream. Default 3. */
  attempts?: number;
}

export interface CopyResult {
  source: ObjectRef & { location: string };
  destination: ObjectRef & { location: string };
  skipped: boolean;
  /** Bytes written to the destination (0 when skipped). */
  bytes: number;
  size: number;
  sha256: string | undefined;
  /** True when the bytes read were checked against the source's recorded sha256. */
  verified: boolean;
}

function sameObject(src: ObjectInfo, dst: ObjectInfo | undefined): boolean {
  if (dst === undefined || dst.size !== src.size || dst.sha256 === undefined) return false;
  if (src.sha256 !== undefined) return dst.sha256 === src.sha256;
  return src.etag !== undefined && dst.metadata[SOURCE_ETAG_METADATA] === src.etag;
}

const TRANSIENT_STREAM_CODES = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE'];

function isTransientStreamError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return (
    (typeof e?.code === 'string' && TRANSIENT_STREAM_CODES.includes(e.code)) ||
    (typeof e?.message === 'string' && e.message === 'aborted')
  );
}

function copyMetadata(src: ObjectInfo): Record<string, string> {
  const metadata: Record<string, string> = { ...src.metadata };
  delete metadata[SHA256_METADATA];
  delete metadata[SOURCE_ETAG_METADATA];
  if (src.etag !== undefined) metadata[SOURCE_ETAG_METADATA] = src.etag;
  return metadata;
}

export async function copyObject(
  src: ObjectStore,
  srcRef: ObjectRef,
  dst: ObjectStore,
  dstRef: ObjectRef,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const base = {
    source: { location: src.location, ...srcRef },
    destination: { location: dst.location, ...dstRef },
  };
  const info = await src.head(srcRef);
  if (info === undefined) {
    throw new ObjectStoreError({
      location: src.location,
      operation: 'copy',
      ...srcRef,
      code: 'NoSuchKey',
      status: 404,
      message: `the source object does not exist, so it cannot be copied to ${dst.location}`,
    });
  }
  if (options.skipIfSame !== false && sameObject(info, await dst.head(dstRef))) {
    return { ...base, skipped: true, bytes: 0, size: info.size, sha256: info.sha256 ?? undefined, verified: false };
  }
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    const { body } = await src.get(srcRef);
    let sourceFailure: unknown;
    body.once('error', (err) => {
      sourceFailure = err;
    });
    try {
      const written = await dst.put(dstRef, body, {
        contentLength: info.size,
        contentType: info.contentType,
        metadata: copyMetadata(info),
        sha256: info.sha256,
      });
      return { ...base, skipped: false, bytes: written.size, size: written.size, sha256: written.sha256, verified: info.sha256 !== undefined };
    } catch (err) {
      body.destroy();
      const integrity = integrityCode(err);
      if (integrity !== undefined) {
        // The bytes read are not the bytes the source recorded: the source changed or is corrupt.
        throw new ObjectStoreError({
          location: src.location,
          operation: 'copy',
          ...srcRef,
          code: integrity,
          message: `${(err as Error).message.replace(/^object store '[^']*': put [^:]*: /, '')}; the source object changed or is corrupt, and nothing was written to ${dst.location} ${dstRef.bucket}/${dstRef.key}`,
          cause: err,
        });
      }
      const transient = sourceFailure !== undefined && isTransientStreamError(sourceFailure);
      if (transient && attempt < attempts) continue;
      if (transient) {
        throw new ObjectStoreError({
          location: src.location,
          operation: 'copy',
          ...srcRef,
          message: `the download kept breaking off (${String((sourceFailure as Error).message)}) after ${attempt} attempts; retry later`,
          code: (sourceFailure as { code?: string }).code,
          attempts: attempt,
          cause: sourceFailure,
        });
      }
      throw err;
    }
  }
}

function integrityCode(err: unknown): 'ChecksumMismatch' | 'LengthMismatch' | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ChecksumMismatch' || code === 'LengthMismatch' ? code : undefined;
}
