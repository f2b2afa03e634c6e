// Copying one object between two locations' stores (S3 has no cross-endpoint copy, so the bytes
// stream through this process). The destination key only ever holds a complete object: small
// objects go in one PUT, large ones in a multipart upload that is completed only after the whole
// stream passed its checks, and aborted otherwise (see put.ts).
import { ObjectStoreError } from './errors.js';
import { sameEtag, SHA256_METADATA } from './integrity.js';
import type { ObjectInfo, ObjectRef, ObjectStore } from './client.js';

/** Metadata naming the source ETag a copy was made from, for sources without our sha256. */
export const SOURCE_ETAG_METADATA = 'source-etag';

/** What a listing or a bundle says the source object is: lets a copy go without HEADing it. */
export interface KnownObject {
  size: number;
  sha256?: string;
  etag?: string;
}

export interface CopyOptions {
  /** Skip when the destination already holds the same bytes (same size and sha256, or copied
   * from the same source ETag). Default true. */
  skipIfSame?: boolean;
  /** Whole-copy attempts when the source download breaks mid-stream. Default 3. */
  attempts?: number;
  /** The source as last listed; without it (or without its sha256 and ETag) the copy HEADs it. */
  source?: KnownObject;
  /** A listing just showed the destination key free: write without HEADing it first. */
  targetAbsent?: boolean;
}

export interface CopyResult {
  source: ObjectRef & { location: string };
  destination: ObjectRef & { location: string };
  skipped: boolean;
  /** Bytes written to the destination (0 when skipped). */
  bytes: number;
  size: number;
  /** SHA-256 of the destination's bytes, when known (always, unless skipped without a record). */
  sha256: string | undefined;
  /** The destination's ETag: with the size, what tells later whether the object was replaced. */
  etag: string | undefined;
  /** True when the bytes read were checked against the source's recorded sha256. */
  verified: boolean;
}

function sameObject(src: KnownObject, dst: ObjectInfo | undefined): boolean {
  if (dst === undefined || dst.size !== src.size) return false;
  if (src.sha256 !== undefined && dst.sha256 !== undefined) return dst.sha256 === src.sha256;
  // Written by an earlier copy of this very source version (the metadata comes with the complete
  // object, so a present key with it is a whole copy).
  return sameEtag(dst.metadata[SOURCE_ETAG_METADATA], src.etag);
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

function missingSource(src: ObjectStore, srcRef: ObjectRef, dst: ObjectStore, cause?: unknown): ObjectStoreError {
  return new ObjectStoreError({
    location: src.location,
    operation: 'copy',
    ...srcRef,
    code: 'NoSuchKey',
    status: 404,
    message: `the source object does not exist, so it cannot be copied to ${dst.location}`,
    cause,
  });
}

/**
 * Copies one object: at most a HEAD of the destination (none when a listing showed it free), the
 * GET and the PUT — the GET's headers say what a HEAD of the source would.
 */
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
  const skipIfSame = options.skipIfSame !== false;
  let known = options.source;
  if (
    known === undefined ||
    (skipIfSame && !options.targetAbsent && known.sha256 === undefined && known.etag === undefined)
  ) {
    const info = await src.head(srcRef);
    if (info === undefined) throw missingSource(src, srcRef, dst);
    known = {
      size: info.size,
      ...(info.sha256 ? { sha256: info.sha256 } : {}),
      ...(info.etag ? { etag: info.etag } : {}),
    };
  }
  if (skipIfSame && !options.targetAbsent) {
    const existing = await dst.head(dstRef);
    if (sameObject(known, existing)) {
      return {
        ...base,
        skipped: true,
        bytes: 0,
        size: known.size,
        sha256: existing!.sha256 ?? known.sha256,
        etag: existing!.etag,
        verified: false,
      };
    }
  }
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    let download;
    try {
      download = await src.get(srcRef);
    } catch (err) {
      if ((err as ObjectStoreError).status === 404) throw missingSource(src, srcRef, dst, err);
      throw err;
    }
    const { info, body } = download;
    if (info.size !== known.size) {
      body.destroy();
      throw new ObjectStoreError({
        location: src.location,
        operation: 'copy',
        ...srcRef,
        code: 'LengthMismatch',
        message:
          `the object is ${info.size} bytes, but it was ${known.size} when listed: it changed since; ` +
          `nothing was written to ${dst.location} ${dstRef.bucket}/${dstRef.key} (run again to copy what is there now)`,
      });
    }
    const sha256 = known.sha256 ?? info.sha256;
    let sourceFailure: unknown;
    body.once('error', (err) => {
      sourceFailure = err;
    });
    try {
      const written = await dst.put(dstRef, body, {
        contentLength: info.size,
        contentType: info.contentType,
        metadata: copyMetadata(info),
        ...(sha256 ? { sha256 } : {}),
      });
      return {
        ...base,
        skipped: false,
        bytes: written.size,
        size: written.size,
        sha256: written.sha256,
        etag: written.etag,
        verified: sha256 !== undefined,
      };
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
          message:
            `${(err as Error).message.replace(/^object store '[^']*': put [^:]*: /, '')}; the source object changed ` +
            `or is corrupt, and nothing was written to ${dst.location} ${dstRef.bucket}/${dstRef.key}`,
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
