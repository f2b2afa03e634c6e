// Verification after any engine, before any record is written: every object of the manifest must be
// at the target, whole (its size) and the same bytes (a digest), or the handoff stops and nothing
// is recorded — so a partial or altered copy never becomes visible to KFP. The inline engine checks
// the bytes as they stream (SHA-256 of what it wrote); the other engines never pass the bytes
// through this process, so their copies are checked by HEAD: size, then the strongest digest
// evidence the stores give without reading the bytes.
import { sameEtag, type ObjectInfo } from '../location/objectstore/index.js';
import type { RecordedObject } from '../observe/cache-lookup.js';
import { UserError } from '../errors/user-error.js';
import type { TransferManifest, TransferObject, TransferResult, WrittenObject } from './engine.js';
import { SOURCE_ETAG_METADATA } from '../location/objectstore/index.js';

export class TransferVerificationError extends UserError {
  constructor(message: string, location: string) {
    super(message, {
      code: 'transfer-verification',
      location,
      operation: 'verify-transfer',
      advice: 'nothing was recorded; run apply again to copy the object again (and check what else writes to that key)',
    });
    this.name = 'TransferVerificationError';
  }
}

/** rclone keeps the MD5 of multipart uploads as base64 user metadata `md5chksum`. */
function rcloneMd5Hex(info: ObjectInfo): string | undefined {
  const v = info.metadata['md5chksum'];
  return v ? Buffer.from(v, 'base64').toString('hex') : undefined;
}

/**
 * Why `info` (the target, by HEAD) is not a whole copy of `o`, or undefined when it is. Evidence,
 * strongest first: our recorded SHA-256 on both sides; the ETag the engine got when it wrote the
 * object (so nothing replaced it since) together with the source version it copied; the source's
 * ETag on the copy (a single-part copy keeps the MD5) or in rclone's `md5chksum`.
 */
export function mismatch(
  o: TransferObject,
  info: ObjectInfo | undefined,
  written: WrittenObject | undefined,
): string | undefined {
  if (info === undefined) return 'is missing at the target';
  if (info.size !== o.size)
    return `is ${info.size} bytes at the target, but ${o.size} at the source (a partial or altered copy)`;
  if (o.sha256 !== undefined && info.sha256 !== undefined) {
    return info.sha256 === o.sha256
      ? undefined
      : `has SHA-256 ${info.sha256} at the target, but ${o.sha256} at the source`;
  }
  // The engine read the copy back (a Job's `rclone hashsum`): its digest against the source's.
  const measured = written?.targetSha256;
  const expected = o.sha256 ?? written?.sourceSha256;
  if (measured !== undefined && expected !== undefined) {
    return measured === expected ? undefined : `has SHA-256 ${measured} at the target, but ${expected} at the source`;
  }
  if (o.etag === undefined) return undefined; // nothing known of the source's bytes beyond the size
  if (sameEtag(info.etag, o.etag)) return undefined;
  const rclone = rcloneMd5Hex(info);
  if (rclone !== undefined && sameEtag(rclone, o.etag)) return undefined;
  const copiedFrom = info.metadata[SOURCE_ETAG_METADATA];
  if (
    copiedFrom !== undefined &&
    sameEtag(copiedFrom, o.etag) &&
    written?.etag !== undefined &&
    sameEtag(written.etag, info.etag)
  ) {
    return undefined;
  }
  return `has ETag ${info.etag ?? 'none'} at the target, which does not show a copy of the source's version (ETag ${o.etag})`;
}

/**
 * Checks the target against the manifest and returns, per artifact, the objects to record (size,
 * SHA-256 when known, ETag as written). Throws TransferVerificationError naming every bad object.
 */
export async function verifyTransfer(
  manifest: TransferManifest,
  result: TransferResult,
): Promise<Map<string, RecordedObject[]>> {
  const written = new Map(result.written.map((w) => [`${w.target.bucket}/${w.target.key}`, w]));
  const out = new Map<string, RecordedObject[]>();
  const bad: string[] = [];
  const inline = result.engine === 'inline';
  for (const o of manifest.objects) {
    const w = written.get(`${o.target.bucket}/${o.target.key}`);
    let recorded: RecordedObject;
    if (inline && w !== undefined && w.size === o.size && (w.sha256 !== undefined || w.skipped)) {
      // Checked while streaming (put.ts refuses a wrong length or digest): no second request.
      recorded = {
        path: o.path,
        size: w.size,
        ...(w.sha256 ? { sha256: w.sha256 } : {}),
        ...(w.etag ? { etag: w.etag } : {}),
      };
    } else {
      const info = await manifest.target.store.head(o.target);
      const why = inline && w === undefined ? 'was not copied' : mismatch(o, info, w);
      if (why !== undefined) {
        bad.push(`${o.target.bucket}/${o.target.key} ${why}`);
        continue;
      }
      const sha256 = o.sha256 ?? info!.sha256 ?? (w?.targetSha256 === w?.sourceSha256 ? w?.targetSha256 : undefined);
      recorded = {
        path: o.path,
        size: info!.size,
        ...(sha256 ? { sha256 } : {}),
        ...(info!.etag ? { etag: info!.etag } : {}),
      };
    }
    const list = out.get(o.artifact) ?? [];
    list.push(recorded);
    out.set(o.artifact, list);
  }
  if (bad.length > 0) {
    throw new TransferVerificationError(
      `the ${result.engine} copy from ${manifest.source.location} to ${manifest.target.location}${result.detail ? ` (${result.detail})` : ''} ` +
        `did not verify: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more` : ''}`,
      manifest.target.location,
    );
  }
  return out;
}
