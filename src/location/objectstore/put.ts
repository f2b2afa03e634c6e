// Writing one object, never leaving partial bytes under the key:
// - small objects (≤ threshold) are read into memory, hashed, then sent with one PUT (atomic,
//   and retried by the SDK since a buffer can be resent); the SHA-256 goes in metadata;
// - large objects stream into a multipart upload through a DigestingStream, which counts and
//   hashes the bytes and fails the stream before its end when the length (or an expected digest)
//   is wrong, so the upload is aborted and never completed (CompleteMultipartUpload is what makes
//   the object visible). S3 takes metadata before the body, so the SHA-256 can be stored in
//   metadata only when it is known beforehand (a copy of an object whose digest was recorded);
//   otherwise the computed digest is returned with the ETag for the caller to record (a handoff
//   records both in ML Metadata), and download and upload overlap instead of staging the object.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { metadataHeaders, type DirectRequests } from './direct.js';
import type { ResolvedTransferSettings } from './config.js';
import { IntegrityError } from './errors.js';
import { DigestingStream, SHA256_METADATA, sha256Hex } from './integrity.js';
import { uploadMultipart } from './multipart.js';

export interface PutOptions {
  /** Byte length of the body; required for streams. */
  contentLength?: number;
  contentType?: string;
  /** User metadata (names without the `x-amz-meta-` prefix). `sha256` is always set by us. */
  metadata?: Record<string, string>;
  /** Expected SHA-256 (hex) of the body; the write fails, leaving nothing, when it differs. */
  sha256?: string;
}

export interface PutResult {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  etag: string | undefined;
  multipart: boolean;
  /** Whether `sha256` is stored in the object's metadata (else only the caller knows it). */
  sha256InMetadata: boolean;
}

export type PutBody = Readable | Uint8Array | string;

async function readAtMost(stream: Readable, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > length) {
      stream.destroy();
      throw new IntegrityError('LengthMismatch', `read more than the expected ${length} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function putBuffer(
  direct: DirectRequests,
  bucket: string,
  key: string,
  data: Buffer,
  options: PutOptions,
): Promise<PutResult> {
  if (options.contentLength !== undefined && data.length !== options.contentLength) {
    throw new IntegrityError('LengthMismatch', `read ${data.length} bytes, expected ${options.contentLength}`);
  }
  const sha256 = sha256Hex(data);
  if (options.sha256 !== undefined && sha256 !== options.sha256) {
    throw new IntegrityError(
      'ChecksumMismatch',
      `SHA-256 of the bytes read is ${sha256}, but the object's recorded sha256 is ${options.sha256}`,
    );
  }
  // SigV4 signs the payload's SHA-256, which is the digest just computed: no second hash.
  const res = await direct.send({
    method: 'PUT',
    bucket,
    key,
    body: data,
    payloadHash: sha256,
    headers: {
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...metadataHeaders({ ...options.metadata, [SHA256_METADATA]: sha256 }),
    },
  });
  res.body.resume();
  const out = { ETag: res.headers.etag };
  return { bucket, key, size: data.length, sha256, etag: out.ETag, multipart: false, sha256InMetadata: true };
}

/** Streams through a DigestingStream that checks the length (and `options.sha256`) before letting the end pass. */
async function putStream(
  s3: S3Client,
  direct: DirectRequests,
  settings: ResolvedTransferSettings,
  bucket: string,
  key: string,
  body: Readable,
  length: number,
  options: PutOptions,
): Promise<PutResult> {
  const expected = options.sha256;
  const digesting = new DigestingStream(expected === undefined ? { length } : { sha256: expected, length });
  // pipeline() forwards a source failure (e.g. a cut download) into the upload as an error.
  const piping = pipeline(body, digesting).catch(() => undefined);
  const metadata: Record<string, string> = { ...options.metadata };
  delete metadata[SHA256_METADATA];
  if (expected !== undefined) metadata[SHA256_METADATA] = expected;
  try {
    // S3 allows at most 10,000 parts: large objects get larger parts rather than a failed upload.
    const partSize = Math.max(settings.partSizeBytes, Math.ceil(length / 10_000));
    const out = await uploadMultipart(s3, direct, {
      bucket,
      key,
      body: digesting,
      partSize,
      concurrency: settings.partConcurrency,
      contentType: options.contentType,
      metadata,
    });
    return {
      bucket,
      key,
      size: length,
      sha256: digesting.sha256,
      etag: out.etag,
      multipart: length > settings.partSizeBytes,
      sha256InMetadata: expected !== undefined,
    };
  } finally {
    digesting.destroy();
    await piping;
  }
}

/** Writes `body` under `bucket/key` with `sha256` metadata; see the header comment for how. */
export async function putObjectWithDigest(
  s3: S3Client,
  direct: DirectRequests,
  settings: ResolvedTransferSettings,
  bucket: string,
  key: string,
  body: PutBody,
  options: PutOptions = {},
): Promise<PutResult> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const data =
      typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return putBuffer(direct, bucket, key, data, options);
  }
  const length = options.contentLength;
  if (length === undefined) throw new Error('put: contentLength is required for a stream body');
  if (length <= settings.multipartThresholdBytes) {
    return putBuffer(direct, bucket, key, await readAtMost(body, length), options);
  }
  return putStream(s3, direct, settings, bucket, key, body, length, options);
}
