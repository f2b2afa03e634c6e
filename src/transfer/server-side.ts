// The `server-side` engine: both locations on one S3 endpoint, so the store copies inside itself —
// CopyObject up to a threshold (S3's single-copy limit is 5 GiB), a multipart upload of
// UploadPartCopy ranges above it. No artifact byte passes through this process. Each copy is
// conditioned on the source version listed (`x-amz-copy-source-if-match`), the target key only
// ever shows a whole object (CopyObject and CompleteMultipartUpload are atomic), and a re-run skips
// objects already copied from that version, so it is idempotent. A multipart copy interrupted by a
// kill is resumed by the next run from the parts the store already holds (multipartCopy).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCopyCommand,
  type MultipartUpload,
  type Part,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  listCovering,
  sameEtag,
  SHA256_METADATA,
  SOURCE_ETAG_METADATA,
  type ObjectInfo,
  type ObjectRef,
} from '../location/objectstore/index.js';
import { forEachAtMost } from './each.js';
import {
  emptyTransferResult,
  type TransferEngine,
  type TransferManifest,
  type TransferObject,
  type TransferOptions,
  type TransferResult,
  type TransferSide,
  type Usability,
  type WrittenObject,
} from './engine.js';
import { UserError } from '../errors/user-error.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
export const DEFAULT_SERVER_SIDE_MULTIPART_THRESHOLD = 5 * GiB;
export const DEFAULT_SERVER_SIDE_PART_SIZE = 512 * MiB;

/** The endpoint two sides share when a server-side copy can join them (undefined endpoint: AWS S3 in the region). */
export function sameEndpoint(a: TransferSide, b: TransferSide): boolean {
  const norm = (s: TransferSide) => (s.endpoint ?? `aws:${s.region ?? 'us-east-1'}`).replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

export function allows(side: TransferSide, engine: string): boolean {
  const engines = side.settings?.engines;
  return engines === undefined ? engine !== 'kubernetes-job' : (engines as string[]).includes(engine);
}

function copySource(ref: ObjectRef): string {
  return `${encodeURIComponent(ref.bucket)}/${ref.key.split('/').map(encodeURIComponent).join('/')}`;
}

/** S3's answer to a CopyObject of a source above its single-copy limit. */
function tooLargeForOneCopy(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e.name === 'InvalidRequest' && /maximum allowable size for a copy source/.test(e.message ?? '');
}

/** Same bytes already at the target: our SHA-256 on both, or a copy made from this source version. */
function alreadyCopied(o: TransferObject, dst: ObjectInfo | undefined): boolean {
  if (dst === undefined || dst.size !== o.size) return false;
  if (o.sha256 !== undefined && dst.sha256 !== undefined) return dst.sha256 === o.sha256;
  return o.etag !== undefined && (sameEtag(dst.metadata[SOURCE_ETAG_METADATA], o.etag) || sameEtag(dst.etag, o.etag));
}

function copyFailed(manifest: TransferManifest, o: TransferObject, err: unknown): UserError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const changed = e.$metadata?.httpStatusCode === 412;
  return new UserError(
    `server-side copy of ${o.source.bucket}/${o.source.key} to ${o.target.bucket}/${o.target.key} at ${manifest.target.location} failed: ` +
      (changed ? 'the source object changed since it was listed' : `${e.name ?? 'error'}: ${e.message ?? String(err)}`),
    {
      code: 'transfer-server-side',
      location: manifest.target.location,
      operation: 'server-side-copy',
      advice: changed
        ? 'run apply again to copy the object as it is now'
        : "check that the target's credentials can read the source bucket and write the target bucket, or set spec.transfer.engine: inline",
      cause: err,
    },
  );
}

export function serverSideEngine(): TransferEngine {
  return {
    name: 'server-side',
    usable(source, target): Usability {
      if (!allows(source, 'server-side') || !allows(target, 'server-side')) {
        return {
          usable: false,
          reason: `transfer.engines of ${allows(source, 'server-side') ? target.location : source.location} does not list server-side`,
        };
      }
      if (!sameEndpoint(source, target)) {
        return {
          usable: false,
          reason: `${source.location} and ${target.location} use different object store endpoints`,
        };
      }
      return { usable: true };
    },
    async startOrResume(manifest: TransferManifest, options: TransferOptions = {}) {
      return { resumed: false, watch: () => copyAll(manifest, options) };
    },
  };
}

