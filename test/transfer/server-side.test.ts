// The server-side engine on the lab's S3 (one endpoint, two buckets), and the shared verification
// refusing a partial or altered copy. One lab store for the file.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObjectStore, type LabObjectStore } from '../../packages/lab/src/objectstore/index.js';
import { ObjectStore, sha256Hex } from '../../src/location/objectstore/index.js';
import type { TransferManifest, TransferObject, TransferSide } from '../../src/transfer/engine.js';
import { runEngine } from '../../src/transfer/engine.js';
import { serverSideEngine } from '../../src/transfer/server-side.js';
import { inlineEngine } from '../../src/transfer/inline.js';
import { verifyTransfer, TransferVerificationError } from '../../src/transfer/verify.js';

let dir: string;
let lab: LabObjectStore;
let a: ObjectStore;
let b: ObjectStore;
const MiB = 1024 * 1024;
const KiB = 1024;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xfer-ss-'));
  // Parts as small as 64 KiB, so multipart copies (and their resumption) run on small objects; one
  // CopyObject copies at most 5 MiB (S3: 5 GiB).
  lab = await startObjectStore({
    dir,
    buckets: ['bucket-a', 'bucket-b'],
    limits: { minPartSizeBytes: 64 * KiB, maxCopySizeBytes: 5 * MiB },
  });
  const config = { endpoint: lab.endpoint, credentials: lab.credentials, maxAttempts: 1 };
  a = new ObjectStore({ location: 'a', ...config });
  b = new ObjectStore({ location: 'b', ...config });
});

afterAll(async () => {
  a.close();
  b.close();
  await lab.close();
  await rm(dir, { recursive: true, force: true });
});

function side(store: ObjectStore, location: string, partSize = 5 * MiB): TransferSide {
  return {
    location,
    endpoint: store.endpoint,
    region: store.region,
    store,
    settings: { serverSideMultipartThresholdBytes: 1 * MiB, serverSidePartSizeBytes: partSize },
  };
}

/** The source object as if written a minute ago (the lab's Last-Modified is its file's mtime). */
async function writtenAMinuteAgo(key: string): Promise<void> {
  const t = new Date(Date.now() - 60_000);
  await utimes(join(dir, 'bucket-a', `${key}._S3rver_object`), t, t);
}

const uploadsAtB = async (prefix: string) =>
  (await b.s3.send(new ListMultipartUploadsCommand({ Bucket: 'bucket-b', Prefix: prefix }))).Uploads ?? [];

async function manifestOf(
  id: string,
  objects: { key: string; data: Buffer; withSha?: boolean }[],
): Promise<TransferManifest> {
  const list: TransferObject[] = [];
  for (const o of objects) {
    const put = await a.put({ bucket: 'bucket-a', key: o.key }, o.data);
    const head = await a.head({ bucket: 'bucket-a', key: o.key });
    list.push({
      artifact: `art-${o.key}`,
      path: '',
      source: { bucket: 'bucket-a', key: o.key },
      target: { bucket: 'bucket-b', key: `copied/${o.key}` },
      size: o.data.length,
      ...(o.withSha === false ? {} : { sha256: put.sha256 }),
      ...(head?.etag ? { etag: head.etag } : {}),
    });
  }
  return { handoffId: id, source: side(a, 'a'), target: side(b, 'b'), objects: list };
}

