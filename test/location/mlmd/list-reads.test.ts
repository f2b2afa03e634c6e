// The list forms of MLMD's reads, as the observer batches them (src/observe/cache-lookup.ts), against
// the lab's server, which follows ml-metadata's metadata_store.cc: GetExecutionsByID,
// GetArtifactsByID and GetContextsByID skip ids that do not exist (FindNodesImpl with
// skipped_ids_ok, the NOT_FOUND of a partial match ignored), an empty list is OK and empty;
// GetEventsBy{Execution,Artifact}IDs answer OK and empty when no event matches (the DAO's
// NOT_FOUND turned into OK); an id asked twice comes once (`id IN (...)`). MLMD's queries have no
// ORDER BY (metadata_source_query_config.cc select_execution_by_id, select_event_by_execution_ids),
// so callers must not rely on the order: the lab answers in id order, and the tests compare sets.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stringValue, structValue, type Event } from '../../../src/location/mlmd/index.js';
import { lookupCacheMany, outputArtifactsOf } from '../../../src/observe/cache-lookup.js';
import type { KfpClient, KfpListOptions, KfpTask } from '../../../src/location/kfp/index.js';
import type { ObjectStore } from '../../../src/location/objectstore/index.js';
import { startFixture, type Fixture } from './lab-fixture.js';

let lab: Fixture;
let executionIds: number[];
let artifactIds: number[];
const MISSING = 987_654;

beforeAll(async () => {
  lab = await startFixture();
  const types = await lab.client.putTypes({
    artifactTypes: [{ name: 'system.Dataset' }],
    executionTypes: [{ name: 'system.ContainerExecution' }],
  });
  const [artifactType, executionType] = [types.artifactTypeIds[0]!, types.executionTypeIds[0]!];
  executionIds = await lab.client.putExecutions(
    [0, 1, 2].map((i) => ({
      typeId: executionType,
      lastKnownState: 'COMPLETE' as const,
      customProperties: { outputs: structValue({ n: i }) },
    })),
  );
  // Two outputs for the first execution, one for the second, none for the third.
  artifactIds = await lab.client.putArtifacts(
    ['a0', 'b0', 'a1'].map((n) => ({
      typeId: artifactType,
      uri: `minio://mlpipeline/p/${n}`,
      state: 'LIVE' as const,
      customProperties: { display_name: stringValue(n) },
    })),
  );
  const out = (executionId: number, artifactId: number, key: string): Event => ({
    executionId,
    artifactId,
    type: 'OUTPUT',
    path: { steps: [{ key }] },
  });
  await lab.client.putEvents([
    out(executionIds[0]!, artifactIds[0]!, 'a'),
    out(executionIds[0]!, artifactIds[1]!, 'b'),
    out(executionIds[1]!, artifactIds[2]!, 'a'),
    { executionId: executionIds[1]!, artifactId: artifactIds[0]!, type: 'INPUT', path: { steps: [{ key: 'in' }] } },
  ]);
});

afterAll(() => lab.close());

const idsOf = (xs: { id?: number }[]) => xs.map((x) => x.id!).sort((a, b) => a - b);

test('by-id reads take lists, skip unknown ids and answer a repeated id once', async () => {
  const asked = [executionIds[2]!, MISSING, executionIds[0]!, executionIds[0]!];
  expect(idsOf(await lab.client.getExecutionsByID(asked))).toEqual([executionIds[0], executionIds[2]]);
  expect(idsOf(await lab.client.getArtifactsByID([...artifactIds, MISSING]))).toEqual(artifactIds);
  expect(await lab.client.getExecutionsByID([MISSING])).toEqual([]);
  expect(await lab.client.getExecutionsByID([])).toEqual([]);
  expect(await lab.client.getArtifactsByID([])).toEqual([]);
});

test('events of several executions or artifacts come in one call; none is OK and empty', async () => {
  const events = await lab.client.getEventsByExecutionIDs([executionIds[0]!, executionIds[1]!, MISSING]);
  expect(events.map((e) => `${e.executionId}:${e.artifactId}:${e.type}`).sort()).toEqual(
    [
      `${executionIds[0]}:${artifactIds[0]}:OUTPUT`,
      `${executionIds[0]}:${artifactIds[1]}:OUTPUT`,
      `${executionIds[1]}:${artifactIds[2]}:OUTPUT`,
      `${executionIds[1]}:${artifactIds[0]}:INPUT`,
    ].sort(),
  );
  expect(await lab.client.getEventsByExecutionIDs([executionIds[2]!, MISSING])).toEqual([]);
  expect(await lab.client.getEventsByExecutionIDs([])).toEqual([]);
  const byArtifact = await lab.client.getEventsByArtifactIDs([artifactIds[0]!, MISSING]);
  expect(byArtifact.map((e) => e.executionId).sort()).toEqual([executionIds[0], executionIds[1]].sort());
  expect(await lab.client.getEventsByArtifactIDs([MISSING])).toEqual([]);
});

