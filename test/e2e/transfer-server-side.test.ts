// Handoffs copied inside the object store: locations a and b of the thesis chain share one S3
// endpoint (a's store), each with its own bucket, so `auto` hands a → b off by the server-side
// engine (CopyObject, and UploadPartCopy above the store's single-copy limit). The reconciler moves
// no artifact byte. An apply killed
// with SIGKILL in the middle of a multipart copy leaves nothing under the key, and the next apply
// resumes the upload from the parts the store holds. One lab for the file.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { applyWatched } from '../support/cli.js';
import { applyJson } from '../support/json-output.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const BUCKET_B = 'mlpipeline-b';
const BIG = 3 * MiB;
const PART = 64 * KiB;

let lab: Lab;
let dir: string;
let env: NodeJS.ProcessEnv;
let s3: S3Client;
let store: ObjectStore;

/** The thesis file; b's `transfer:` copies in 64 KiB parts above 1 MiB (the lab's single-copy limit). */
function project(name: string, testSize: number): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  const file = exampleOnLabs([lab], at);
  const doc = parse(readFileSync(file, 'utf8')) as {
    metadata: { name: string };
    spec: {
      pipeline: { parameters: Record<string, unknown> };
      transfer?: unknown;
      locations: { name: string; transfer?: unknown }[];
      stages: { location: string; steps: string[] }[];
    };
  };
  doc.metadata.name = name;
  // a prepares the data and trains, b evaluates and serves: a → b carries split-data's test_set
  // (the large one) and train-model's model.
  doc.spec.stages = [
    { location: 'a', steps: ['load-data', 'split-data', 'train-model'] },
    { location: 'b', steps: ['evaluate-model', 'serve-model'] },
  ];
  doc.spec.pipeline.parameters['test_size'] = testSize;
  doc.spec.transfer = { engine: 'auto', inlineMaxBytes: 1 };
  for (const loc of doc.spec.locations) {
    loc.transfer = { serverSideMultipartThresholdBytes: 1 * MiB, serverSidePartSizeBytes: PART };
  }
  writeFileSync(file, stringify(doc));
  return file;
}

/** The multipart uploads in progress in b's bucket, with their parts. */
async function uploadsAtB(): Promise<{ key: string; uploadId: string; parts: number }[]> {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET_B }));
  const out = [];
  for (const u of listed.Uploads ?? []) {
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET_B, Key: u.Key, UploadId: u.UploadId }));
    out.push({ key: u.Key!, uploadId: u.UploadId!, parts: parts.Parts?.length ?? 0 });
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-xfer-ss-'));
  lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['a', 'b'],
    ports: 'ephemeral',
    // b runs no S3 server of its own: it uses a's, with its own bucket.
    sharedObjectStore: { b: 'a' },
    pipelineRoots: { b: `minio://${BUCKET_B}/v2/artifacts` },
    // One CopyObject copies at most 1 MiB (S3: 5 GiB), and parts may be small (S3: 5 MiB).
    objectStoreLimits: { maxCopySizeBytes: 1 * MiB, minPartSizeBytes: PART },
    steps: {
      // split-data's test_set goes in parts; train-model runs a while after it, so the test_set's
      // Last-Modified precedes any upload of the handoff by more than a second (resumable).
      a: {
        'split-data': { outputBytes: { test_set: BIG, train_set: 64 * KiB } },
        'train-model': { durationMs: 1100 },
      },
    },
  });
  // A killed apply keeps its lease until the TTL passes; keep that short here.
  env = labEnv([lab], { SPLIT_PIPELINES_LOCK_TTL: '2' });
  const a = lab.locations['a']!;
  s3 = new S3Client({
    endpoint: a.objectStore,
    region: a.region,
    forcePathStyle: true,
    credentials: a.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  store = new ObjectStore({ location: 'a', endpoint: a.objectStore, credentials: a.credentials, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  store?.close();
  await lab?.close();
});

describe('handoffs by the server-side engine (two locations on one S3 endpoint)', () => {
  it('copies a → b inside the store, large objects in parts, no byte through the reconciler; a kill -9 mid-multipart is resumed', async () => {
    expect(lab.locations['b']!.objectStore).toBe(lab.locations['a']!.objectStore);
    expect(lab.locations['b']!.bucket).toBe(BUCKET_B);
    const file = project('thesis', 0.2);
    let inHandoff = false;
    let finished = false;
    let seen: { key: string; uploadId: string; parts: number } | undefined;
    const killed = await applyWatched(file, env, (line, kill) => {
      if (inHandoff || !(line.startsWith('→ handoff ') && line.includes('→ b'))) return;
      inHandoff = true;
      // Slow the store down while a → b copies, and kill the apply once a part of the test_set's
      // upload is stored (48 parts at 4 at a time, each request 150 ms late: far from done).
      lab.setFaults('a', { objectStore: { delayMs: 150 } });
      void (async () => {
        while (seen === undefined && !finished) {
          seen = (await uploadsAtB().catch(() => [])).find((u) => u.parts > 0);
        }
        kill();
      })();
    }).finally(() => (finished = true));
    lab.setFaults('a', {});
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(seen).toBeDefined();
    // Nothing under the key: the upload is in progress, with fewer than all its parts.
    expect(await store.head({ bucket: BUCKET_B, key: seen!.key })).toBeUndefined();
    const [left] = (await uploadsAtB()).filter((u) => u.key === seen!.key);
    expect(left?.uploadId).toBe(seen!.uploadId);
    expect(left!.parts).toBeLessThan(BIG / PART);

    const again = await applyWatched(file, env, () => undefined);
    expect(again.code, again.stderr).toBe(0);
    const doc = applyJson(again.stdout);
    const handoffs = doc.applied.filter((op) => op.kind === 'handoff');
    expect(handoffs.map((h) => [h.from, h.location, h.engine, h.bytesMoved])).toEqual([['a', 'b', 'server-side', 0]]);
    const transfer = handoffs[0]!.handoff?.transfer;
    expect(transfer?.resumed).toBe(true);
    expect(transfer?.detail).toMatch(/resumed multipart uploads with \d+ parts already copied/);
    expect(doc.stages[1]).toMatchObject({
      cached: ['load-data', 'split-data', 'train-model'],
      executed: ['evaluate-model', 'serve-model'],
    });
    expect(doc.inSync).toBe(true);

    // Every object a → b carried is at b's bucket with a's size; the test_set was assembled from
    // 48 part copies (its ETag counts them) under the key the killed apply had begun, the small
    // ones copied whole. The resumed apply copied only what was missing.
    const atA = await store.listAll('mlpipeline', '');
    const atB = new Map((await store.listAll(BUCKET_B, '')).map((o) => [o.key, o]));
    const carried = atA.filter((o) => atB.has(o.key));
    expect(carried.length).toBeGreaterThanOrEqual(2);
    for (const o of carried) expect(atB.get(o.key)!.size, o.key).toBe(o.size);
    const big = carried.filter((o) => o.size === BIG);
    expect(big.map((o) => o.key)).toEqual([seen!.key]);
    const copy = await store.head({ bucket: BUCKET_B, key: seen!.key });
    expect(copy?.etag).toMatch(new RegExp(`-${BIG / PART}"$`));
    expect(copy?.metadata['source-etag']).toBe(big[0]!.etag!.replace(/"/g, ''));
    const whole = carried.reduce((n, o) => n + o.size, 0);
    expect(transfer?.bytesCopied).toBeLessThanOrEqual(whole - left!.parts * PART);
    expect(await uploadsAtB()).toEqual([]);
  }, 90_000);
});
