// A carried artifact is an output of a handed-off step, so it lies under the source's pipeline root;
// one that does not cannot be placed under the target's root, and leaving its bytes behind (as
// importer data is) would hand off a step whose outputs are missing at the target.
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../src/location/objectstore/index.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type HandoffBundle } from '../../src/sync/bundle.js';
import { copyBytes } from '../../src/sync/copy-bytes.js';

function bundleWith(relativePath: string | undefined): HandoffBundle {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: 'thesis',
    revision: 'r1',
    pipelineName: 'thesis-pipeline',
    source: { location: 'a', kfpVersion: '2.17.0', pipelineRoot: 's3://mlpipeline/v2/artifacts' },
    steps: ['train-model'],
    executions: [
      {
        globalId: 'a:execution:1',
        kind: 'container',
        parameters: {},
        properties: {},
        path: ['train-model'],
        iteration: [],
        outputs: [{ name: 'model', artifact: 'a:artifact:2' }],
        inputs: [],
      },
    ],
    artifacts: [
      {
        globalId: 'a:artifact:2',
        type: 'system.Model',
        uri: 'minio://mlpipeline/v2/artifacts/thesis-pipeline/run/train-model/model',
        ...(relativePath ? { relativePath } : {}),
        metadata: {},
        objects: [],
      },
    ],
    consumedOnly: [],
    importerArtifacts: [],
    createdAt: '2026-12-05T00:00:00Z',
    bytesIncluded: false,
  };
}

describe('a carried artifact outside the pipeline root', () => {
  const store = { multipartThresholdBytes: 1 << 30 } as unknown as ObjectStore;

  it('stops the byte copy, naming the artifact and the root', async () => {
    await expect(
      copyBytes(bundleWith(undefined), { kind: 'store', store }, { store, pipelineRoot: 's3://b/root' }),
    ).rejects.toThrow(
      /carries artifact minio:\/\/mlpipeline\/v2\/artifacts\/thesis-pipeline\/run\/train-model\/model .*outside the source's pipeline root s3:\/\/mlpipeline\/v2\/artifacts/,
    );
  });

  it('copies nothing, and is no error, when the artifact has no objects under the root', async () => {
    const r = await copyBytes(
      bundleWith('thesis-pipeline/run/train-model/model'),
      { kind: 'store', store },
      { store, pipelineRoot: 's3://b/root' },
    );
    expect(r.objects).toBe(0);
  });
});
