// Server-side copies, as S3 specifies them, for what s3rver 3.7.1 lacks or gets wrong:
// - UploadPartCopy (`PUT ?partNumber&uploadId` with `x-amz-copy-source`, optional
//   `x-amz-copy-source-range: bytes=first-last`, answered with `CopyPartResult`): s3rver answers
//   NotImplemented. https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
// - CopyObject (`PUT` with `x-amz-copy-source`): s3rver copies straight into the final file (a
//   reader can see a half-copied object), loses the ETag when the metadata is replaced (its
//   putMetadata without an MD5), takes the source through `decodeURI` (so `%2F`-style escapes in
//   keys stay escaped), and ignores the `x-amz-copy-source-if-*` conditions.
// - the single-copy limit: S3 copies at most 5 GiB in one CopyObject (or one UploadPartCopy range)
//   and answers InvalidRequest above it; the lab's limit is configurable (ObjectStoreLimits) so
//   tests reach a client's multipart path with small objects.
//   https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
// Both read the source from disk here: the lab's store is this process's filesystem.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KoaContext, S3rverApp } from './s3rver-binding.js';
import { S3_MAX_COPY_SIZE, type ObjectStoreLimits } from './multipart-routes.js';

interface CopySource {
  bucket: string;
  key: string;
}

class CopyFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function header(ctx: KoaContext, name: string): string | undefined {
  const v = ctx.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `x-amz-copy-source`: `bucket/key` URL-encoded, with an optional leading `/` and `?versionId=`. */
export function parseCopySource(value: string): CopySource {
  const path = value.replace(/^\//, '').replace(/\?versionId=.*$/, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new CopyFailure(
      400,
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
}

/** `x-amz-copy-source-range: bytes=first-last` (inclusive, both required, within the object). */
export function parseCopyRange(value: string, size: number): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!m)
    throw new CopyFailure(
      400,
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last',
    );
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start || end >= size) {
    throw new CopyFailure(
      416,
      'InvalidRange',
      `The requested range bytes=${start}-${end} is not satisfiable (object size ${size})`,
    );
  }
  return { start, end };
}

interface SourceState {
  path: string;
  size: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

async function readSource(app: S3rverApp, src: CopySource): Promise<SourceState> {
  const path = app.store.getResourcePath(src.bucket, src.key, 'object');
  let meta: Record<string, unknown>;
  try {
    meta = await app.store.getMetadata(src.bucket, src.key);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      const bucketExists = await stat(join(app.store.rootDirectory, src.bucket)).then(
        () => true,
        () => false,
      );
      if (!bucketExists) throw new CopyFailure(404, 'NoSuchBucket', 'The specified bucket does not exist');
      throw new CopyFailure(404, 'NoSuchKey', 'The specified key does not exist.');
    }
    throw err;
  }
  const st = await stat(path);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(meta)) {
    if (name === 'etag' || name === 'last-modified' || name === 'content-length') continue;
    if (typeof value === 'string') metadata[name] = value;
  }
  return { path, size: st.size, etag: String(meta['etag']), lastModified: st.mtime, metadata };
}

const unquote = (etag: string) => etag.replace(/^"|"$/g, '');

/** The `x-amz-copy-source-if-*` preconditions (ETag ones; dates as S3 compares them, to the second). */
function checkConditions(ctx: KoaContext, src: SourceState): void {
  const ifMatch = header(ctx, 'x-amz-copy-source-if-match');
  const ifNoneMatch = header(ctx, 'x-amz-copy-source-if-none-match');
  const ifUnmodified = header(ctx, 'x-amz-copy-source-if-unmodified-since');
  const ifModified = header(ctx, 'x-amz-copy-source-if-modified-since');
  const etag = unquote(src.etag);
  const failed = () =>
    new CopyFailure(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  if (ifMatch !== undefined) {
    if (!ifMatch.split(',').some((e) => unquote(e.trim()) === etag || e.trim() === '*')) throw failed();
  } else if (ifUnmodified !== undefined && src.lastModified.getTime() > Date.parse(ifUnmodified) + 999) {
    throw failed();
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.split(',').some((e) => unquote(e.trim()) === etag || e.trim() === '*')) throw failed();
  } else if (ifModified !== undefined && src.lastModified.getTime() <= Date.parse(ifModified) + 999) {
    throw failed();
  }
}

