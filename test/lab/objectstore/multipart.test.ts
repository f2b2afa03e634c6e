// The lab's S3 multipart operations s3rver lacks or gets wrong (multipart-routes.ts,
// store-fixes.ts): ListMultipartUploads, ListParts, AbortMultipartUpload, CompleteMultipartUpload's
// checks, and the configurable single-copy limit and minimum part size, driven through the AWS SDK.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObjectStore, type LabObjectStore } from '../../../packages/lab/src/objectstore/index.js';

const KiB = 1024;
let dir: string;
let store: LabObjectStore;
let strict: LabObjectStore;
let s3: S3Client;
let s3Strict: S3Client;

const client = (s: LabObjectStore) =>
  new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: s.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-multipart-'));
  // Small limits: a copy above 64 KiB must go in parts, and parts may be as small as 16 KiB.
  store = await startObjectStore({
    dir: join(dir, 'small'),
    buckets: ['src', 'dst'],
    limits: { maxCopySizeBytes: 64 * KiB, minPartSizeBytes: 16 * KiB },
  });
  // S3's own limits (the default).
  strict = await startObjectStore({ dir: join(dir, 's3'), buckets: ['dst'] });
  s3 = client(store);
  s3Strict = client(strict);
});

afterAll(async () => {
  s3.destroy();
  s3Strict.destroy();
  await store.close();
  await strict.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lab S3 ListMultipartUploads and ListParts', () => {
  it('lists the uploads in progress by key, with their parts once whole; aborted and completed ones are gone', async () => {
    const a = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'p/one' }));
    const b = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'p/one' }));
    const c = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'q/two' }));
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'dst', Prefix: 'p/' }));
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ['p/one', a.UploadId],
      ['p/one', b.UploadId],
    ]);
    expect(listed.Uploads?.[0]?.Initiated).toBeInstanceOf(Date);
    expect(listed.IsTruncated).toBe(false);

    // Pages: one upload at a time, markers carry on where the last page stopped.
    const first = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'dst', MaxUploads: 1 }));
    expect(first.Uploads?.map((u) => u.UploadId)).toEqual([a.UploadId]);
    expect(first.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: 'dst',
        KeyMarker: first.NextKeyMarker,
        UploadIdMarker: first.NextUploadIdMarker,
      }),
    );
    expect(rest.Uploads?.map((u) => u.UploadId)).toEqual([b.UploadId, c.UploadId]);

    const data = randomBytes(40 * KiB);
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: 'dst', Key: 'p/one', UploadId: a.UploadId, PartNumber: 2, Body: data }),
    );
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'dst', Key: 'p/one', UploadId: a.UploadId, PartNumber: 1, Body: data }),
    );
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'dst', Key: 'p/one', UploadId: a.UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      [1, p1.ETag, data.length],
      [2, p2.ETag, data.length],
    ]);
    const page = await s3.send(
      new ListPartsCommand({ Bucket: 'dst', Key: 'p/one', UploadId: a.UploadId, PartNumberMarker: '1' }),
    );
    expect(page.Parts?.map((p) => p.PartNumber)).toEqual([2]);
    // Another key's upload id does not list this key's parts.
    await expect(
      s3.send(new ListPartsCommand({ Bucket: 'dst', Key: 'q/two', UploadId: a.UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });

    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'dst', Key: 'p/one', UploadId: b.UploadId }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'dst',
        Key: 'p/one',
        UploadId: a.UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'dst' }));
    expect(after.Uploads?.map((u) => u.Key)).toEqual(['q/two']);
    await expect(
      s3.send(new ListPartsCommand({ Bucket: 'dst', Key: 'p/one', UploadId: a.UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(
      s3.send(new AbortMultipartUploadCommand({ Bucket: 'dst', Key: 'p/one', UploadId: b.UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'dst', Key: 'q/two', UploadId: c.UploadId }));
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'dst' }))).Uploads ?? []).toEqual([]);
    await expect(s3.send(new ListMultipartUploadsCommand({ Bucket: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('lab S3 CompleteMultipartUpload checks', () => {
  it('refuses a part not uploaded, another ETag, parts out of order and an unknown upload, keeping the upload', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'checked' }));
    const data = randomBytes(20 * KiB);
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'dst', Key: 'checked', UploadId, PartNumber: 1, Body: data }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: 'dst', Key: 'checked', UploadId, PartNumber: 2, Body: data }),
    );
    const complete = (Parts: { PartNumber: number; ETag: string | undefined }[], id = UploadId) =>
      s3.send(
        new CompleteMultipartUploadCommand({ Bucket: 'dst', Key: 'checked', UploadId: id, MultipartUpload: { Parts } }),
      );
    await expect(
      complete([
        { PartNumber: 1, ETag: p1.ETag },
        { PartNumber: 3, ETag: p2.ETag },
      ]),
    ).rejects.toMatchObject({
      name: 'InvalidPart',
    });
    await expect(
      complete([
        { PartNumber: 1, ETag: p1.ETag },
        { PartNumber: 2, ETag: '"0123"' },
      ]),
    ).rejects.toMatchObject({
      name: 'InvalidPart',
    });
    await expect(
      complete([
        { PartNumber: 2, ETag: p2.ETag },
        { PartNumber: 1, ETag: p1.ETag },
      ]),
    ).rejects.toMatchObject({
      name: 'InvalidPartOrder',
    });
    await expect(complete([{ PartNumber: 1, ETag: p1.ETag }], 'f'.repeat(32))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'checked' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    await complete([
      { PartNumber: 1, ETag: p1.ETag },
      { PartNumber: 2, ETag: p2.ETag },
    ]);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dst', Key: 'checked' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([data, data]))).toBe(true);
  });

  it("refuses parts other than the last below S3's 5 MiB by default", async () => {
    const { UploadId } = await s3Strict.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'tiny' }));
    const parts = [];
    for (const n of [1, 2]) {
      const r = await s3Strict.send(
        new UploadPartCommand({ Bucket: 'dst', Key: 'tiny', UploadId, PartNumber: n, Body: randomBytes(KiB) }),
      );
      parts.push({ PartNumber: n, ETag: r.ETag });
    }
    await expect(
      s3Strict.send(
        new CompleteMultipartUploadCommand({ Bucket: 'dst', Key: 'tiny', UploadId, MultipartUpload: { Parts: parts } }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    // One part (the last may be any size) completes.
    await s3Strict.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'dst',
        Key: 'tiny',
        UploadId,
        MultipartUpload: { Parts: parts.slice(0, 1) },
      }),
    );
    expect((await s3Strict.send(new HeadObjectCommand({ Bucket: 'dst', Key: 'tiny' }))).ContentLength).toBe(KiB);
  });
});

