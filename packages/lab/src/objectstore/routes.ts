// Koa middleware placed just before s3rver's router, for S3 operations s3rver 3.7.1 lacks or gets
// wrong:
// - ListObjectsV2 continuation tokens: s3rver encrypts them with DES, which OpenSSL 3 only offers
//   through `--openssl-legacy-provider` (`crypto.createCipheriv('des', …)` fails with
//   `error:0308010C:digital envelope routines::unsupported` on Node >= 17). A lab started from
//   the CLI has no such flag, so the lab issues its own opaque tokens and lets s3rver answer the
//   equivalent ListObjects (v1) request with a marker, then reshapes the answer into v2 form.
// - server-side copies (CopyObject, UploadPartCopy): copy-routes.ts;
// - ListMultipartUploads and ListParts: multipart-routes.ts;
// - AbortMultipartUpload (`DELETE ?uploadId=`): s3rver answers 405, which lib-storage would report
//   instead of the error that made it abort.
import type { KoaContext, KoaMiddleware, KoaNext, S3rverApp } from './s3rver-binding.js';
import { removeUpload } from './store-fixes.js';
import { copyRoute } from './copy-routes.js';
import { multipartRoute, type ObjectStoreLimits } from './multipart-routes.js';

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

function s3ErrorBody(code: string, message: string, extra: Record<string, string> = {}): unknown {
  return { Error: { Code: code, Message: message, ...extra } };
}

export function encodeContinuationToken(bucket: string, lastKey: string): string {
  return Buffer.from(JSON.stringify({ b: bucket, k: lastKey }), 'utf8').toString('base64url');
}

export function decodeContinuationToken(bucket: string, token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { b?: unknown; k?: unknown };
    if (parsed.b === bucket && typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through: an unreadable token is rejected like S3 does
  }
  return undefined;
}

interface ListBucketResultV1 {
  Name?: unknown;
  Prefix?: unknown;
  MaxKeys?: unknown;
  Delimiter?: unknown;
  IsTruncated?: unknown;
  Contents?: Array<{ Key: string; Owner?: unknown } & Record<string, unknown>>;
  CommonPrefixes?: Array<{ Prefix: string }>;
}

async function listObjectsV2(ctx: KoaContext, next: KoaNext, bucket: string): Promise<void> {
  const query: Query = { ...ctx.query };
  const token = one(query, 'continuation-token');
  const startAfter = one(query, 'start-after');
  const fetchOwner = one(query, 'fetch-owner') === 'true';
  for (const name of ['list-type', 'continuation-token', 'start-after', 'fetch-owner']) delete query[name];
  let marker = startAfter;
  if (token !== undefined && token !== '') {
    marker = decodeContinuationToken(bucket, token);
    if (marker === undefined) {
      ctx.status = 400;
      ctx.body = s3ErrorBody('InvalidArgument', 'The continuation token provided is incorrect', {
        ArgumentName: 'continuation-token',
      });
      return;
    }
  }
  if (marker !== undefined) query['marker'] = marker;
  ctx.query = query;
  await next();
  const body = ctx.body as { ListBucketResult?: ListBucketResultV1 } | undefined;
  const v1 = body?.ListBucketResult;
  if (ctx.status !== 200 || v1 === undefined) return;
  const contents = (v1.Contents ?? []).map((entry) => {
    const { Owner, ...rest } = entry;
    return fetchOwner ? { ...rest, Owner } : rest;
  });
  const prefixes = v1.CommonPrefixes ?? [];
  const truncated = v1.IsTruncated === true || v1.IsTruncated === 'true';
  const lastKey = [...contents.map((c) => c.Key), ...prefixes.map((p) => p.Prefix)].sort().at(-1);
  ctx.body = {
    ListBucketResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Name: v1.Name,
      Prefix: v1.Prefix,
      StartAfter: token ? undefined : startAfter,
      ContinuationToken: token || undefined,
      NextContinuationToken: truncated && lastKey !== undefined ? encodeContinuationToken(bucket, lastKey) : undefined,
      KeyCount: contents.length + prefixes.length,
      MaxKeys: v1.MaxKeys,
      Delimiter: v1.Delimiter,
      IsTruncated: truncated,
      Contents: contents,
      CommonPrefixes: prefixes,
    },
  };
}

async function abortMultipartUpload(ctx: KoaContext, app: S3rverApp, bucket: string, key: string, uploadId: string) {
  if (await removeUpload(app, bucket, key, uploadId)) {
    ctx.status = 204;
    ctx.body = '';
    return;
  }
  ctx.status = 404;
  ctx.body = s3ErrorBody(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
}

/** Returns the middleware; install it immediately before s3rver's router. */
export function labRoutes(app: S3rverApp, limits: ObjectStoreLimits = {}): KoaMiddleware {
  return async (ctx, next) => {
    const match = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
    if (!match) return next();
    const bucket = decodeURIComponent(match[1] ?? '');
    const rawKey = match[2];
    if (ctx.method === 'GET' && !rawKey && one(ctx.query, 'list-type') === '2') {
      return listObjectsV2(ctx, next, bucket);
    }
    const key = rawKey === undefined || rawKey === '' ? undefined : decodeURIComponent(rawKey);
    if (await copyRoute(ctx, app, bucket, key, limits)) return;
    if (await multipartRoute(ctx, app, bucket, key)) return;
    const uploadId = one(ctx.query, 'uploadId');
    if (ctx.method === 'DELETE' && rawKey && uploadId !== undefined) {
      return abortMultipartUpload(ctx, app, bucket, decodeURIComponent(rawKey), uploadId);
    }
    return next();
  };
}
