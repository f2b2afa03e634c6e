// Defence in depth for data residency: the plan carries an artifact that `spec.data` keeps out of
// the target as records only, but the byte copy itself refuses to store such an object there (by
// the rule `bundle import` applies), before anything is written, naming step, artifact and location.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.js';
import type { ObjectStore } from '../../src/location/objectstore/index.js';
import type { DataRule } from '../../src/plan/residency.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type HandoffBundle } from '../../src/sync/bundle.js';
import { copyBytes, ResidencyRefusedError } from '../../src/sync/copy-bytes.js';
import { importBundle } from '../../src/sync/handoff.js';

/** load-data's dataset and train-model's model, each one object, both carried as bytes. */
function bundle(datasetTravels?: 'records'): HandoffBundle {
  const artifact = (id: string, type: string, step: string, output: string, records: boolean) => ({
    globalId: id,
    type,
    uri: `minio://mlpipeline/v2/artifacts/thesis/run/${step}/${output}`,
    relativePath: `thesis/run/${step}/${output}`,
    metadata: {},
    objects: records ? [] : [{ path: '', size: 3, sha256: 'ab' }],
    ...(records ? { travels: 'records' as const } : {}),
  });
  const execution = (id: string, step: string, output: string, artifactId: string) => ({
    globalId: id,
    kind: 'container' as const,
    parameters: {},
    properties: {},
    path: [step],
    iteration: [],
    outputs: [{ name: output, artifact: artifactId }],
    inputs: [],
  });
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: 'residency',
    revision: 'r1',
    pipelineName: 'thesis',
    source: { location: 'a', kfpVersion: '2.17.0', pipelineRoot: 'minio://mlpipeline/v2/artifacts' },
    steps: ['load-data', 'train-model'],
    executions: [
      execution('a:e:1', 'load-data', 'dataset', 'a:a:1'),
      execution('a:e:2', 'train-model', 'model', 'a:a:2'),
    ],
    artifacts: [
      artifact('a:a:1', 'system.Dataset', 'load-data', 'dataset', datasetTravels === 'records'),
      artifact('a:a:2', 'system.Model', 'train-model', 'model', false),
    ],
    consumedOnly: [],
    importerArtifacts: [],
    createdAt: '2026-12-05T00:00:00Z',
    bytesIncluded: false,
  };
}

/** A store that fails the test if the copy touches it at all (nothing may be read, listed or written). */
function untouchable(location: string): ObjectStore {
  return new Proxy({ location, multipartThresholdBytes: 1 << 30 } as unknown as ObjectStore, {
    get(target, prop) {
      if (prop in target || prop === 'then') return (target as unknown as Record<string | symbol, unknown>)[prop];
      throw new Error(`the copy used the store (${String(prop)}) although residency refuses it`);
    },
  });
}

const keepDatasetInA: DataRule[] = [{ step: 'load-data', output: 'dataset', labels: { class: 'raw' }, keepIn: ['a'] }];

describe('the byte copy and spec.data', () => {
  it('refuses to store at c the bytes of an artifact kept in a, before touching either store', async () => {
    const err = await copyBytes(
      bundle(),
      { kind: 'store', store: untouchable('a') },
      { store: untouchable('c'), pipelineRoot: 'minio://mlpipeline/v2/artifacts' },
      { residency: { location: 'c', data: keepDatasetInA } },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResidencyRefusedError);
    expect(err).toBeInstanceOf(UserError);
    const e = err as UserError;
    expect(e.errorCode).toBe('residency');
    expect(e.location).toBe('c');
    expect(e.operation).toBe('handoff');
    // Step, artifact (output and URI), where it may be stored, and the target.
    expect(e.message).toMatch(
      /from a to c would store at c the bytes of load-data\.dataset \(minio:\/\/mlpipeline\/v2\/artifacts\/thesis\/run\/load-data\/dataset\) may only be stored in a/,
    );
    expect(e.message).not.toContain('train-model.model');
    expect(e.message).toMatch(/What to do: plan again with this file/);
  });

  it('refuses the same from a bundle directory (air-gapped import through the same copy)', async () => {
    await expect(
      copyBytes(
        bundle(),
        { kind: 'bundle', dir: '/nonexistent' },
        { store: untouchable('b'), pipelineRoot: 'minio://mlpipeline/v2/artifacts' },
        { residency: { location: 'b', data: keepDatasetInA } },
      ),
    ).rejects.toThrow(ResidencyRefusedError);
  });

  it('lets through an artifact that travels as records, and any artifact at a location its keepIn lists', async () => {
    const target = {
      multipartThresholdBytes: 1 << 30,
      resolve: (uri: string) => ({ bucket: 'mlpipeline', key: uri.replace(/^\w+:\/\/[^/]+\//, '') }),
      head: () => Promise.resolve(undefined),
      list: () => {
        throw new Error('listed');
      },
    };
    // Records only: the dataset has no objects to write; the model's copy goes on (and fails on the
    // missing bundle directory, which shows the residency check let it through). At a, both go on
    // to the target's listing (here a failing one).
    await expect(
      copyBytes(
        bundle('records'),
        { kind: 'bundle', dir: '/nonexistent' },
        { store: { ...target, location: 'c' } as unknown as ObjectStore, pipelineRoot: 's3://c' },
        { residency: { location: 'c', data: keepDatasetInA } },
      ),
    ).rejects.toThrow(/the bundle has no bytes for .*train-model\/model/);
    await expect(
      copyBytes(
        bundle(),
        { kind: 'bundle', dir: '/nonexistent' },
        { store: { ...target, location: 'a' } as unknown as ObjectStore, pipelineRoot: 's3://a' },
        { residency: { location: 'a', data: keepDatasetInA } },
      ),
    ).rejects.toThrow(/listed/);
  });

  it('is applied by a handoff given the file’s spec.data (HandoffRequest.data), before its marker run', async () => {
    const kfp = new Proxy(
      {},
      {
        get() {
          throw new Error('the handoff went on to its marker run');
        },
      },
    );
    const err = await importBundle(
      bundle(),
      { kind: 'store', store: untouchable('a') },
      {
        target: {
          name: 'c',
          kfp,
          store: untouchable('c'),
          pipelineRoot: 'minio://mlpipeline/v2/artifacts',
          kfpVersion: '2.17.0',
        } as unknown as Parameters<typeof importBundle>[2]['target'],
        graph: {} as Parameters<typeof importBundle>[2]['graph'],
        parameters: {},
        splitPipeline: 'residency',
        revision: 'r1',
        experiment: 'residency',
        markerRunName: 'm',
        data: keepDatasetInA,
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResidencyRefusedError);
    expect((err as Error).message).toContain('load-data.dataset');
  });
});