describe('lab S3 single-copy limit', () => {
  it('refuses a CopyObject or a part copy above the limit with InvalidRequest; copies in parts below it', async () => {
    const data = randomBytes(100 * KiB);
    await s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'big', Body: data }));
    await expect(s3.send(new CopyObjectCommand({ Bucket: 'dst', Key: 'big', CopySource: 'src/big' }))).rejects.toThrow(
      /larger than the maximum allowable size for a copy source: 65536/,
    );
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dst', Key: 'big' }));
    await expect(
      s3.send(new UploadPartCopyCommand({ Bucket: 'dst', Key: 'big', UploadId, PartNumber: 1, CopySource: 'src/big' })),
    ).rejects.toMatchObject({ name: 'InvalidRequest' });
    const parts = [];
    for (const [n, range] of [
      [1, `bytes=0-${50 * KiB - 1}`],
      [2, `bytes=${50 * KiB}-${100 * KiB - 1}`],
    ] as const) {
      const r = await s3.send(
        new UploadPartCopyCommand({
          Bucket: 'dst',
          Key: 'big',
          UploadId,
          PartNumber: n,
          CopySource: 'src/big',
          CopySourceRange: range,
        }),
      );
      parts.push({ PartNumber: n, ETag: r.CopyPartResult!.ETag! });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'dst', Key: 'big', UploadId, MultipartUpload: { Parts: parts } }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dst', Key: 'big' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });
});
