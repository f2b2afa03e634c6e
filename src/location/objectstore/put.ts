// Writing one object with its SHA-256 in metadata, never leaving partial bytes under the key.
// S3 takes metadata before the body, so the digest must be known before the first byte is sent:
// - small objects (≤ threshold) are read into memory, hashed, then sent with one PUT (atomic,
//   and retried by the SDK since a buffer can be resent);
// - large objects with an expected digest stream into a multipart upload through a
//   DigestingStream; a mismatch fails the stream before its end, so the upload is aborted and
//   never completed (CompleteMultipartUpload is what makes the object visible);
// - large objects of unknown digest are staged in a local file while hashing, then uploaded.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ResolvedTransferSettings } from './config.js';
import { IntegrityError } from './errors.js';
import { DigestingStream, SHA256_METADATA, sha256Hex } from './integrity.js';

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
  s3: S3Client,
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
  const out = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: data,
      ContentLength: data.length,
      ContentType: options.contentType,
      Metadata: { ...options.metadata, [SHA256_METADATA]: sha256 },
    }),
  );
  return { bucket, key, size: data.length, sha256, etag: out.ETag, multipart: false };
}

async function putMultipart(
  s3: S3Client,
  settings: ResolvedTransferSettings,
  bucket: string,
  key: string,
  body: Readable,
  length: number,
  sha256: string,
  options: PutOptions,
): Promise<PutResult> {
  // S3 allows at most 10,000 parts: large objects get larger parts rather than a failed upload.
  const partSize = Math.max(settings.partSizeBytes, Math.ceil(length / 10_000));
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: length,
      ContentType: options.contentType,
      Metadata: { ...options.metadata, [SHA256_METADATA]: sha256 },
    },
    partSize,
    queueSize: settings.partConcurrency,
    leavePartsOnError: false,
  });
  const out = await upload.done();
  return { bucket, key, size: length, sha256, etag: out.ETag, multipart: length > settings.partSizeBytes };
}

/** Streams through a DigestingStream that checks `sha256` and `length` before letting the end pass. */
async function putVerifiedStream(
  s3: S3Client,
  settings: ResolvedTransferSettings,
  bucket: string,
  key: string,
  body: Readable,
  length: number,
  sha256: string,
  options: PutOptions,
): Promise<PutResult> {
  const digesting = new DigestingStream({ sha256, length });
  // pipeline() forwards a source failure (e.g. a cut download) into the upload as an error.
  const piping = pipeline(body, digesting).catch(() => undefined);
  try {
    return await putMultipart(s3, settings, bucket, key, digesting, length, sha256, options);
  } finally {
    digesting.destroy();
    await piping;
  }
}

async function putSpooled(
  s3: S3Client,
  settings: ResolvedTransferSettings,
  bucket: string,
  key: string,
  body: Readable,
  length: number,
  options: PutOptions,
): Promise<PutResult> {
  const file = join(settings.spoolDir ?? tmpdir(), `split-pipelines-spool-${randomUUID()}`);
  try {
    const digesting = new DigestingStream({ length });
    await pipeline(body, digesting, createWriteStream(file));
    return await putMultipart(s3, settings, bucket, key, createReadStream(file), length, digesting.sha256, options);
  } finally {
    await rm(file, { force: true });
  }
}

/** Writes `body` under `bucket/key` with `sha256` metadata; see the header comment for how. */
export async function putObjectWithDigest(
  s3: S3Client,
  settings: ResolvedTransferSettings,
  bucket: string,
  key: string,
  body: PutBody,
  options: PutOptions = {},
): Promise<PutResult> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return putBuffer(s3, bucket, key, data, options);
  }
  const length = options.contentLength;
  if (length === undefined) throw new Error('put: contentLength is required for a stream body');
  if (length <= settings.multipartThresholdBytes) {
    return putBuffer(s3, bucket, key, await readAtMost(body, length), options);
  }
  if (options.sha256 !== undefined) {
    return putVerifiedStream(s3, settings, bucket, key, body, length, options.sha256, options);
  }
  return putSpooled(s3, settings, bucket, key, body, length, options);
}
