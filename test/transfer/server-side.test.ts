// The server-side engine on the lab's S3 (one endpoint, two buckets), and the shared verification
// refusing a partial or altered copy. One lab store for the file.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xfer-ss-'));
  lab = await startObjectStore({ dir, buckets: ['bucket-a', 'bucket-b'] });
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

function side(store: ObjectStore, location: string): TransferSide {
  return {
    location,
    endpoint: store.endpoint,
    region: store.region,
    store,
    settings: { serverSideMultipartThresholdBytes: 1 * MiB, serverSidePartSizeBytes: 5 * MiB },
  };
}

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
