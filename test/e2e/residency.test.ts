import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import type { Project } from '../../src/split-file/load-project.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';
import { checkInvariants } from '../support/invariants.js';

// examples/residency: the thesis example with load-data's raw dataset kept in a.
describe('data residency: the raw data never leaves a', () => {
  let lab: Lab;
  let project: Project;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-e2e-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    env = labEnv([lab]);
    project = await projectOf(exampleOnLabs([lab], dir, 'residency'));
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('plans which artifacts travel as bytes and which as records', async () => {
    const plan = await planProject(project, { env });
    const handoffs = plan.operations.filter((o) => o.kind === 'handoff');
    const bytes = handoffs.map((h) =>
      (h.artifacts ?? [])
        .filter((a) => a.travels === 'bytes')
        .map((a) => `${a.step}.${a.output}`)
        .sort(),
    );
    expect(bytes).toEqual([['split-data.test_set', 'split-data.train_set'], ['train-model.model']]);
    const raw = handoffs[0]!.artifacts!.find((a) => a.output === 'dataset')!;
    expect(raw).toMatchObject({ travels: 'records', labels: { class: 'raw' }, type: 'system.Dataset' });
  }, 60_000);

  it('applies with c serving four steps from cache and executing serve-model, and no raw object at b or c', async () => {
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[2]).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    const rawAt = async (name: string) => {
      const loc = lab.locations[name]!;
      const mlmd = new MlmdClient({ location: name, address: loc.mlmd });
      const store = new ObjectStore({
        location: name,
        endpoint: loc.objectStore,
        pipelineRoot: loc.pipelineRoot,
        credentials: loc.credentials,
        region: loc.region,
      });
      try {
        const datasets = (await mlmd.getArtifactsByType('system.Dataset')).items.filter((a) =>
          /\/load-data\/(.*\/)?dataset$/.test(a.uri ?? ''),
        );
        expect(datasets.length, `the raw dataset's record at ${name}`).toBeGreaterThan(0);
        const found: string[] = [];
        for (const d of datasets) {
          const ref = store.resolve(d.uri!);
          if (await store.head(ref)) found.push(ref.key);
          for await (const o of store.list(ref.bucket, `${ref.key}/`)) found.push(o.key);
        }
        return found;
      } finally {
        mlmd.close();
        store.close();
      }
    };
    expect((await rawAt('a')).length).toBeGreaterThan(0);
    expect(await rawAt('b')).toEqual([]);
    expect(await rawAt('c')).toEqual([]);
    await checkInvariants(lab);
    const again = await planProject(project, { env });
    expect(again.operations).toEqual([]);
  }, 180_000);
});
