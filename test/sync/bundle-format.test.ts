// The bundle format is plain JSON (version 2), whichever backend wrote it; a version-1 bundle (ML Metadata's
// value types) written by an earlier release still reads, as the same version-2 bundle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from '../../src/sync/bundle.js';
import { readBundle } from '../../src/sync/bundle-io.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const v1 = {
  format: BUNDLE_FORMAT,
  version: 1,
  splitPipeline: 'thesis',
  revision: 'r1',
  pipelineName: 'thesis',
  source: { location: 'a', kfpVersion: '2.17.0', pipelineRoot: 'minio://mlpipeline/v2/artifacts' },
  steps: ['load-data'],
  executions: [
    {
      globalId: 'split-pipelines/v1/a/execution/7',
      type: 'system.ContainerExecution',
      state: 'COMPLETE',
      customProperties: {
        task_name: { stringValue: 'load-data' },
        outputs: { structValue: { fields: { rows: { numberValue: 3 } } } },
        inputs: { structValue: { fields: { n: { stringValue: 'x' } } } },
      },
      path: ['load-data'],
      iteration: [],
      outputs: [{ name: 'dataset', artifact: 'split-pipelines/v1/a/artifact/9' }],
      inputs: [],
    },
  ],
  artifacts: [
    {
      globalId: 'split-pipelines/v1/a/artifact/9',
      type: 'system.Dataset',
      uri: 'minio://mlpipeline/v2/artifacts/thesis/run/load-data/dataset',
      relativePath: 'thesis/run/load-data/dataset',
      state: 'LIVE',
      customProperties: { display_name: { stringValue: 'dataset' }, rows: { doubleValue: 3 }, flag: { intValue: 1 } },
      objects: [{ path: '', size: 3 }],
    },
  ],
  consumedOnly: [],
  importerArtifacts: [],
  createdAt: '2026-12-01T00:00:00Z',
  bytesIncluded: false,
};

describe('handoff bundle format', () => {
  it('reads a version-1 bundle as version 2: plain metadata, parameters and properties, no ML Metadata values', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-bundle-v1-'));
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify(v1));
    const b = await readBundle(dir);
    expect(b.version).toBe(BUNDLE_VERSION);
    expect(b.executions[0]).toMatchObject({
      kind: 'container',
      parameters: { rows: 3 },
      properties: { task_name: 'load-data', inputs: { n: 'x' } },
    });
    expect(b.executions[0]).not.toHaveProperty('customProperties');
    expect(b.executions[0]!.properties).not.toHaveProperty('outputs');
    expect(b.artifacts[0]).toMatchObject({ metadata: { display_name: 'dataset', rows: 3, flag: 1 } });
    expect(b.artifacts[0]).not.toHaveProperty('state');
    // Nothing in it is an ML Metadata value any more.
    expect(JSON.stringify(b)).not.toMatch(/stringValue|intValue|doubleValue|structValue|numberValue/);
  });

  it('refuses another version with what it reads', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-bundle-v9-'));
    writeFileSync(join(dir, 'bundle.json'), JSON.stringify({ ...v1, version: 9 }));
    await expect(readBundle(dir)).rejects.toThrow(/is not a split-pipelines handoff bundle of version 2 \(or 1\)/);
  });
});