async function copyAll(manifest: TransferManifest, options: TransferOptions): Promise<TransferResult> {
  const store = manifest.target.store;
  const s3 = store.s3;
  const threshold =
    manifest.target.settings?.serverSideMultipartThresholdBytes ?? DEFAULT_SERVER_SIDE_MULTIPART_THRESHOLD;
  const partSize = Math.max(1, manifest.target.settings?.serverSidePartSizeBytes ?? DEFAULT_SERVER_SIDE_PART_SIZE);
  const result = emptyTransferResult('server-side', manifest.objects.length);
  const progress = {
    objects: manifest.objects.length,
    objectsDone: 0,
    bytes: manifest.objects.reduce((n, o) => n + o.size, 0),
    bytesDone: 0,
    bytesMoved: 0,
    bytesSkipped: 0,
  };
  let resumedParts = 0;
  options.onProgress?.({ ...progress });
  // What the target already holds, in one listing rather than a HEAD per object (most keys of a
  // first handoff are free); keys it shows taken are HEADed for their metadata.
  const listing =
    manifest.objects.length > 1
      ? await listCovering(
          store,
          manifest.objects.map((o) => o.target),
        )
      : undefined;
  await forEachAtMost(manifest.objects, options.concurrency ?? 8, async (o) => {
    options.signal?.throwIfAborted();
    const existing =
      listing !== undefined && listing.at(o.target) === undefined ? undefined : await store.head(o.target);
    const w: WrittenObject = { artifact: o.artifact, path: o.path, target: o.target, size: o.size, skipped: true };
    if (alreadyCopied(o, existing)) {
      if (existing!.etag) w.etag = existing!.etag;
      result.skipped++;
      progress.bytesSkipped += o.size;
    } else {
      const src = await manifest.source.store.head(o.source);
      if (src === undefined || src.size !== o.size || (o.etag !== undefined && !sameEtag(src.etag, o.etag))) {
        throw copyFailed(
          manifest,
          o,
          Object.assign(new Error('changed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }),
        );
      }
      const metadata: Record<string, string> = { ...src.metadata };
      delete metadata[SOURCE_ETAG_METADATA];
      delete metadata[SHA256_METADATA];
      if (src.etag) metadata[SOURCE_ETAG_METADATA] = src.etag.replace(/^"|"$/g, '');
      if (o.sha256 ?? src.sha256) metadata[SHA256_METADATA] = (o.sha256 ?? src.sha256)!;
      const common = { Bucket: o.target.bucket, Key: o.target.key };
      const ifMatch = src.etag ? { CopySourceIfMatch: src.etag } : {};
      try {
        const single =
          o.size <= threshold
            ? await s3
                .send(
                  new CopyObjectCommand({
                    ...common,
                    CopySource: copySource(o.source),
                    ...ifMatch,
                    MetadataDirective: 'REPLACE',
                    Metadata: metadata,
                    ...(src.contentType ? { ContentType: src.contentType } : {}),
                  }),
                  { abortSignal: options.signal },
                )
                .catch((err: unknown) => {
                  // Above the store's single-copy limit (S3: 5 GiB; the file's threshold set too high): in parts.
                  if (tooLargeForOneCopy(err)) return undefined;
                  throw err;
                })
            : undefined;
        if (single !== undefined) {
          if (single.CopyObjectResult?.ETag) w.etag = single.CopyObjectResult.ETag;
          result.bytesCopied += o.size;
        } else {
          const m = await multipartCopy(s3, o, common, metadata, src, ifMatch, partSize, options.signal);
          w.etag = m.etag;
          result.bytesCopied += m.bytesCopied;
          if (m.partsReused > 0) {
            result.resumed = true;
            resumedParts += m.partsReused;
          }
        }
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw copyFailed(manifest, o, err);
      }
      w.skipped = false;
      if (o.sha256) w.sha256 = o.sha256;
      result.copied++;
    }
    result.written.push(w);
    progress.objectsDone++;
    progress.bytesDone += o.size;
    options.onProgress?.({ ...progress });
  });
  if (resumedParts > 0) result.detail = `resumed multipart uploads with ${resumedParts} parts already copied`;
  return result;
}

interface Range {
  n: number;
  first: number;
  last: number;
}

interface MultipartOutcome {
  etag: string | undefined;
  /** Bytes the store copied in this run (parts an earlier run copied are not counted). */
  bytesCopied: number;
  /** Parts an earlier run's upload already held. */
  partsReused: number;
  parts: number;
}

/** The multipart uploads in progress for exactly `key` (ListMultipartUploads by prefix, every page). */
async function uploadsOf(s3: S3Client, bucket: string, key: string): Promise<MultipartUpload[]> {
  const out: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: key,
        ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
        ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
      }),
    );
    out.push(...(page.Uploads ?? []).filter((u) => u.Key === key && u.UploadId));
    if (!page.IsTruncated || page.NextKeyMarker === undefined) return out;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** Every part of an upload (ListParts, every page). */
