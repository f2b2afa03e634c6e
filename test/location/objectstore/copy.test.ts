import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  copyObject,
  ObjectStore,
  ObjectStoreError,
  SOURCE_ETAG_METADATA,
} from '../../../src/location/objectstore/index.js';
import { pseudoRandomBytes, startLabStore, type LabFixture } from './lab-stores.js';

const MiB = 1024 * 1024;
const bucket = 'mlpipeline';
let train: LabFixture;
let serve: LabFixture;
let src: ObjectStore;
let dst: ObjectStore;

// Small thresholds so a 20 MiB object takes the multipart path with several parts.
const transfer = { multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, partConcurrency: 2 };

beforeEach(async () => {
  train = await startLabStore('train');
  serve = await startLabStore('serve', ['serve-bucket']);
  src = train.client(transfer);
  dst = serve.client(transfer);
});

afterEach(async () => {
  await train.close();
  await serve.close();
});

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function download(store: ObjectStore, key: string, b = 'serve-bucket'): Promise<Buffer> {
  const { body } = await store.get({ bucket: b, key });
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function pendingUploads(lab: LabFixture, b: string): Promise<string[]> {
  return readdir(join(lab.dir, b, '._S3rver_uploads')).catch(() => []);
}

/** Writes bytes with a chosen (possibly stale) sha256, as a corrupted or rewritten source would be. */
async function rawPut(store: ObjectStore, key: string, body: Buffer, sha256?: string): Promise<void> {
  await store.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: sha256 ? { sha256 } : undefined }),
  );
}

