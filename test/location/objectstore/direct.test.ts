// The copy's per-object requests go out as plain SigV4-signed HTTP (direct.ts): against the lab's
// store, which checks every signature, and against nock for the URLs the SDK's endpoint rules give.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../../../src/location/objectstore/index.js';
import { pseudoRandomBytes, startLabStore, type LabFixture } from './lab-stores.js';

const MiB = 1024 * 1024;
const bucket = 'mlpipeline';
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('direct requests against the lab store, which checks their signatures', () => {
  let lab: LabFixture;
  beforeAll(async () => {
    lab = await startLabStore('direct');
  });
  afterAll(async () => {
    await lab.close();
  });

  // Keys KFP can produce: task and output names with spaces, unicode, and characters that
  // encodeURIComponent leaves alone but SigV4 escapes.
  const keys = ['v2/run 1/task (a)/out!', "v2/ü/données/x*'~+=&?.bin", 'v2/%41-percent;@$,'];

  it.each(keys)('puts, heads and gets %j, and the SDK reads the same bytes back', async (key) => {
    const store = lab.client();
    const body = `bytes of ${key}`;
    const put = await store.put({ bucket, key }, body, { contentType: 'text/plain', metadata: { origin: 'test' } });
    expect(put.sha256).toBe(sha(body));
    const head = await store.head({ bucket, key });
    expect(head).toMatchObject({
      size: Buffer.byteLength(body),
      sha256: sha(body),
      contentType: 'text/plain',
      metadata: { origin: 'test', sha256: sha(body) },
    });
    expect(head?.etag).toBe(put.etag);
    const { body: stream } = await store.get({ bucket, key }, { verify: true });
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe(body);
    // The SDK, encoding the key its own way, finds the same object.
    const viaSdk = await store.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await viaSdk.Body?.transformToString()).toBe(body);
  });

  it('uploads a multipart object under an awkward key, parts unsigned, and it reads back whole', async () => {
    const store = lab.client({ multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB });
    const data = pseudoRandomBytes(11 * MiB, 7);
    const key = 'v2/run (2)/ünïcode model';
    const put = await store.put({ bucket, key }, Readable.from([data]), { contentLength: data.length });
    expect(put).toMatchObject({ multipart: true, sha256: sha(data), sha256InMetadata: false });
    const head = await store.head({ bucket, key });
    expect(head?.etag).toMatch(/-3"$/);
    const { body } = await store.get({ bucket, key }, { verify: true, sha256: sha(data) });
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('is refused with a wrong secret (the lab checks V4 signatures), at once, without the secret in the error', async () => {
    await lab.client().put({ bucket, key: 'exists' }, 'x');
    const wrong = lab.client({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' } });
    lab.server.setFaults({});
    for (const attempt of [
      () => wrong.get({ bucket, key: 'exists' }),
      () => wrong.put({ bucket, key: 'exists' }, 'y'),
      () => wrong.head({ bucket, key: 'exists' }),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toMatchObject({ location: 'direct', status: 403 });
      expect((err as Error).message).toContain('check the credentials');
      expect((err as Error).message).not.toContain('not-the-secret');
    }
    expect(lab.server.faultStats().requests).toBe(3);
    // The SDK's own requests are checked the same way.
    const listed = await wrong.listAll(bucket, '').catch((e: unknown) => e);
    expect(listed).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
  });
});

describe('direct requests go where the SDK would send them', () => {
  // Test files share a worker's modules (vitest isolate: false): nock is active only here, and
  // restored after, so other files' requests never pass through its interceptor.
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  it('virtual-hosted style on AWS S3: the bucket in the host name, signed for the region', async () => {
    const store = new ObjectStore({
      location: 'aws',
      region: 'eu-central-1',
      forcePathStyle: false,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    let auth = '';
    const scope = nock('https://my-bucket.s3.eu-central-1.amazonaws.com')
      .head('/v2/run%201/out')
      .reply(function () {
        auth = String(this.req.headers['authorization']);
        return [200, '', { 'content-length': '5', etag: '"abc"', 'x-amz-meta-sha256': 'f'.repeat(64) }];
      });
    const head = await store.head({ bucket: 'my-bucket', key: 'v2/run 1/out' });
    store.close();
    expect(scope.isDone()).toBe(true);
    expect(head).toMatchObject({ size: 5, etag: '"abc"', sha256: 'f'.repeat(64) });
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('path style on a custom endpoint with a path, and a session token signed along', async () => {
    const store = new ObjectStore({
      location: 'minio',
      endpoint: 'http://minio.example:9000',
      credentials: { accessKeyId: 'k', secretAccessKey: 's', sessionToken: 'tok' },
    });
    let headers: Record<string, unknown> = {};
    nock('http://minio.example:9000')
      .put('/mlpipeline/a/b.txt', 'hello')
      .reply(function () {
        headers = this.req.headers;
        return [200, '', { etag: '"e"' }];
      });
    const put = await store.put({ bucket: 'mlpipeline', key: 'a/b.txt' }, 'hello');
    store.close();
    expect(put.etag).toBe('"e"');
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers['x-amz-content-sha256']).toBe(sha('hello'));
    expect(String(headers['authorization'])).toContain(
      'SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date;x-amz-meta-sha256;x-amz-security-token',
    );
  });

  it('retries 503 SlowDown and a dropped connection, then gives the error after the attempt budget', async () => {
    const store = new ObjectStore({
      location: 'minio',
      endpoint: 'http://minio.example:9000',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      maxAttempts: 3,
    });
    nock('http://minio.example:9000')
      .get('/b/k')
      .reply(503, '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>')
      .get('/b/k')
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get('/b/k')
      .reply(200, 'body', { 'content-length': '4' });
    const got = await store.get({ bucket: 'b', key: 'k' });
    const chunks: Buffer[] = [];
    for await (const c of got.body as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('body');
    nock('http://minio.example:9000')
      .get('/b/k')
      .times(3)
      .reply(500, '<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>');
    const err = await store.get({ bucket: 'b', key: 'k' }).catch((e: unknown) => e);
    store.close();
    expect(err).toMatchObject({ code: 'InternalError', status: 500, attempts: 3 });
    expect((err as Error).message).toContain('We encountered an internal error.');
    expect((err as Error).message).toContain('after 3 attempts');
  });
});