async function partsOf(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<Part[]> {
  const out: Part[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListPartsCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        ...(marker !== undefined ? { PartNumberMarker: marker } : {}),
      }),
    );
    out.push(...(page.Parts ?? []));
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return out;
    marker = String(page.NextPartNumberMarker);
  }
}

/**
 * Whether an earlier run's upload can be completed with this run's parts. Its parts were each
 * copied conditioned on the source version that run listed, after the upload was created; the
 * source's current version was already in place then when its Last-Modified (whole seconds)
 * precedes the upload's creation by a second or more, so those parts are this version's bytes.
 * Its parts must also be this run's ranges (the same part size).
 */
function reusable(upload: MultipartUpload, parts: Part[], ranges: Range[], sourceModified: Date | undefined): boolean {
  if (sourceModified === undefined || upload.Initiated === undefined) return false;
  if (sourceModified.getTime() + 1000 > upload.Initiated.getTime()) return false;
  return parts.every((p) => {
    const r = p.PartNumber !== undefined ? ranges[p.PartNumber - 1] : undefined;
    return r !== undefined && p.Size === r.last - r.first + 1 && p.ETag !== undefined;
  });
}

async function abortQuietly(s3: S3Client, common: { Bucket: string; Key: string }, uploadId: string): Promise<void> {
  await s3.send(new AbortMultipartUploadCommand({ ...common, UploadId: uploadId })).catch(() => undefined);
}

/** The upload cannot become the object (the source changed, or the store refuses the parts): drop it. */
function uploadIsDead(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.$metadata?.httpStatusCode === 412 ||
    ['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'NoSuchUpload', 'InvalidRange'].includes(e.name ?? '')
  );
}

/**
 * A multipart copy that an interrupted run can resume: the upload an earlier run left for this key
 * (ListMultipartUploads, ListParts) is completed with only the missing parts copied, when its parts
 * are provably this source version's (see reusable); otherwise it is aborted and a new one started.
 * The key shows nothing new until CompleteMultipartUpload, which is atomic: never a partial object.
 * An upload interrupted by a network failure or a kill is left for the next run; one that can no
 * longer complete (the source changed, the store refuses its parts) is aborted.
 */
async function multipartCopy(
  s3: S3Client,
  o: TransferObject,
  common: { Bucket: string; Key: string },
  metadata: Record<string, string>,
  src: ObjectInfo,
  ifMatch: { CopySourceIfMatch?: string },
  partSize: number,
  signal: AbortSignal | undefined,
): Promise<MultipartOutcome> {
  // S3 allows at most 10,000 parts: larger objects get larger parts.
  const size = Math.max(partSize, Math.ceil(o.size / 10_000));
  const ranges: Range[] = [];
  for (let first = 0, n = 1; first < o.size; first += size, n++)
    ranges.push({ n, first, last: Math.min(o.size, first + size) - 1 });

  let uploadId: string | undefined;
  const have = new Map<number, string>();
  // The newest earlier upload that fits is resumed; the others are aborted (never two for one key).
  const earlier = (await uploadsOf(s3, common.Bucket, common.Key)).sort(
    (a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0),
  );
  for (const u of earlier) {
    if (uploadId === undefined) {
      const parts = await partsOf(s3, common.Bucket, common.Key, u.UploadId!);
      if (reusable(u, parts, ranges, src.lastModified)) {
        uploadId = u.UploadId!;
        for (const p of parts) have.set(p.PartNumber!, p.ETag!);
        continue;
      }
    }
    await abortQuietly(s3, common, u.UploadId!);
  }
  if (uploadId === undefined) {
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        ...common,
        Metadata: metadata,
        ...(src.contentType ? { ContentType: src.contentType } : {}),
      }),
    );
    uploadId = created.UploadId!;
  }
  const partsReused = have.size;
  let bytesCopied = 0;
  try {
    await forEachAtMost(
      ranges.filter((r) => !have.has(r.n)),
      4,
      async (r) => {
        signal?.throwIfAborted();
        const out = await s3.send(
          new UploadPartCopyCommand({
            ...common,
            UploadId: uploadId,
            PartNumber: r.n,
            CopySource: copySource(o.source),
            CopySourceRange: `bytes=${r.first}-${r.last}`,
            ...ifMatch,
          }),
          { abortSignal: signal },
        );
        have.set(r.n, out.CopyPartResult!.ETag!);
        bytesCopied += r.last - r.first + 1;
      },
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        ...common,
        UploadId: uploadId,
        MultipartUpload: { Parts: ranges.map((r) => ({ PartNumber: r.n, ETag: have.get(r.n)! })) },
      }),
    );
    return { etag: done.ETag, bytesCopied, partsReused, parts: ranges.length };
  } catch (err) {
    if (uploadIsDead(err)) await abortQuietly(s3, common, uploadId);
    throw err;
  }
}
