// The lab's S3 server-side copies (copy-routes.ts): CopyObject across buckets and UploadPartCopy,
// as S3 specifies them, driven through the AWS SDK like a real client.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObjectStore, type LabObjectStore } from '../../../packages/lab/src/objectstore/index.js';

let dir: string;
let store: LabObjectStore;
let s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-copy-'));
  store = await startObjectStore({ dir, buckets: ['src', 'dst'] });
  s3 = new S3Client({
    endpoint: store.endpoint,
    region: store.region,
    forcePathStyle: true,
    credentials: store.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
});

afterAll(async () => {
  s3.destroy();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function body(bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

describe('lab S3 CopyObject', () => {
  it('copies across buckets, keeps metadata (COPY) or replaces it (REPLACE), with the copy ETag', async () => {
    const data = randomBytes(70_000);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'src',
        Key: 'a dir/obj+1',
        Body: data,
        Metadata: { sha256: 'x' },
        ContentType: 'text/plain',
      }),
    );
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket: 'dst', Key: 'b/obj', CopySource: `src/${encodeURIComponent('a dir/obj+1')}` }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5(data)}"`);
    expect((await body('dst', 'b/obj')).equals(data)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'b/obj' }));
    expect(head.Metadata).toEqual({ sha256: 'x' });
    expect(head.ContentType).toBe('text/plain');
    expect(head.ETag).toBe(`"${md5(data)}"`);

    await s3.send(
      new CopyObjectCommand({
        Bucket: 'dst',
        Key: 'b/obj2',
        CopySource: `src/${encodeURIComponent('a dir/obj+1')}`,
        MetadataDirective: 'REPLACE',
        Metadata: { 'source-etag': 'y' },
      }),
    );
    const head2 = await s3.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'b/obj2' }));
    expect(head2.Metadata).toEqual({ 'source-etag': 'y' });
    expect(head2.ETag).toBe(`"${md5(data)}"`);
  });

  it('refuses a copy whose x-amz-copy-source-if-match no longer holds, and a missing source', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'cond', Body: 'v1' }));
    await expect(
      s3.send(
        new CopyObjectCommand({ Bucket: 'dst', Key: 'cond', CopySource: 'src/cond', CopySourceIfMatch: '"0123"' }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'cond' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'none', CopySource: 'src/missing' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });
});

describe('lab S3 UploadPartCopy', () => {
  it('assembles an object from byte ranges of another bucket, with the multipart ETag', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 12_345);
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'big', Body: data }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'big-copy', Metadata: { k: 'v' } }),
    );
    const cut = 5 * 1024 * 1024;
    const ranges = [`bytes=0-${cut - 1}`, `bytes=${cut}-${data.length - 1}`];
    const parts = [];
    for (const [i, range] of ranges.entries()) {
      const r = await s3.send(
        new UploadPartCopyCommand({
          Bucket: 'dst',
          Key: 'big-copy',
          UploadId,
          PartNumber: i + 1,
          CopySource: 'src/big',
          CopySourceRange: range,
        }),
      );
      parts.push({ PartNumber: i + 1, ETag: r.CopyPartResult!.ETag! });
    }
    expect(parts.map((p) => p.ETag)).toEqual([`"${md5(data.subarray(0, cut))}"`, `"${md5(data.subarray(cut))}"`]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'dst',
        Key: 'big-copy',
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const combined = createHash('md5');
    for (const p of parts) combined.update(Buffer.from(p.ETag.replace(/"/g, ''), 'hex'));
    expect(done.ETag).toBe(`"${combined.digest('hex')}-2"`);
    expect((await body('dst', 'big-copy')).equals(data)).toBe(true);
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'big-copy' }))).Metadata).toEqual({ k: 'v' });
  });

  it('answers a range past the end with InvalidRange and an unknown upload with NoSuchUpload; no part is left', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'small', Body: 'twelve bytes' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'r' }));
    await expect(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: 'dst',
          Key: 'r',
          UploadId,
          PartNumber: 1,
          CopySource: 'src/small',
          CopySourceRange: 'bytes=0-12',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
    await expect(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: 'dst',
          Key: 'r',
          UploadId: '0'.repeat(32),
          PartNumber: 1,
          CopySource: 'src/small',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    const whole = await s3.send(
      new UploadPartCopyCommand({ Bucket: 'dst', Key: 'r', UploadId, PartNumber: 1, CopySource: 'src/small' }),
    );
    expect(whole.CopyPartResult?.ETag).toBe(`"${md5(Buffer.from('twelve bytes'))}"`);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'dst', Prefix: 'r' }));
    expect(listed.Contents ?? []).toEqual([]);
  });
});
