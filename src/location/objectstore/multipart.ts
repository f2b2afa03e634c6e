// A multipart upload from a stream, with memory bounded by a fixed set of part buffers: the
// stream is copied into `concurrency + 1` buffers of one part each, a buffer goes back to the pool
// when its UploadPart is answered, and reading waits (backpressure reaches the source socket) while
// none is free. Nothing else is held, so a 100 GiB object needs the same memory as a 20 MiB one.
//
// The object appears only with CompleteMultipartUpload, sent after the stream ended cleanly; on
// any failure (the stream's — a length or digest check — or a part's after the SDK's retries) the
// upload is aborted, so no part is left behind and the key keeps whatever it held before.
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UNSIGNED_PAYLOAD, type DirectRequests } from './direct.js';

export interface MultipartUpload {
  bucket: string;
  key: string;
  body: Readable;
  partSize: number;
  /** Parts uploaded at once. */
  concurrency: number;
  contentType?: string | undefined;
  metadata: Record<string, string>;
}

/**
 * Parts are sent with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (SigV4's form for a body it does
 * not hash, accepted by S3, MinIO, Ceph and GCS) rather than hashing every part a second time for
 * the signature: the bytes are covered by our SHA-256 of the whole object, checked on the way in
 * (DigestingStream) and by every later read; TLS covers the wire.
 */
export async function uploadMultipart(
  s3: S3Client,
  direct: DirectRequests,
  upload: MultipartUpload,
): Promise<{ etag: string | undefined }> {
  const { bucket, key, body, partSize } = upload;
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ContentType: upload.contentType,
      Metadata: upload.metadata,
    }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error('CreateMultipartUpload answered without an UploadId');
  const concurrency = Math.max(1, upload.concurrency);
  const free: Buffer[] = [];
  let allocated = 0;
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  // Boxed so that a rejection with any value, even `undefined`, still counts as the failure.
  let failure: { error: unknown } | undefined;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };

  const takeBuffer = async (): Promise<Buffer | undefined> => {
    for (;;) {
      if (failure !== undefined) return undefined;
      const b = free.pop();
      if (b) return b;
      if (allocated < concurrency + 1) {
        allocated++;
        return Buffer.allocUnsafe(partSize);
      }
      await new Promise<void>((resolve) => (waiter = resolve));
    }
  };

  const send = (buffer: Buffer, length: number, partNumber: number) => {
    const task = direct
      .send({
        method: 'PUT',
        bucket,
        key,
        query: { partNumber: String(partNumber), uploadId },
        body: buffer.subarray(0, length),
        payloadHash: UNSIGNED_PAYLOAD,
      })
      .then((res) => {
        res.body.resume();
        parts.push({ ETag: res.headers.etag, PartNumber: partNumber });
      })
      .catch((err: unknown) => {
        failure ??= { error: err };
      })
      .finally(() => {
        free.push(buffer);
        inFlight.delete(task);
        wake();
      });
    inFlight.add(task);
  };

  try {
    let partNumber = 0;
    let current: Buffer | undefined;
    let filled = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        current ??= await takeBuffer();
        if (current === undefined) throw failure?.error;
        const n = Math.min(chunk.length - offset, partSize - filled);
        chunk.copy(current, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === partSize) {
          send(current, filled, ++partNumber);
          current = undefined;
          filled = 0;
        }
      }
    }
    // The last part (S3 allows it to be short); an empty object still needs one part.
    if (filled > 0 || partNumber === 0) {
      current ??= await takeBuffer();
      if (current === undefined) throw failure?.error;
      send(current, filled, ++partNumber);
      current = undefined;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { etag: done.ETag };
  } catch (err) {
    failure ??= { error: err };
    body.destroy();
    await Promise.all(inFlight);
    // Best effort: an upload left behind is invisible and bounded by the store's lifecycle rules.
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw failure.error;
  }
}
