// Multipart upload operations s3rver 3.7.1 lacks or gets wrong, as S3 specifies them:
// - ListMultipartUploads (`GET /bucket?uploads`, with `prefix`, `key-marker`, `upload-id-marker`,
//   `max-uploads`): s3rver answers NotImplemented.
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
// - ListParts (`GET /bucket/key?uploadId=`, with `part-number-marker`, `max-parts`): s3rver answers
//   MethodNotAllowed. A part is listed once all its bytes are stored (its `.md5` is written last).
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
// - CompleteMultipartUpload's checks (store-fixes.ts wraps the store): an unknown upload is
//   NoSuchUpload, a part not uploaded or with another ETag InvalidPart, parts out of order
//   InvalidPartOrder, a part other than the last below the minimum size EntityTooSmall (s3rver
//   assembles whatever it is given, and fails with a 500 on an unknown upload).
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
// The lab's uploads live where s3rver keeps them: `<bucket>/._S3rver_uploads/<uploadId>/` with the
// target key in `key`, each part in `<n>` and its MD5 in `<n>.md5`.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KoaContext, S3rverApp } from './s3rver-binding.js';

/** The lab's S3 limits (defaults: AWS S3's). */
export interface ObjectStoreLimits {
  /**
   * Largest source a CopyObject copies, and largest range an UploadPartCopy copies (S3: 5 GiB);
   * larger ones are refused with InvalidRequest, as S3 refuses them, so a client must copy in parts.
   */
  maxCopySizeBytes?: number;
  /** Smallest size of a multipart upload's parts other than the last (S3: 5 MiB): EntityTooSmall. */
  minPartSizeBytes?: number;
}

export const S3_MAX_COPY_SIZE = 5 * 1024 * 1024 * 1024;
export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;

const OWNER = { ID: 'S3RVER', DisplayName: 'S3rver' };

export const uploadsDir = (app: S3rverApp, bucket: string): string =>
  app.store.getResourcePath(bucket, undefined, 'uploads');

export const isUploadId = (id: string): boolean => /^[0-9a-f]{32}$/.test(id);

export interface StoredPart {
  number: number;
  etag: string;
  size: number;
  lastModified: Date;
}

export interface StoredUpload {
  uploadId: string;
  key: string;
  initiated: Date;
  /** Its place among the store's initiations (store-fixes.ts), to order uploads begun in one millisecond. */
  sequence: number;
}

/** The upload `uploadId` of `bucket`, or undefined when there is none (never created, aborted or completed). */
export async function readUpload(app: S3rverApp, bucket: string, uploadId: string): Promise<StoredUpload | undefined> {
  if (!isUploadId(uploadId)) return undefined;
  const file = join(uploadsDir(app, bucket), uploadId, 'key');
  try {
    const [key, st, recorded] = await Promise.all([
      readFile(file, 'utf8'),
      stat(file),
      readFile(join(uploadsDir(app, bucket), uploadId, 'initiated'), 'utf8').catch(() => ''),
    ]);
    // The `key` file is written once, when the upload is created; `initiated` right after it.
    const [ms, sequence] = recorded.split(' ').map(Number);
    return {
      uploadId,
      key,
      initiated: ms !== undefined && Number.isFinite(ms) && ms > 0 ? new Date(ms) : st.mtime,
      sequence: sequence !== undefined && Number.isFinite(sequence) ? sequence : 0,
    };
  } catch {
    return undefined;
  }
}

/** The parts of an upload whose bytes are all stored, by part number. */
export async function readParts(app: S3rverApp, bucket: string, uploadId: string): Promise<StoredPart[]> {
  const dir = join(uploadsDir(app, bucket), uploadId);
  const names = await readdir(dir).catch(() => [] as string[]);
  const parts: StoredPart[] = [];
  for (const name of names) {
    const m = /^(\d+)\.md5$/.exec(name);
    if (!m) continue;
    const number = Number(m[1]);
    try {
      const [md5, st] = await Promise.all([readFile(join(dir, name), 'utf8'), stat(join(dir, String(number)))]);
      parts.push({ number, etag: md5.trim(), size: st.size, lastModified: st.mtime });
    } catch {
      // removed meanwhile (completed or aborted): not a part
    }
  }
  return parts.sort((a, b) => a.number - b.number);
}

function one(ctx: KoaContext, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

function bounded(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, 1000) : undefined;
}

function invalidArgument(ctx: KoaContext, message: string): void {
  ctx.status = 400;
  ctx.body = { Error: { Code: 'InvalidArgument', Message: message } };
}

