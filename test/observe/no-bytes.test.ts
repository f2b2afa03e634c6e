// An output artifact with no object is a normal KFP artifact (the launcher records outputs a
// component never wrote; the SDK's metrics types never write one), while objects a handoff wrote and
// that are gone since were lost. The product's bookkeeping lives on the imported execution, where
// KFP hands nothing to components.
import { describe, expect, it } from 'vitest';
import type { Artifact, Execution } from '../../src/location/mlmd/index.js';
import { stringValue } from '../../src/location/mlmd/index.js';
import type { ObjectInfo, ObjectRef, ObjectStore } from '../../src/location/objectstore/index.js';
import {
  bytesPresent,
  OBJECTS_PROPERTY,
  recordedObjectsOf,
  recordedOutputs,
  toRef,
} from '../../src/observe/cache-lookup.js';
import { objectsOf } from '../../src/sync/export-objects.js';

/** An object store holding `objects` (key → size) in bucket `b`. */
function fakeStore(objects: Record<string, number>): ObjectStore {
  const info = (key: string): ObjectInfo => ({
    bucket: 'b',
    key,
    size: objects[key]!,
    etag: `"e-${key}"`,
    lastModified: undefined,
    contentType: undefined,
    metadata: {},
    sha256: undefined,
  });
  return {
    resolve: (uri: string): ObjectRef => {
      const m = /^[a-z0-9]+:\/\/([^/]+)\/(.*)$/.exec(uri);
      if (!m) throw new Error(`bad uri ${uri}`);
      return { bucket: m[1]!, key: m[2]! };
    },
    head: async (ref: ObjectRef) => (ref.key in objects ? info(ref.key) : undefined),
    list: async function* (_bucket: string, prefix: string) {
      for (const k of Object.keys(objects).sort()) if (k.startsWith(prefix)) yield info(k);
    },
  } as unknown as ObjectStore;
}

const uri = (key: string) => `minio://b/${key}`;

describe('an artifact with no objects', () => {
  it('is available with no bytes when it is of a metrics type KFP produced', async () => {
    const store = fakeStore({});
    expect(await bytesPresent(store, uri('root/p/r/evaluate-model/metrics'), undefined, 'system.Metrics')).toEqual({
      ok: true,
      noBytes: true,
    });
    expect(await bytesPresent(store, uri('root/p/r/x/m'), undefined, 'system.ClassificationMetrics')).toEqual({
      ok: true,
      noBytes: true,
    });
  });

  it('is available with no bytes when a handoff recorded it with none, whatever its type', async () => {
    expect(await bytesPresent(fakeStore({}), uri('root/p/r/t/model'), [], 'system.Model')).toEqual({
      ok: true,
      noBytes: true,
    });
  });

  it('has lost its bytes when a handoff recorded objects that are gone', async () => {
    const r = await bytesPresent(
      fakeStore({}),
      uri('root/p/r/t/model'),
      [{ path: '', size: 3, etag: '"x"' }],
      'system.Metrics',
    );
    expect(r).toEqual({ ok: false, reason: 'artifact bytes missing (root/p/r/t/model)' });
  });

  it('is still missing bytes for other types KFP produced (nothing tells unwritten from deleted there)', async () => {
    expect(await bytesPresent(fakeStore({}), uri('root/p/r/t/model'), undefined, 'system.Model')).toEqual({
      ok: false,
      reason: 'artifact bytes missing',
    });
  });

  it('is exported as `[]`, and lost objects are an error', async () => {
    const metrics: Artifact = { id: 1, uri: uri('root/p/r/e/metrics'), type: 'system.Metrics' };
    const model: Artifact = { id: 2, uri: uri('root/p/r/t/model'), type: 'system.Model' };
    const dataset: Artifact = { id: 3, uri: uri('root/p/r/s/data'), type: 'system.Dataset' };
    const store = fakeStore({ 'root/p/r/s/data': 5 });
    const out = await objectsOf(store, 'a', [metrics, model, dataset], new Map([[2, []]]));
    expect(out.get(1)).toEqual([]);
    expect(out.get(2)).toEqual([]);
    expect(out.get(3)).toEqual([{ path: '', size: 5, etag: '"e-root/p/r/s/data"' }]);
    await expect(objectsOf(store, 'a', [model])).rejects.toThrow(
      /the bytes of minio:\/\/b\/root\/p\/r\/t\/model are missing at a/,
    );
    await expect(objectsOf(store, 'a', [model], new Map([[2, [{ path: '', size: 1 }]]]))).rejects.toThrow(
      /a handoff wrote them there; they were deleted since/,
    );
  });
});

describe("the handoff's record of what it wrote", () => {
  const artifact: Artifact = {
    id: 7,
    uri: uri('root/p/r/t/model'),
    type: 'system.Model',
    customProperties: { accuracy: { doubleValue: 0.9 } },
  };
  const execution: Execution = {
    id: 3,
    customProperties: {
      [OBJECTS_PROPERTY]: stringValue(
        JSON.stringify({
          model: [{ uri: uri('root/p/r/t/model'), objects: [{ path: '', size: 4, sha256: 'ab' }] }],
          metrics: [{ uri: uri('m'), objects: [] }],
        }),
      ),
    },
  };

  it('is read from the execution, by output name and URI', () => {
    const record = recordedOutputs(execution);
    expect(recordedObjectsOf(record, 'model', artifact)).toEqual([{ path: '', size: 4, sha256: 'ab' }]);
    expect(recordedObjectsOf(record, 'metrics', { id: 8, uri: uri('m') })).toEqual([]);
    expect(recordedObjectsOf(record, 'other', artifact)).toBeUndefined();
    expect(recordedObjectsOf(recordedOutputs({ id: 4 }), 'model', artifact)).toBeUndefined();
  });

  it('is never in what KFP hands a component as artifact.metadata', () => {
    expect(toRef(artifact).metadata).toEqual({ accuracy: 0.9 });
  });

  it('is still read where an earlier version left it on the artifact', () => {
    const legacy: Artifact = {
      ...artifact,
      customProperties: { [OBJECTS_PROPERTY]: stringValue(JSON.stringify([{ path: '', size: 4, etag: '"q"' }])) },
    };
    expect(recordedObjectsOf({}, 'model', legacy)).toEqual([{ path: '', size: 4, etag: '"q"' }]);
  });
});
