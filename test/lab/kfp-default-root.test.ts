// A lab location can give KFP a default pipeline root (kfp-launcher's defaultPipelineRoot) other than
// the root its generated `locations:` block names, as a real installation can.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LabError, startLab } from '../../packages/lab/src/lab.js';

describe("a lab location's KFP default pipeline root", () => {
  it("is recorded beside the file's root, which the locations block keeps naming", async () => {
    const lab = await startLab({
      dir: mkdtempSync(join(tmpdir(), 'sp-lab-root-')),
      locations: ['a', 'b'],
      ports: 'ephemeral',
      kfpDefaultPipelineRoot: { b: 's3://kfp-default/v2/artifacts' },
    });
    try {
      expect(lab.locations['b']).toMatchObject({
        pipelineRoot: 'minio://mlpipeline/v2/artifacts',
        kfpDefaultPipelineRoot: 's3://kfp-default/v2/artifacts',
      });
      expect(lab.locations['a']!.kfpDefaultPipelineRoot).toBeUndefined();
      const yaml = parse(lab.locationsYaml()) as {
        locations: { name: string; objectStore: { pipelineRoot: string } }[];
      };
      expect(yaml.locations.map((l) => l.objectStore.pipelineRoot)).toEqual([
        'minio://mlpipeline/v2/artifacts',
        'minio://mlpipeline/v2/artifacts',
      ]);
    } finally {
      await lab.close();
    }
  });

  it('refuses a location the lab does not have, and a root that is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-lab-root-'));
    await expect(
      startLab({ dir, locations: ['a'], ports: 'ephemeral', kfpDefaultPipelineRoot: { z: 's3://b/r' } }),
    ).rejects.toThrow(LabError);
    await expect(
      startLab({ dir, locations: ['a'], ports: 'ephemeral', kfpDefaultPipelineRoot: { a: 'not a root' } }),
    ).rejects.toThrow(/KFP default pipeline root not a root of location a/);
  });
});
