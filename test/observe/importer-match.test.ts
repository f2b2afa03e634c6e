// The artifact KFP's importer would reuse (FindMatchedArtifact): the product must pick the one KFP
// picks, or every downstream cache key differs.
import { describe, expect, it } from 'vitest';
import {
  doubleValue,
  intValue,
  stringValue,
  structValue,
  type Artifact,
  type Context,
  type MlmdClient,
} from '../../src/location/mlmd/index.js';
import { findMatchedArtifact, importerProperties } from '../../src/observe/importer-match.js';
import type { ImporterCall } from '../../src/pipeline/driver/index.js';
import { stringMatching } from '../support/matchers.js';

const imp = (o: Partial<ImporterCall> = {}): ImporterCall => ({
  outputName: 'artifact',
  artifactUri: 's3://data/raw.csv',
  typeSchema: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
  reimport: false,
  downloadToWorkspace: false,
  ...o,
});

const SESSION = stringValue('{"Provider":"s3","Params":{"fromEnv":"true"}}');

describe('importerProperties', () => {
  it('converts metadata as StructValueToMLMDValue does and adds the fromEnv session of the scheme', () => {
    const built = importerProperties(imp({ metadata: { n: 3, ok: true, name: 'x', tags: ['a'], nested: { k: 1 } } }));
    expect(built).toEqual({
      properties: {
        n: doubleValue(3),
        ok: intValue(1),
        name: stringValue('x'),
        tags: structValue({ list: ['a'] }),
        nested: structValue({ struct: { k: 1 } }),
        store_session_info: SESSION,
      },
    });
    expect(importerProperties(imp({ artifactUri: 'minio://b/k' }))).toEqual({
      properties: { store_session_info: stringValue('{"Provider":"minio","Params":{"fromEnv":"true"}}') },
    });
  });

  it('gives OCI artifacts no session and refuses what KFP refuses', () => {
    expect(importerProperties(imp({ artifactUri: 'oci://registry/model:1' }))).toEqual({ properties: {} });
    expect(importerProperties(imp({ artifactUri: 'https://host/x' }))).toEqual({
      error: stringMatching(/no provider scheme/),
    });
    expect(importerProperties(imp({ metadata: { gone: null } }))).toEqual({ error: stringMatching(/gone is null/) });
  });
});

/** An MLMD with artifacts at one URI and their contexts. */
function fakeMlmd(artifacts: Artifact[], contexts: Record<number, number[]>): MlmdClient {
  return {
    async getArtifactsByURI(uris: string[]) {
      return artifacts.filter((a) => uris.includes(a.uri!)).reverse(); // any order: the match is by id
    },
    async getContextsByArtifact(id: number): Promise<Context[]> {
      return (contexts[id] ?? []).map((c) => ({ id: c, name: `ctx-${c}` }));
    },
  } as unknown as MlmdClient;
}

describe('findMatchedArtifact', () => {
  const uri = 's3://data/raw.csv';
  const wanted = {
    type: 'system.Dataset',
    uri,
    customProperties: { store_session_info: SESSION, rows: doubleValue(10) },
  };
  const base = { type: 'system.Dataset', uri, state: 'LIVE' as const };
  const props = { store_session_info: SESSION, rows: doubleValue(10) };

  it('takes the first artifact that matches in every respect, not the lowest id by URI and type', async () => {
    const artifacts: Artifact[] = [
      {
        ...base,
        id: 1,
        customProperties: {
          ...props,
          store_session_info: stringValue('{"Provider":"s3","Params":{"fromEnv":"false"}}'),
        },
      }, // another session
      { ...base, id: 2, customProperties: { store_session_info: SESSION } }, // a property missing
      { ...base, id: 3, state: 'DELETED', customProperties: props },
      { ...base, id: 4, type: 'system.Artifact', customProperties: props },
      { ...base, id: 5, customProperties: props }, // not in the pipeline's context
      { ...base, id: 6, customProperties: { ...props, extra: stringValue('kept') } }, // extra properties are fine
      { ...base, id: 7, customProperties: props },
    ];
    const contexts = { 1: [10], 2: [10], 3: [10], 4: [10], 5: [11], 6: [10, 12], 7: [10] };
    expect((await findMatchedArtifact(fakeMlmd(artifacts, contexts), wanted, 10))?.id).toBe(6);
    expect(await findMatchedArtifact(fakeMlmd(artifacts, contexts), wanted, 99)).toBeUndefined();
  });

  it('compares struct properties whatever their field order', async () => {
    const s = { store_session_info: SESSION, cfg: structValue({ struct: { a: 1, b: 2 } }) };
    const artifacts: Artifact[] = [
      {
        ...base,
        id: 1,
        customProperties: { store_session_info: SESSION, cfg: structValue({ struct: { b: 2, a: 1 } }) },
      },
    ];
    expect(
      (
        await findMatchedArtifact(
          fakeMlmd(artifacts, { 1: [10] }),
          { type: 'system.Dataset', uri, customProperties: s },
          10,
        )
      )?.id,
    ).toBe(1);
  });
});
