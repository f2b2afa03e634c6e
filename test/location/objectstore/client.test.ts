import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectStore, ObjectStoreError } from '../../../src/location/objectstore/index.js';
import { startLabStore, type LabFixture } from './lab-stores.js';

let lab: LabFixture;
let store: ObjectStore;
const bucket = 'mlpipeline';

beforeEach(async () => {
  lab = await startLabStore('train');
  store = lab.client();
});

afterEach(async () => {
  await lab.close();
});

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('ObjectStore', () => {
  it('puts an object and heads its size, ETag and sha256 metadata', async () => {
    const put = await store.put({ bucket, key: 'a/x.txt' }, 'hello world', {
      contentType: 'text/plain',
      metadata: { origin: 'test' },
    });
    expect(put.sha256).toBe(sha('hello world'));
    const info = await store.head({ bucket, key: 'a/x.txt' });
    expect(info).toMatchObject({
      size: 11,
      sha256: sha('hello world'),
      contentType: 'text/plain',
      metadata: { origin: 'test', sha256: sha('hello world') },
    });
    expect(info?.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('gets an object as a Node stream', async () => {
    await store.put({ bucket, key: 'b.bin' }, Buffer.from([1, 2, 3]));
    const { body, info } = await store.get({ bucket, key: 'b.bin' });
    expect(body).toBeInstanceOf(Readable);
    expect([...(await readAll(body))]).toEqual([1, 2, 3]);
    expect(info.size).toBe(3);
  });

  it('puts a stream of known length', async () => {
    const data = Buffer.alloc(100_000, 9);
    await store.put({ bucket, key: 's.bin' }, Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]), {
      contentLength: data.length,
    });
    expect((await store.head({ bucket, key: 's.bin' }))?.sha256).toBe(sha(data));
  });

  it('refuses a stream longer than its stated length and stores nothing', async () => {
    const err = await store
      .put({ bucket, key: 'long.bin' }, Readable.from([Buffer.alloc(20)]), { contentLength: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ code: 'LengthMismatch', operation: 'put', location: 'train' });
    expect(await store.head({ bucket, key: 'long.bin' })).toBeUndefined();
  });

  it('returns undefined when heading a missing object', async () => {
    expect(await store.head({ bucket, key: 'nope' })).toBeUndefined();
  });

  it('reports a missing object on get as an ObjectStoreError with its location and key', async () => {
    const err = await store.get({ bucket, key: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ location: 'train', operation: 'get', bucket, key: 'nope', status: 404 });
    expect((err as Error).message).toMatch(/^object store 'train': get mlpipeline\/nope: HTTP 404 NoSuchKey/);
  });

  it('lists every key under a prefix across pages', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `runs/r1/k${String(i).padStart(2, '0')}`);
    for (const key of keys) await store.put({ bucket, key }, key);
    await store.put({ bucket, key: 'runs/r2/other' }, 'x');
    lab.server.setFaults({});
    const listed = await store.listAll(bucket, 'runs/r1/', { pageSize: 10 });
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed[0]?.size).toBe(keys[0]?.length);
    expect(lab.server.faultStats().requests).toBe(3);
  });

  it('verifies downloaded bytes against the recorded sha256 when asked', async () => {
    await store.put({ bucket, key: 'v.txt' }, 'original');
    // Rewrite the bytes behind the client's back, keeping the recorded digest.
    await store.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'v.txt', Body: 'tampered', Metadata: { sha256: sha('original') } }),
    );
    const { body } = await store.get({ bucket, key: 'v.txt' }, { verify: true });
    const err = await readAll(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ code: 'ChecksumMismatch', operation: 'get' });
  });

  it('deletes an object', async () => {
    await store.put({ bucket, key: 'd.txt' }, 'x');
    await store.delete({ bucket, key: 'd.txt' });
    expect(await store.head({ bucket, key: 'd.txt' })).toBeUndefined();
  });

  it('resolves an artifact URI of any scheme to a bucket and key on its endpoint', () => {
    expect(store.resolve('minio://mlpipeline/v2/artifacts/p/r/t/u/o')).toEqual({
      bucket,
      key: 'v2/artifacts/p/r/t/u/o',
    });
    expect(store.resolve('s3://mlpipeline/k')).toEqual({ bucket, key: 'k' });
  });
});

describe('ObjectStore credentials', () => {
  it('reads the keys from the named environment variables', async () => {
    const fromEnv = lab.client({
      credentials: undefined,
      accessKeyIdEnv: 'T_KEY',
      secretAccessKeyEnv: 'T_SECRET',
      env: { T_KEY: lab.server.credentials.accessKeyId, T_SECRET: lab.server.credentials.secretAccessKey },
    });
    await fromEnv.put({ bucket, key: 'env.txt' }, 'ok');
    expect((await fromEnv.head({ bucket, key: 'env.txt' }))?.size).toBe(2);
  });

  it('names the unset variable, never a value', () => {
    const make = () =>
      new ObjectStore({
        location: 'train',
        endpoint: lab.server.endpoint,
        accessKeyIdEnv: 'T_KEY',
        secretAccessKeyEnv: 'T_SECRET',
        env: { T_KEY: 'AKIA-visible-secret' },
      });
    expect(make).toThrow(ObjectStoreError);
    expect(make).toThrow(/environment variable T_SECRET \(objectStore.secretAccessKeyEnv\) is not set/);
    expect(make).not.toThrow(/AKIA-visible-secret/);
  });

  it('reports rejected credentials with a hint and without the secret', async () => {
    const wrong = lab.client({ credentials: { accessKeyId: 'WRONGKEY', secretAccessKey: 'super-secret-value' } });
    const err = await wrong.put({ bucket, key: 'x' }, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    expect((err as Error).message).toContain('check the credentials');
    expect((err as Error).message).not.toContain('super-secret-value');
  });
});

describe('ObjectStore retries', () => {
  it('survives 500s, SlowDowns and dropped connections', async () => {
    const retrying = lab.client({ maxAttempts: 6 });
    lab.server.setFaults({ status500EveryN: 2, slowDownEveryN: 5, dropConnectionEveryN: 7 });
    for (let i = 0; i < 6; i++) await retrying.put({ bucket, key: `f/${i}` }, `v${i}`);
    expect((await retrying.listAll(bucket, 'f/')).map((o) => o.key)).toEqual([
      'f/0',
      'f/1',
      'f/2',
      'f/3',
      'f/4',
      'f/5',
    ]);
    const stats = lab.server.faultStats();
    expect(stats.status500).toBeGreaterThan(0);
    expect(stats.slowDown).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
  });

  it('gives up after the attempt budget with a clear error', async () => {
    const retrying = lab.client({ maxAttempts: 3 });
    lab.server.setFaults({ status500EveryN: 1 });
    const err = await retrying.put({ bucket, key: 'never' }, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ status: 500, attempts: 3, code: 'InternalError', operation: 'put' });
    expect((err as Error).message).toContain('the store kept failing after 3 attempts');
    expect(lab.server.faultStats().requests).toBe(3);
  });
});
