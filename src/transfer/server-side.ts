// The `server-side` engine: both locations on one S3 endpoint, so the store copies inside itself —
// CopyObject up to a threshold (S3's single-copy limit is 5 GiB), a multipart upload of
// UploadPartCopy ranges above it. No artifact byte passes through this process. Each copy is
// conditioned on the source version listed (`x-amz-copy-source-if-match`), the target key only
// ever shows a whole object (CopyObject and CompleteMultipartUpload are atomic), and a re-run skips
// objects already copied from that version, so it is idempotent.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import {
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
  options.onProgress?.({ ...progress });
  await forEachAtMost(manifest.objects, options.concurrency ?? 8, async (o) => {
    options.signal?.throwIfAborted();
    const existing = await store.head(o.target);
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
        if (o.size <= threshold) {
          const out = await s3.send(
            new CopyObjectCommand({
              ...common,
              CopySource: copySource(o.source),
              ...ifMatch,
              MetadataDirective: 'REPLACE',
              Metadata: metadata,
              ...(src.contentType ? { ContentType: src.contentType } : {}),
            }),
            { abortSignal: options.signal },
          );
          if (out.CopyObjectResult?.ETag) w.etag = out.CopyObjectResult.ETag;
        } else {
          w.etag = await multipartCopy(s3, o, common, metadata, src.contentType, ifMatch, partSize, options.signal);
        }
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw copyFailed(manifest, o, err);
      }
      w.skipped = false;
      if (o.sha256) w.sha256 = o.sha256;
      result.copied++;
      result.bytesCopied += o.size;
    }
    result.written.push(w);
    progress.objectsDone++;
    progress.bytesDone += o.size;
    options.onProgress?.({ ...progress });
  });
  return result;
}

async function multipartCopy(
  s3: import('@aws-sdk/client-s3').S3Client,
  o: TransferObject,
  common: { Bucket: string; Key: string },
  metadata: Record<string, string>,
  contentType: string | undefined,
  ifMatch: { CopySourceIfMatch?: string },
  partSize: number,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  // S3 allows at most 10,000 parts: larger objects get larger parts.
  const size = Math.max(partSize, Math.ceil(o.size / 10_000));
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      ...common,
      Metadata: metadata,
      ...(contentType ? { ContentType: contentType } : {}),
    }),
  );
  const uploadId = created.UploadId!;
  try {
    const ranges: { n: number; first: number; last: number }[] = [];
    for (let first = 0, n = 1; first < o.size; first += size, n++)
      ranges.push({ n, first, last: Math.min(o.size, first + size) - 1 });
    const parts: { PartNumber: number; ETag: string }[] = [];
    await forEachAtMost(ranges, 4, async (r) => {
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
      parts.push({ PartNumber: r.n, ETag: out.CopyPartResult!.ETag! });
    });
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ ...common, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
    );
    return done.ETag;
  } catch (err) {
    // Never a partial object under the key: the upload is dropped (the key keeps what it had).
    await s3.send(new AbortMultipartUploadCommand({ ...common, UploadId: uploadId })).catch(() => undefined);
    throw err;
  }
}
