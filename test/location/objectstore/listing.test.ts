import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { listCovering, type ObjectStore } from '../../../src/location/objectstore/index.js';
import { startLabStore, type LabFixture } from './lab-stores.js';

const bucket = 'mlpipeline';
let lab: LabFixture;
let store: ObjectStore;

beforeEach(async () => {
  lab = await startLabStore('listing');
  store = lab.client({ listPageSize: 10 });
});

afterEach(async () => {
  await lab.close();
});

describe('listCovering', () => {
  it('answers for many keys, single objects and directories, from one listing of their common directory', async () => {
    await store.put({ bucket, key: 'v2/run/a/out' }, 'a');
    await store.put({ bucket, key: 'v2/run/b/out/part-0' }, 'b0');
    await store.put({ bucket, key: 'v2/run/b/out/sub/part-1' }, 'b1!');
    await store.put({ bucket, key: 'v2/other/c' }, 'elsewhere');
    lab.server.setFaults({});
    const listing = await listCovering(store, [
      { bucket, key: 'v2/run/a/out' },
      { bucket, key: 'v2/run/b/out' },
      { bucket, key: 'v2/run/c/out' },
    ]);
    expect(lab.server.faultStats().requests).toBe(1); // one page of ListObjectsV2 under v2/run/
    expect(listing?.at({ bucket, key: 'v2/run/a/out' })).toMatchObject({ size: 1 });
    expect(listing?.at({ bucket, key: 'v2/run/a/out' })?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(listing?.at({ bucket, key: 'v2/run/b/out' })).toBeUndefined();
    expect(listing?.under({ bucket, key: 'v2/run/b/out' }).map((u) => [u.path, u.summary.size])).toEqual([
      ['part-0', 2],
      ['sub/part-1', 3],
    ]);
    expect(listing?.at({ bucket, key: 'v2/run/c/out' })).toBeUndefined();
    expect(listing?.under({ bucket, key: 'v2/run/c/out' })).toEqual([]);
  });

  it('cuts the common prefix at a whole path segment', async () => {
    await store.put({ bucket, key: 'v2/run/step-1' }, '1');
    await store.put({ bucket, key: 'v2/run/step-2' }, '2');
    await store.put({ bucket, key: 'v2/run/other' }, 'sibling, listed too');
    const listing = await listCovering(store, [
      { bucket, key: 'v2/run/step-1' },
      { bucket, key: 'v2/run/step-2' },
    ]);
    expect(listing?.at({ bucket, key: 'v2/run/other' })).toMatchObject({ size: 19 });
  });

  it('allows at least one page of entries, however few keys are asked about', async () => {
    for (let i = 0; i < 30; i++) await store.put({ bucket, key: `v2/history/run-${i}/x` }, 'x');
    const few = await listCovering(
      store,
      [
        { bucket, key: 'v2/history/run-1/x' },
        { bucket, key: 'v2/history/run-2/x' },
      ],
      { entriesPerKey: 4 },
    );
    // The limit is never below one page of 1,000 entries, so 30 entries are still listed.
    expect(few).toBeDefined();
    const many = [];
    for (let i = 0; i < 1100; i++) many.push({ bucket, key: `v2/history/run-${i}/x` });
    // 1,100 keys asked, 30 present: listed; a limit of 0 entries per key still allows one page.
    expect(await listCovering(store, many, { entriesPerKey: 0 })).toBeDefined();
  });

  it('stops listing once past the limit', async () => {
    const keys = [];
    for (let i = 0; i < 1005; i++) keys.push(`v2/big/o-${String(i).padStart(4, '0')}`);
    await Promise.all(keys.map((k) => store.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: 'x' }))));
    lab.server.setFaults({});
    const listing = await listCovering(store, [
      { bucket, key: 'v2/big/o-0001' },
      { bucket, key: 'v2/big/o-0002' },
    ]);
    expect(listing).toBeUndefined();
    // Pages of 10: it stopped after 1,001 entries, not at the end of the listing.
    expect(lab.server.faultStats().requests).toBe(101);
  });
});
