import { request } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startObjectStore, type LabObjectStore } from '../../../packages/lab/src/objectstore/index.js';

let dir: string;
let store: LabObjectStore;
let s3: S3Client;

function client(server: LabObjectStore, extra: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: server.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    ...extra,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-os-'));
  store = await startObjectStore({ dir, buckets: ['mlpipeline'] });
  s3 = client(store);
});

afterEach(async () => {
  s3.destroy();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw HTTP exchange, for what an SDK would hide (status codes, cut connections). */
function raw(
  server: LabObjectStore,
  method: string,
  path: string,
  body?: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.endpoint}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function putText(key: string, text: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: 'mlpipeline', Key: key, Body: text }));
}

async function getText(key: string, c: S3Client = s3): Promise<string> {
  const out = await c.send(new GetObjectCommand({ Bucket: 'mlpipeline', Key: key }));
  return (await out.Body?.transformToString()) ?? '';
}

describe('lab object store', () => {
  it('serves path-style S3 requests signed with its credentials', async () => {
    await putText('a/b.txt', 'hello');
    expect(await getText('a/b.txt')).toBe('hello');
  });

  it('keeps objects on disk across a restart on the same directory', async () => {
    await putText('durable.txt', 'still here');
    await store.close();
    s3.destroy();
    store = await startObjectStore({ dir, buckets: ['mlpipeline'] });
    s3 = client(store);
    expect(await getText('durable.txt')).toBe('still here');
  });

  it('pages ListObjectsV2 with its own continuation tokens', async () => {
    for (let i = 0; i < 25; i++) await putText(`list/k${String(i).padStart(2, '0')}`, `${i}`);
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'mlpipeline', Prefix: 'list/', MaxKeys: 10, ContinuationToken: token }),
      );
      pages += 1;
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      // s3rver's own tokens are DES ciphertext; ours decode to JSON, so no OpenSSL legacy cipher is involved.
      if (token) expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toMatchObject({ b: 'mlpipeline' });
    } while (token);
    expect(pages).toBe(3);
    expect(keys).toEqual(Array.from({ length: 25 }, (_, i) => `list/k${String(i).padStart(2, '0')}`));
  });

  it('rejects a continuation token it did not issue', async () => {
    const res = await raw(store, 'GET', '/mlpipeline?list-type=2&continuation-token=bm9wZQ');
    expect(res.status).toBe(400);
    expect(res.body).toContain('InvalidArgument');
  });

  it('stores nothing under the key when an upload is cut before its last byte', async () => {
    await putText('cut.bin', 'previous version');
    await new Promise<void>((resolve) => {
      const req = request(`${store.endpoint}/mlpipeline/cut.bin`, {
        method: 'PUT',
        headers: { 'content-length': '100000' },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(50_000, 1), () => setTimeout(() => req.destroy(), 50));
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(await getText('cut.bin')).toBe('previous version');
  });

  it('gives a multipart object an ETag of the form md5-of-part-md5s-N, as S3 does', async () => {
    const part = Buffer.alloc(5 * 1024 * 1024, 7);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mlpipeline', Key: 'mp.bin' }));
    const etags: string[] = [];
    for (const [i, body] of [part, Buffer.from('tail')].entries()) {
      const out = await s3.send(
        new UploadPartCommand({ Bucket: 'mlpipeline', Key: 'mp.bin', UploadId, PartNumber: i + 1, Body: body }),
      );
      etags.push(out.ETag ?? '');
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'mlpipeline',
        Key: 'mp.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'mlpipeline', Key: 'mp.bin' }));
    expect(head.ETag).toBe(done.ETag);
    expect(head.ContentLength).toBe(part.length + 4);
  });

  it('aborts a multipart upload and forgets its parts', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mlpipeline', Key: 'ab.bin' }));
    await s3.send(new UploadPartCommand({ Bucket: 'mlpipeline', Key: 'ab.bin', UploadId, PartNumber: 1, Body: 'x' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mlpipeline', Key: 'ab.bin', UploadId }));
    expect(await readdir(join(dir, 'mlpipeline', '._S3rver_uploads'))).toEqual([]);
    await expect(
      s3.send(new AbortMultipartUploadCommand({ Bucket: 'mlpipeline', Key: 'ab.bin', UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('refuses aws-chunked uploads instead of storing their framing', async () => {
    const chunked = client(store, { requestChecksumCalculation: 'WHEN_SUPPORTED' });
    try {
      await expect(
        chunked.send(
          new PutObjectCommand({
            Bucket: 'mlpipeline',
            Key: 'chunked.bin',
            Body: Readable.from([Buffer.from('data')]),
            ContentLength: 4,
          }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 501 } });
    } finally {
      chunked.destroy();
    }
    const missing = await raw(store, 'HEAD', '/mlpipeline/chunked.bin');
    expect(missing.status).toBe(404);
  });
});

describe('lab object store faults', () => {
  it('answers every Nth request with 500 InternalError', async () => {
    store.setFaults({ status500EveryN: 2 });
    expect((await raw(store, 'GET', '/mlpipeline?list-type=2')).status).toBe(200);
    const second = await raw(store, 'GET', '/mlpipeline?list-type=2');
    expect(second.status).toBe(500);
    expect(second.body).toContain('<Code>InternalError</Code>');
    expect(store.faultStats()).toMatchObject({ requests: 2, status500: 1 });
  });

  it('answers every Nth request with 503 SlowDown', async () => {
    store.setFaults({ slowDownEveryN: 1 });
    const res = await raw(store, 'GET', '/mlpipeline?list-type=2');
    expect(res.status).toBe(503);
    expect(res.body).toContain('<Code>SlowDown</Code>');
  });

  it('drops the connection of every Nth request', async () => {
    store.setFaults({ dropConnectionEveryN: 1 });
    await expect(raw(store, 'GET', '/mlpipeline?list-type=2')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(store.faultStats().dropped).toBe(1);
  });

  it('cuts the body of every Nth object download after its first chunk', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'mlpipeline', Key: 'big.bin', Body: Buffer.alloc(1024 * 1024, 3) }));
    store.setFaults({ cutBodyEveryN: 1 });
    const out = await s3.send(new GetObjectCommand({ Bucket: 'mlpipeline', Key: 'big.bin' }));
    await expect(out.Body?.transformToByteArray()).rejects.toThrow();
    expect(store.faultStats().cutBodies).toBe(1);
  });

  it('delays every request by delayMs', async () => {
    store.setFaults({ delayMs: 150 });
    const started = Date.now();
    await raw(store, 'GET', '/mlpipeline?list-type=2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('applies faults given at start', async () => {
    const faulty = await startObjectStore({
      dir: join(dir, 'second'),
      buckets: ['b1'],
      faults: { status500EveryN: 1 },
    });
    try {
      expect((await raw(faulty, 'GET', '/b1?list-type=2')).status).toBe(500);
    } finally {
      await faulty.close();
    }
  });
});