async function listMultipartUploads(ctx: KoaContext, app: S3rverApp, bucket: string): Promise<void> {
  const prefix = one(ctx, 'prefix') ?? '';
  const keyMarker = one(ctx, 'key-marker') ?? '';
  const uploadIdMarker = one(ctx, 'upload-id-marker') ?? '';
  const max = bounded(one(ctx, 'max-uploads'), 1000);
  if (max === undefined) return invalidArgument(ctx, 'max-uploads must be a non-negative integer');
  const ids = await readdir(uploadsDir(app, bucket)).catch(() => [] as string[]);
  const uploads = (await Promise.all(ids.map((id) => readUpload(app, bucket, id))))
    .filter((u): u is StoredUpload => u !== undefined && u.key.startsWith(prefix))
    // S3 lists by key, then uploads of one key in the order they were created.
    .sort((a, b) =>
      a.key < b.key
        ? -1
        : a.key > b.key
          ? 1
          : a.initiated.getTime() - b.initiated.getTime() ||
            a.sequence - b.sequence ||
            (a.uploadId < b.uploadId ? -1 : 1),
    );
  // After `key-marker` (with `upload-id-marker`: after that upload of the marker key).
  let start = 0;
  if (keyMarker !== '') {
    const markerAt = uploadIdMarker
      ? uploads.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker)
      : -1;
    start = markerAt >= 0 ? markerAt + 1 : uploads.findIndex((u) => u.key > keyMarker);
    if (start < 0) start = uploads.length;
  }
  const page = uploads.slice(start, start + max);
  const truncated = start + max < uploads.length;
  const last = page.at(-1);
  ctx.status = 200;
  ctx.body = {
    ListMultipartUploadsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: truncated && last ? last.key : undefined,
      NextUploadIdMarker: truncated && last ? last.uploadId : undefined,
      Prefix: prefix,
      MaxUploads: max,
      IsTruncated: truncated,
      Upload: page.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: OWNER,
        Owner: OWNER,
        StorageClass: 'STANDARD',
        Initiated: u.initiated.toISOString(),
      })),
    },
  };
}

async function listParts(ctx: KoaContext, app: S3rverApp, bucket: string, key: string, uploadId: string) {
  const upload = await readUpload(app, bucket, uploadId);
  if (upload === undefined || upload.key !== key) {
    ctx.status = 404;
    ctx.body = {
      Error: {
        Code: 'NoSuchUpload',
        Message:
          'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        UploadId: uploadId,
      },
    };
    return;
  }
  const marker = bounded(one(ctx, 'part-number-marker'), 0);
  const max = bounded(one(ctx, 'max-parts'), 1000);
  if (marker === undefined || max === undefined)
    return invalidArgument(ctx, 'part-number-marker and max-parts must be non-negative integers');
  const after = (await readParts(app, bucket, uploadId)).filter((p) => p.number > marker);
  const page = after.slice(0, max);
  const truncated = after.length > max;
  ctx.status = 200;
  ctx.body = {
    ListPartsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.number ?? marker,
      MaxParts: max,
      IsTruncated: truncated,
      Part: page.map((p) => ({
        PartNumber: p.number,
        LastModified: p.lastModified.toISOString(),
        ETag: JSON.stringify(p.etag),
        Size: p.size,
      })),
    },
  };
}

/** Handles a listing of multipart uploads or of an upload's parts (answers true), or leaves the request (false). */
export async function multipartRoute(
  ctx: KoaContext,
  app: S3rverApp,
  bucket: string,
  key: string | undefined,
): Promise<boolean> {
  if (ctx.method !== 'GET') return false;
  const exists = () =>
    stat(join(app.store.rootDirectory, bucket)).then(
      (s) => s.isDirectory(),
      () => false,
    );
  const noBucket = () => {
    ctx.status = 404;
    ctx.body = { Error: { Code: 'NoSuchBucket', Message: 'The specified bucket does not exist', BucketName: bucket } };
  };
  if (key === undefined && ctx.query['uploads'] !== undefined) {
    if (!(await exists())) noBucket();
    else await listMultipartUploads(ctx, app, bucket);
    return true;
  }
  const uploadId = one(ctx, 'uploadId');
  if (key !== undefined && uploadId !== undefined) {
    if (!(await exists())) noBucket();
    else await listParts(ctx, app, bucket, key, uploadId);
    return true;
  }
  return false;
}