test('outputArtifactsOf groups the OUTPUT artifacts of many executions with two list reads', async () => {
  const calls: string[] = [];
  const counting = new Proxy(lab.client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const out = await outputArtifactsOf(counting, [...executionIds, MISSING]);
  expect(calls).toEqual(['getEventsByExecutionIDs', 'getArtifactsByID']);
  expect(out.get(executionIds[0]!)!.map((o) => `${o.output}=${o.artifact.id}`)).toEqual([
    `a=${artifactIds[0]}`,
    `b=${artifactIds[1]}`,
  ]);
  expect(out.get(executionIds[1]!)!.map((o) => `${o.output}=${o.artifact.id}`)).toEqual([`a=${artifactIds[2]}`]);
  expect(out.get(executionIds[2]!)).toEqual([]);
  expect(out.get(MISSING)).toEqual([]);
});

test('lookupCacheMany answers each fingerprint as the one-by-one lookup did, with one read of each kind', async () => {
  // Cache rows as KFP's task table holds them: newest first per fingerprint; one names a missing execution.
  const rows: KfpTask[] = [
    { id: 'r1', fingerprint: 'f0', mlmdExecutionID: String(executionIds[0]), created_at: '2026-01-02T00:00:00Z' },
    { id: 'r0', fingerprint: 'f0', mlmdExecutionID: String(executionIds[2]), created_at: '2026-01-01T00:00:00Z' },
    { id: 'r2', fingerprint: 'f1', mlmdExecutionID: String(executionIds[1]), created_at: '2026-01-01T00:00:00Z' },
    { id: 'r3', fingerprint: 'gone', mlmdExecutionID: String(MISSING), created_at: '2026-01-01T00:00:00Z' },
  ];
  const listed: KfpListOptions[] = [];
  const kfp = {
    listTasks: (o: KfpListOptions) => {
      listed.push(o);
      const fps = o.filter!.predicates.find((p) => p.key === 'fingerprint')!;
      const wanted = fps.string_values?.values ?? [fps.string_value!];
      const items = rows.filter((r) => wanted.includes(r.fingerprint!));
      return Promise.resolve({ items: items.slice(0, o.pageSize), totalSize: items.length });
    },
  } as unknown as KfpClient;
  const store = {} as ObjectStore;
  const found = await lookupCacheMany(
    { name: 'lab', kfp, mlmd: lab.client, store, podNamespace: 'kubeflow' },
    'p',
    ['f0', 'f1', 'gone', 'none', 'f0'],
    false,
  );
  expect(listed).toHaveLength(1);
  expect(listed[0]!.filter!.predicates.find((p) => p.key === 'fingerprint')!.operation).toBe('IN');
  const f0 = found.get('f0')!;
  expect(f0.hit && f0.executionId).toBe(executionIds[0]);
  expect(f0.hit && f0.taskRowId).toBe('r1');
  expect(f0.hit && f0.outputs).toEqual({
    parameters: { n: 0 },
    artifacts: {
      a: [expect.objectContaining({ id: String(artifactIds[0]), uri: 'minio://mlpipeline/p/a0' })],
      b: [expect.objectContaining({ id: String(artifactIds[1]) })],
    },
  });
  const f1 = found.get('f1')!;
  expect(f1.hit && f1.outputs.artifacts).toEqual({ a: [expect.objectContaining({ id: String(artifactIds[2]) })] });
  expect(found.get('gone')).toEqual({
    hit: false,
    fingerprint: 'gone',
    reason: `the cache row for fingerprint gone names MLMD execution ${MISSING}, which does not exist`,
  });
  expect(found.get('none')).toEqual({ hit: false, fingerprint: 'none', reason: 'no cache row for fingerprint none' });
});

test('a fingerprint crowded out of a full page of cache rows is asked on its own', async () => {
  const many: KfpTask[] = Array.from({ length: 200 }, (_, i) => ({
    id: `old${i}`,
    fingerprint: 'busy',
    mlmdExecutionID: String(executionIds[1]),
    created_at: '2026-01-03T00:00:00Z',
  }));
  const quiet: KfpTask = { id: 'q', fingerprint: 'quiet', mlmdExecutionID: String(executionIds[0]) };
  const listed: KfpListOptions[] = [];
  const kfp = {
    listTasks: (o: KfpListOptions) => {
      listed.push(o);
      const fps = o.filter!.predicates.find((p) => p.key === 'fingerprint')!;
      const wanted = fps.string_values?.values ?? [fps.string_value!];
      const items = [...many, quiet].filter((r) => wanted.includes(r.fingerprint!));
      const page = items.slice(0, o.pageSize);
      return Promise.resolve({
        items: page,
        totalSize: items.length,
        ...(items.length > page.length ? { nextPageToken: 'more' } : {}),
      });
    },
  } as unknown as KfpClient;
  const found = await lookupCacheMany(
    { name: 'lab', kfp, mlmd: lab.client, store: {} as ObjectStore, podNamespace: 'kubeflow' },
    'p',
    ['busy', 'quiet'],
    false,
  );
  expect(listed.map((o) => o.pageSize)).toEqual([200, 1]);
  const quietLookup = found.get('quiet')!;
  expect(quietLookup.hit && quietLookup.executionId).toBe(executionIds[0]);
  const busy = found.get('busy')!;
  expect(busy.hit && busy.taskRowId).toBe('old0');
});

test("a batch's byte checks list each run's directory once instead of a HEAD per artifact", async () => {
  const run = '0b6f7a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
  const root = `v2/artifacts/p/${run}`;
  const types = await lab.client.putTypes({
    artifactTypes: [{ name: 'system.Dataset' }],
    executionTypes: [{ name: 'system.ContainerExecution' }],
  });
  const recorded = {
    data: [{ uri: `minio://mlpipeline/${root}/t3/s/data`, objects: [{ path: '', size: 3, etag: '"e3"' }] }],
  };
  const ids = await lab.client.putExecutions(
    ['t1', 't2', 't3'].map((t) => ({
      typeId: types.executionTypeIds[0]!,
      lastKnownState: 'COMPLETE' as const,
      customProperties: {
        [t === 't3' ? 'split_pipelines_objects' : 'task']: stringValue(t === 't3' ? JSON.stringify(recorded) : t),
      },
    })),
  );
  const uris = [`${root}/t1/s/data`, `${root}/t1/s/model`, `${root}/t2/s/data`, `${root}/t3/s/data`];
  const arts = await lab.client.putArtifacts(
    uris.map((u) => ({ typeId: types.artifactTypeIds[0]!, uri: `minio://mlpipeline/${u}`, state: 'LIVE' as const })),
  );
  const owner = [0, 0, 1, 2];
  const names = ['data', 'model', 'data', 'data'];
  await lab.client.putEvents(
    arts.map((artifactId, i) => ({
      executionId: ids[owner[i]!]!,
      artifactId,
      type: 'OUTPUT' as const,
      path: { steps: [{ key: names[i]! }] },
    })),
  );
  // t1: a file output and a directory output, both there; t2: its output is gone; t3: imported by a
  // handoff, but its object was replaced since (another ETag).
  const objects = [
    { key: `${root}/t1/s/data`, size: 1, etag: '"e1"' },
    { key: `${root}/t1/s/model/weights.bin`, size: 2, etag: '"e2"' },
    { key: `${root}/t3/s/data`, size: 3, etag: '"other"' },
  ];
  const calls: string[] = [];
  const store = {
    resolve: (uri: string) => ({ bucket: 'mlpipeline', key: uri.replace('minio://mlpipeline/', '') }),
    async *list(bucket: string, prefix: string) {
      calls.push(`list ${prefix}`);
      for (const o of objects) if (o.key.startsWith(prefix)) yield { ...o, lastModified: undefined };
    },
    head: () => {
      calls.push('head');
      return Promise.resolve(undefined);
    },
  } as unknown as ObjectStore;
  const rows: KfpTask[] = ['t1', 't2', 't3'].map((t, i) => ({
    id: t,
    fingerprint: t,
    mlmdExecutionID: String(ids[i]),
  }));
  const kfp = {
    listTasks: () => Promise.resolve({ items: rows, totalSize: rows.length }),
  } as unknown as KfpClient;
  const found = await lookupCacheMany(
    { name: 'lab', kfp, mlmd: lab.client, store, podNamespace: 'kubeflow' },
    'p',
    ['t1', 't2', 't3'],
    true,
  );
  expect(calls).toEqual([`list ${root}/`]);
  expect(found.get('t1')!.hit).toBe(true);
  const reasonOf = (fp: string) => {
    const l = found.get(fp)!;
    return l.hit ? 'hit' : l.reason;
  };
  expect(reasonOf('t2')).toContain('artifact bytes missing');
  expect(reasonOf('t3')).toContain('artifact bytes altered');
});