describe('server-side transfer engine', () => {
  it('copies small and multipart objects inside the store, verifies them, and moves nothing on a re-run', async () => {
    const big = randomBytes(11 * MiB + 7);
    const small = randomBytes(1000);
    const m = await manifestOf('h1', [
      { key: 'run/big', data: big, withSha: false },
      { key: 'run/small', data: small },
      { key: 'run/empty', data: Buffer.alloc(0) },
    ]);
    const engine = serverSideEngine();
    expect(engine.usable(m.source, m.target)).toEqual({ usable: true });
    const first = await runEngine(engine, m);
    expect(first).toMatchObject({
      engine: 'server-side',
      copied: 3,
      skipped: 0,
      bytesCopied: big.length + 1000,
      bytesMovedByReconciler: 0,
    });
    const recorded = await verifyTransfer(m, first);
    expect(recorded.get('art-run/small')).toEqual([expect.objectContaining({ size: 1000, sha256: sha256Hex(small) })]);
    const bigCopy = await b.get(
      { bucket: 'bucket-b', key: 'copied/run/big' },
      { verify: true, sha256: sha256Hex(big) },
    );
    const chunks: Buffer[] = [];
    for await (const c of bigCopy.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);

    const again = await runEngine(engine, m);
    expect(again).toMatchObject({ copied: 0, skipped: 3, bytesCopied: 0 });
    await verifyTransfer(m, again);
  });

  it('resumes an interrupted multipart copy from the parts the store holds, copying only the missing ones', async () => {
    const data = randomBytes(1 * MiB + 100 * KiB);
    const m = await manifestOf('h-resume', [{ key: 'resume/big', data }]);
    m.target = side(b, 'b', 128 * KiB); // 9 parts
    await writtenAMinuteAgo('resume/big');
    // Requests: HEAD target, HEAD source, ListMultipartUploads, CreateMultipartUpload, then the 9
    // part copies (4 at a time): the 8th request, a part copy, fails with a 500.
    lab.setFaults({ status500EveryN: 8 });
    await expect(runEngine(serverSideEngine(), m)).rejects.toThrow(/server-side copy of .*InternalError/);
    lab.setFaults({});
    // Nothing under the key: the upload is in progress, with the parts that were copied.
    expect(await b.head(m.objects[0]!.target)).toBeUndefined();
    const [left] = await uploadsAtB('copied/resume/');
    expect(left?.Key).toBe('copied/resume/big');

    const again = await runEngine(serverSideEngine(), m);
    expect(again).toMatchObject({ copied: 1, resumed: true, bytesCopied: 128 * KiB, bytesMovedByReconciler: 0 });
    expect(again.detail).toBe('resumed multipart uploads with 8 parts already copied');
    await verifyTransfer(m, again);
    const copy = await b.get(m.objects[0]!.target, { verify: true, sha256: sha256Hex(data) });
    const chunks: Buffer[] = [];
    for await (const c of copy.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(await uploadsAtB('copied/resume/')).toEqual([]);
  });

  it('restarts cleanly when the source changed since the interrupted upload began, or the part size did', async () => {
    const old = randomBytes(1 * MiB + 100 * KiB);
    const m0 = await manifestOf('h-restart', [{ key: 'restart/big', data: old }]);
    m0.target = side(b, 'b', 128 * KiB);
    await writtenAMinuteAgo('restart/big');
    lab.setFaults({ status500EveryN: 8 });
    await expect(runEngine(serverSideEngine(), m0)).rejects.toThrow(/InternalError/);
    lab.setFaults({});
    const [stale] = await uploadsAtB('copied/restart/');
    expect(stale).toBeDefined();

    // The part size changed: the earlier upload's parts are other ranges, so it is dropped.
    const m1 = { ...m0, target: side(b, 'b', 256 * KiB) };
    lab.setFaults({ status500EveryN: 7 });
    await expect(runEngine(serverSideEngine(), m1)).rejects.toThrow(/InternalError/);
    lab.setFaults({});
    const uploads = await uploadsAtB('copied/restart/');
    expect(uploads.map((u) => u.UploadId)).not.toContain(stale!.UploadId);
    expect(uploads).toHaveLength(1);

    // The source is rewritten (same size, other bytes) after that upload began: it cannot be resumed.
    const fresh = randomBytes(old.length);
    const m2 = await manifestOf('h-restart', [{ key: 'restart/big', data: fresh }]);
    m2.target = side(b, 'b', 256 * KiB);
    const done = await runEngine(serverSideEngine(), m2);
    expect(done).toMatchObject({ copied: 1, resumed: false, bytesCopied: fresh.length });
    await verifyTransfer(m2, done);
    const copy = await b.get(m2.objects[0]!.target, { verify: true, sha256: sha256Hex(fresh) });
    const chunks: Buffer[] = [];
    for await (const c of copy.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(fresh)).toBe(true);
    expect(await uploadsAtB('copied/restart/')).toEqual([]);
  });

  it("copies in parts an object the store refuses to copy at once (the file's threshold above the store's limit)", async () => {
    const data = randomBytes(6 * MiB);
    const m = await manifestOf('h-limit', [{ key: 'limit/big', data }]);
    m.target = {
      ...side(b, 'b'),
      settings: { serverSideMultipartThresholdBytes: 100 * MiB, serverSidePartSizeBytes: 2 * MiB },
    };
    const done = await runEngine(serverSideEngine(), m);
    expect(done).toMatchObject({ copied: 1, bytesCopied: data.length });
    await verifyTransfer(m, done);
    expect((await b.head(m.objects[0]!.target))?.etag).toMatch(/-3"$/);
  });

  it('is not usable across endpoints or when a location does not allow it', () => {
    const other = { ...side(b, 'b'), endpoint: 'http://elsewhere:9000' };
    expect(serverSideEngine().usable(side(a, 'a'), other)).toMatchObject({ usable: false });
    const narrow = { ...side(b, 'b'), settings: { engines: ['inline' as const] } };
    expect(serverSideEngine().usable(side(a, 'a'), narrow)).toMatchObject({ usable: false });
  });

  it('verification refuses a partial or altered copy, naming the location and object', async () => {
    const data = randomBytes(4000);
    for (const withSha of [true, false]) {
      const m = await manifestOf(`h2${withSha}`, [{ key: `alt/${withSha}`, data, withSha }]);
      const done = await runEngine(serverSideEngine(), m);
      await verifyTransfer(m, done);
      const altered = Buffer.from(data);
      altered[0] = altered[0]! ^ 0xff;
      await b.put(m.objects[0]!.target, altered);
      await expect(verifyTransfer(m, done)).rejects.toThrow(TransferVerificationError);
      await b.put(m.objects[0]!.target, data.subarray(0, 3000));
      await expect(verifyTransfer(m, done)).rejects.toThrow(/3000 bytes at the target, but 4000 at the source/);
      await b.delete(m.objects[0]!.target);
      await expect(verifyTransfer(m, done)).rejects.toThrow(/missing at the target/);
    }
  });

  it('inline engine moves the bytes through this process and verifies as it streams', async () => {
    const data = randomBytes(3000);
    const m = await manifestOf('h3', [{ key: 'inl/x', data, withSha: false }]);
    const r = await runEngine(inlineEngine(), m);
    expect(r).toMatchObject({ engine: 'inline', copied: 1, bytesMovedByReconciler: 3000 });
    expect((await verifyTransfer(m, r)).get('art-inl/x')).toEqual([
      expect.objectContaining({ sha256: sha256Hex(data) }),
    ]);
  });
});