describe('copyObject', () => {
  it('copies a 20 MiB object byte-exact through a multipart upload', async () => {
    const data = pseudoRandomBytes(20 * MiB, 42);
    // A stream whose digest is known beforehand (what an earlier handoff recorded) keeps it in metadata.
    await src.put({ bucket, key: 'big.bin' }, Readable.from([data]), { contentLength: data.length, sha256: sha(data) });
    const result = await copyObject(src, { bucket, key: 'big.bin' }, dst, {
      bucket: 'serve-bucket',
      key: 'v2/big.bin',
    });
    expect(result).toMatchObject({ skipped: false, bytes: 20 * MiB, sha256: sha(data), verified: true });
    const head = await dst.head({ bucket: 'serve-bucket', key: 'v2/big.bin' });
    expect(head?.etag).toMatch(/-4"$/); // 4 parts of 5 MiB
    expect(head?.sha256).toBe(sha(data));
    expect((await download(dst, 'v2/big.bin')).equals(data)).toBe(true);
  });

  it('skips the second copy of the same object', async () => {
    await src.put({ bucket, key: 'a.txt' }, 'same bytes');
    await copyObject(src, { bucket, key: 'a.txt' }, dst, { bucket: 'serve-bucket', key: 'a.txt' });
    serve.server.setFaults({});
    const again = await copyObject(src, { bucket, key: 'a.txt' }, dst, { bucket: 'serve-bucket', key: 'a.txt' });
    expect(again).toMatchObject({ skipped: true, bytes: 0 });
    expect(serve.server.faultStats().requests).toBe(1); // only the HEAD
  });

  it('copies again when the destination holds different bytes', async () => {
    await src.put({ bucket, key: 'a.txt' }, 'new bytes');
    await dst.put({ bucket: 'serve-bucket', key: 'a.txt' }, 'old bytes');
    const result = await copyObject(src, { bucket, key: 'a.txt' }, dst, { bucket: 'serve-bucket', key: 'a.txt' });
    expect(result).toMatchObject({ skipped: false, bytes: 9 });
    expect((await download(dst, 'a.txt')).toString()).toBe('new bytes');
  });

  it('records the sha256 of a source written without one, and skips by its ETag next time', async () => {
    await rawPut(src, 'kfp-written.bin', Buffer.from('written by the KFP launcher'));
    const first = await copyObject(src, { bucket, key: 'kfp-written.bin' }, dst, {
      bucket: 'serve-bucket',
      key: 'k.bin',
    });
    expect(first).toMatchObject({ skipped: false, verified: false, sha256: sha('written by the KFP launcher') });
    expect((await dst.head({ bucket: 'serve-bucket', key: 'k.bin' }))?.sha256).toBe(sha('written by the KFP launcher'));
    const second = await copyObject(src, { bucket, key: 'kfp-written.bin' }, dst, {
      bucket: 'serve-bucket',
      key: 'k.bin',
    });
    expect(second.skipped).toBe(true);
  });

  it('streams a large source without sha256, returns its digest and ETag, and skips by the source ETag next time', async () => {
    const data = pseudoRandomBytes(7 * MiB, 3);
    await rawPut(src, 'large-raw.bin', data);
    const source = await src.head({ bucket, key: 'large-raw.bin' });
    const result = await copyObject(src, { bucket, key: 'large-raw.bin' }, dst, {
      bucket: 'serve-bucket',
      key: 'l.bin',
    });
    expect(result).toMatchObject({ bytes: data.length, sha256: sha(data), verified: false });
    expect((await download(dst, 'l.bin')).equals(data)).toBe(true);
    // S3 takes metadata before the body: the digest, known only at the end, is the caller's to record.
    const head = await dst.head({ bucket: 'serve-bucket', key: 'l.bin' });
    expect(head?.sha256).toBeUndefined();
    expect(head?.etag).toBe(result.etag);
    expect(head?.metadata[SOURCE_ETAG_METADATA]).toBe(source?.etag);
    const again = await copyObject(src, { bucket, key: 'large-raw.bin' }, dst, {
      bucket: 'serve-bucket',
      key: 'l.bin',
    });
    expect(again).toMatchObject({ skipped: true, bytes: 0, etag: result.etag });
  });

  it('copies with a GET and a PUT only when the source is known and the destination listed free', async () => {
    await rawPut(src, 'known.bin', Buffer.from('listed bytes'));
    const listed = (await src.listAll(bucket, 'known.bin'))[0]!;
    train.server.setFaults({});
    serve.server.setFaults({});
    const result = await copyObject(
      src,
      { bucket, key: 'known.bin' },
      dst,
      { bucket: 'serve-bucket', key: 'known.bin' },
      { source: { size: listed.size, etag: listed.etag! }, targetAbsent: true },
    );
    expect(result).toMatchObject({ skipped: false, bytes: 12, sha256: sha('listed bytes') });
    expect(train.server.faultStats().requests).toBe(1); // the GET
    expect(serve.server.faultStats().requests).toBe(1); // the PUT
    // Known and present: one HEAD of the destination decides, the source is not asked.
    const again = await copyObject(
      src,
      { bucket, key: 'known.bin' },
      dst,
      { bucket: 'serve-bucket', key: 'known.bin' },
      { source: { size: listed.size, etag: listed.etag! } },
    );
    expect(again.skipped).toBe(true);
    expect(train.server.faultStats().requests).toBe(1);
    expect(serve.server.faultStats().requests).toBe(2);
  });

  it('refuses a source whose size changed since it was listed, writing nothing', async () => {
    await rawPut(src, 'grown.bin', Buffer.from('now longer than listed'));
    const err = await copyObject(
      src,
      { bucket, key: 'grown.bin' },
      dst,
      { bucket: 'serve-bucket', key: 'grown.bin' },
      { source: { size: 5, etag: '"x"' }, targetAbsent: true },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LengthMismatch', location: 'train', operation: 'copy' });
    expect((err as Error).message).toContain('changed since');
    expect(await dst.head({ bucket: 'serve-bucket', key: 'grown.bin' })).toBeUndefined();
  });

  it('reports a missing known source as NoSuchKey of the source location', async () => {
    const err = await copyObject(
      src,
      { bucket, key: 'gone' },
      dst,
      { bucket: 'serve-bucket', key: 'gone' },
      { source: { size: 1, etag: '"e"' }, targetAbsent: true },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ location: 'train', operation: 'copy', code: 'NoSuchKey' });
  });

  it('detects a small source whose bytes no longer match its sha256 and writes nothing', async () => {
    await src.put({ bucket, key: 'c.txt' }, 'recorded content');
    await rawPut(src, 'c.txt', Buffer.from('altered content!'), sha('recorded content'));
    const err = await copyObject(src, { bucket, key: 'c.txt' }, dst, { bucket: 'serve-bucket', key: 'c.txt' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ code: 'ChecksumMismatch', location: 'train', operation: 'copy', key: 'c.txt' });
    expect((err as Error).message).toContain('nothing was written to serve serve-bucket/c.txt');
    expect(await dst.head({ bucket: 'serve-bucket', key: 'c.txt' })).toBeUndefined();
  });

  it('aborts the multipart upload of a large altered source, keeping the previous destination', async () => {
    const recorded = pseudoRandomBytes(12 * MiB, 5);
    await src.put({ bucket, key: 'm.bin' }, recorded);
    const altered = Buffer.from(recorded);
    const last = altered.length - 1; // the last byte: the mismatch is only known at the end
    altered[last] = (altered[last] ?? 0) ^ 0xff;
    await rawPut(src, 'm.bin', altered, sha(recorded));
    await dst.put({ bucket: 'serve-bucket', key: 'm.bin' }, 'previous');
    const err = await copyObject(src, { bucket, key: 'm.bin' }, dst, { bucket: 'serve-bucket', key: 'm.bin' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ChecksumMismatch', location: 'train' });
    expect((await download(dst, 'm.bin')).toString()).toBe('previous');
    expect(await pendingUploads(serve, 'serve-bucket')).toEqual([]);
  });

  it('reports a missing source as an ObjectStoreError of the source location', async () => {
    const err = await copyObject(src, { bucket, key: 'none' }, dst, { bucket: 'serve-bucket', key: 'none' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ location: 'train', operation: 'copy', code: 'NoSuchKey' });
  });

  it('survives faults on both stores during a multipart copy', async () => {
    const data = pseudoRandomBytes(16 * MiB, 9);
    await src.put({ bucket, key: 'f.bin' }, data);
    const s = train.client({ ...transfer, maxAttempts: 6 });
    const d = serve.client({ ...transfer, maxAttempts: 6 });
    train.server.setFaults({ status500EveryN: 2 }); // the GET (request 2) fails once
    serve.server.setFaults({ status500EveryN: 2, dropConnectionEveryN: 5 });
    const result = await copyObject(s, { bucket, key: 'f.bin' }, d, { bucket: 'serve-bucket', key: 'f.bin' });
    expect(result.bytes).toBe(data.length);
    expect((await download(d, 'f.bin')).equals(data)).toBe(true);
    expect(train.server.faultStats().status500).toBeGreaterThan(0);
    expect(serve.server.faultStats().status500 + serve.server.faultStats().dropped).toBeGreaterThan(1);
  });

  it('restarts the copy when the source download is cut mid-body', async () => {
    const data = pseudoRandomBytes(2 * MiB, 11);
    await src.put({ bucket, key: 'cut.bin' }, data);
    // Request 1 is the HEAD, request 2 the GET that gets cut, request 3 the GET of the retry.
    train.server.setFaults({ cutBodyEveryN: 2 });
    const result = await copyObject(src, { bucket, key: 'cut.bin' }, dst, { bucket: 'serve-bucket', key: 'cut.bin' });
    expect(train.server.faultStats().cutBodies).toBe(1);
    expect(result.bytes).toBe(data.length);
    expect((await download(dst, 'cut.bin')).equals(data)).toBe(true);
  });

  it('gives up with a clear error when the source keeps failing', async () => {
    await src.put({ bucket, key: 'x.bin' }, 'x');
    const s = train.client({ maxAttempts: 2 });
    train.server.setFaults({ status500EveryN: 1 });
    const err = await copyObject(s, { bucket, key: 'x.bin' }, dst, { bucket: 'serve-bucket', key: 'x.bin' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ location: 'train', status: 500, attempts: 2 });
    expect(await dst.head({ bucket: 'serve-bucket', key: 'x.bin' })).toBeUndefined();
  });
});