function checkCopySize(size: number, max: number): void {
  if (size > max) {
    throw new CopyFailure(
      400,
      'InvalidRequest',
      `The specified copy source is larger than the maximum allowable size for a copy source: ${max}`,
    );
  }
}

async function copyObject(
  ctx: KoaContext,
  app: S3rverApp,
  bucket: string,
  key: string,
  maxCopy: number,
): Promise<void> {
  const src = parseCopySource(header(ctx, 'x-amz-copy-source') ?? '');
  const state = await readSource(app, src);
  checkConditions(ctx, state);
  checkCopySize(state.size, maxCopy);
  const replace = header(ctx, 'x-amz-metadata-directive') === 'REPLACE';
  if (src.bucket === bucket && src.key === key && !replace) {
    throw new CopyFailure(
      400,
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, " +
        'storage class, website redirect location or encryption attributes.',
    );
  }
  const metadata: Record<string, string> = {};
  if (replace) {
    for (const [name, value] of Object.entries(ctx.headers)) if (typeof value === 'string') metadata[name] = value;
  } else {
    Object.assign(metadata, state.metadata);
  }
  // The lab's putObject (store-fixes.ts) writes to a temporary file and renames it into place.
  const written = await app.store.putObject({ bucket, key, content: createReadStream(state.path), metadata });
  if (written.size !== state.size)
    throw new CopyFailure(500, 'InternalError', 'The source object changed during the copy');
  ctx.status = 200;
  ctx.body = { CopyObjectResult: { LastModified: new Date().toISOString(), ETag: JSON.stringify(written.md5) } };
}

async function uploadPartCopy(
  ctx: KoaContext,
  app: S3rverApp,
  bucket: string,
  key: string,
  maxCopy: number,
): Promise<void> {
  const uploadId = String(ctx.query['uploadId'] ?? '');
  const partNumber = Number(ctx.query['partNumber']);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw new CopyFailure(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
  }
  const uploadDir = join(app.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const uploadKey = /^[0-9a-f]{32}$/.test(uploadId)
    ? await readFile(join(uploadDir, 'key'), 'utf8').catch(() => undefined)
    : undefined;
  if (uploadKey !== key) {
    throw new CopyFailure(
      404,
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    );
  }
  const src = parseCopySource(header(ctx, 'x-amz-copy-source') ?? '');
  const state = await readSource(app, src);
  checkConditions(ctx, state);
  const rangeHeader = header(ctx, 'x-amz-copy-source-range');
  const range = rangeHeader !== undefined ? parseCopyRange(rangeHeader, state.size) : undefined;
  checkCopySize(range ? range.end - range.start + 1 : state.size, maxCopy);
  // A whole empty source is a valid (empty) part; createReadStream cannot express an empty range.
  const content = createReadStream(state.path, range ?? {});
  const { md5 } = await app.store.putPart(bucket, uploadId, partNumber, content);
  ctx.status = 200;
  ctx.body = { CopyPartResult: { LastModified: new Date().toISOString(), ETag: JSON.stringify(md5) } };
}

/** Handles a copy request (answers true), or leaves it to s3rver (false). */
export async function copyRoute(
  ctx: KoaContext,
  app: S3rverApp,
  bucket: string,
  key: string | undefined,
  limits: ObjectStoreLimits = {},
): Promise<boolean> {
  const maxCopy = limits.maxCopySizeBytes ?? S3_MAX_COPY_SIZE;
  if (ctx.method !== 'PUT' || key === undefined || header(ctx, 'x-amz-copy-source') === undefined) return false;
  const isPart = ctx.query['uploadId'] !== undefined;
  // Other sub-resources (tagging, acl) are s3rver's; the SDK's own `x-id` marker is not one.
  if (!isPart && Object.keys(ctx.query).some((name) => name !== 'x-id')) return false;
  try {
    const bucketExists = await stat(join(app.store.rootDirectory, bucket)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!bucketExists) throw new CopyFailure(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (isPart) await uploadPartCopy(ctx, app, bucket, key, maxCopy);
    else await copyObject(ctx, app, bucket, key, maxCopy);
  } catch (err) {
    if (!(err instanceof CopyFailure)) throw err;
    ctx.status = err.status;
    ctx.body = { Error: { Code: err.code, Message: err.message } };
  }
  return true;
}
