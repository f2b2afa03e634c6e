// Handoffs that a real KFP accepts (the lab is as strict as KFP's driver): imported executions keep
// one set of contexts however often they are handed off again, marker runs succeed and their run
// contexts keep their one parent, and an importer's artifact is reused at the target as KFP's
// importer reuses it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { collectPages, MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { importerPipeline, importerSplitFile } from '../support/importer-pipeline.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const labs: Lab[] = [];
afterAll(async () => {
  for (const lab of labs) await lab.close();
});
async function lab(dir: string, locations: string[]): Promise<Lab> {
  const l = await startLab({ dir: join(dir, 'lab'), locations, ports: 'ephemeral' });
  labs.push(l);
  return l;
}

const kfpAt = (l: Lab, name: string) => new KfpClient({ location: name, endpoint: l.locations[name]!.kfp });
const mlmdAt = (l: Lab, name: string) => new MlmdClient({ location: name, address: l.locations[name]!.mlmd });

/**
 * (c) At every location: every marker run SUCCEEDED; every run context has exactly one parent
 * (GetPipeline, 2.17.0:backend/src/v2/metadata/client.go:432-445); every execution a handoff
 * imported has at most one pipeline and at most one run context (GetPipelineFromExecution, :948-981).
 */
async function expectKfpWouldAccept(l: Lab): Promise<void> {
  for (const name of Object.keys(l.locations)) {
    const kfp = kfpAt(l, name);
    const markers = (await kfp.listRuns({ pageSize: 100 })).items.filter((r) => r.display_name?.includes('-handoff-'));
    for (const m of markers) expect(`${name} ${m.display_name} ${m.state}`).toBe(`${name} ${m.display_name} SUCCEEDED`);
    const mlmd = mlmdAt(l, name);
    try {
      const runContexts = await collectPages((t) =>
        mlmd.getContextsByType('system.PipelineRun', { maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
      );
      for (const ctx of runContexts) {
        const parents = await mlmd.getParentContextsByContext(ctx.id!);
        expect(`${name} run context ${ctx.name}: ${parents.length} parents`).toBe(
          `${name} run context ${ctx.name}: 1 parents`,
        );
      }
      const executions = await collectPages((t) =>
        mlmd.getExecutions({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
      );
      for (const e of executions.filter((x) => x.externalId)) {
        const contexts = await mlmd.getContextsByExecution(e.id!);
        const count = (type: string) => contexts.filter((c) => c.type === type).length;
        expect(count('system.Pipeline'), `${name} execution ${e.id} pipeline contexts`).toBeLessThanOrEqual(1);
        expect(count('system.PipelineRun'), `${name} execution ${e.id} run contexts`).toBeLessThanOrEqual(1);
      }
    } finally {
      mlmd.close();
    }
  }
}

async function deleteRuns(l: Lab, location: string, nameEnds: string): Promise<number> {
  const kfp = kfpAt(l, location);
  const runs = (await kfp.listRuns({ pageSize: 100 })).items.filter((r) => r.display_name?.endsWith(nameEnds));
  for (const r of runs) await kfp.deleteRun(r.run_id);
  return runs.length;
}

const CACHED_AT_C = ['load-data', 'split-data', 'train-model', 'evaluate-model'];

describe('handing the same executions off again', () => {
  it('after the cache rows at c were removed: handed off again, and a new stage-3 run at c is served from cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fid-again-'));
    const l = await lab(dir, ['a', 'b', 'c']);
    const project = await projectOf(exampleOnLabs([l], dir));
    const env = labEnv([l]);
    expect((await applyProject(project, { env, pollMs: 100 })).inSync).toBe(true);
    // Deleting the marker run at c deletes the cache rows it owns; its MLMD context stays (KFP never deletes contexts).
    expect(await deleteRuns(l, 'c', '-handoff-3-from-b')).toBe(1);
    const repaired = await applyProject(project, { env, pollMs: 100 });
    expect(repaired.applied.map((a) => a.id)).toEqual(['handoff:3:b']);
    expect(repaired.applied[0]!.handoff?.executionsCreated ?? 0).toBe(0); // the same executions, found by their global ids
    // A new stage-3 run at c: its cache hits read the re-handed-off executions.
    expect(await deleteRuns(l, 'c', '-stage-3')).toBe(1);
    const plan = await planProject(project, { env });
    expect(plan.operations.map((o) => o.id)).toContain('run-stage:3');
    const rerun = await applyProject(project, { env, pollMs: 100 });
    expect(rerun.inSync).toBe(true);
    expect(rerun.plan.stages[2], JSON.stringify(rerun.plan.stages[2])).toMatchObject({
      state: 'done',
      cached: CACHED_AT_C,
      executed: ['serve-model'],
    });
    await expectKfpWouldAccept(l);
  }, 240_000);

  it('in a later revision: the unchanged steps are handed off again and served from cache there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fid-revision-'));
    const l = await lab(dir, ['a', 'b', 'c']);
    const file = exampleOnLabs([l], dir);
    const env = labEnv([l]);
    const first = await projectOf(file);
    expect((await applyProject(first, { env, pollMs: 100 })).inSync).toBe(true);
    // The first revision's rows at b go; the next revision (only serve-model's threshold changes)
    // hands load-data and split-data to b again, with a marker run of its own.
    expect(await deleteRuns(l, 'b', '-handoff-2-from-a')).toBe(1);
    writeFileSync(file, readFileSync(file, 'utf8').replace('min_accuracy: 0.5', 'min_accuracy: 0.4'));
    const second = await projectOf(file);
    expect(second.revision.short).not.toBe(first.revision.short);
    const result = await applyProject(second, { env, pollMs: 100 });
    expect(result.applied.map((a) => a.id)).toContain('handoff:2:a');
    expect(result.applied.find((a) => a.id === 'handoff:2:a')!.handoff?.executionsCreated ?? 0).toBe(0);
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[1], JSON.stringify(result.plan.stages[1])).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
    });
    expect(result.plan.stages[2], JSON.stringify(result.plan.stages[2])).toMatchObject({
      state: 'done',
      cached: CACHED_AT_C,
    });
    await expectKfpWouldAccept(l);
  }, 240_000);
});

describe('the consumer of an importer', () => {
  it('is handed off with the importer artifact as KFP made it, and the importer at the target reuses that artifact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fid-importer-'));
    const l = await lab(dir, ['a', 'b']);
    // The imported data exist where the consumer executes (a); b never reads them.
    const a = l.locations['a']!;
    const uri = `minio://${a.bucket}/datasets/survey.csv`;
    const store = new ObjectStore({
      location: 'a',
      endpoint: a.objectStore,
      pipelineRoot: a.pipelineRoot,
      credentials: a.credentials,
      region: a.region,
    });
    await store.put({ bucket: a.bucket, key: 'datasets/survey.csv' }, 'id,answer\n1,yes\n');
    store.close();
    writeFileSync(join(dir, 'pipeline.yaml'), importerPipeline(uri));
    // b's marker run uses the image its file names (kfp.markerImage), e.g. a mirror an air-gapped cluster can pull.
    const locations = (parse(l.locationsYaml()) as { locations: { name: string; kfp: Record<string, unknown> }[] })
      .locations;
    locations.find((x) => x.name === 'b')!.kfp['markerImage'] = 'registry.example.com/mirror/busybox:1.36';
    const file = importerSplitFile(dir, locations);
    const project = await projectOf(file);
    const env = labEnv([l]);
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[1], JSON.stringify(result.plan.stages[1])).toMatchObject({
      state: 'done',
      cached: ['importer', 'train'],
      executed: ['serve'],
    });
    // At b there is one artifact for the URI: the one the handoff imported, with the importer's
    // own properties (its fromEnv session, not b's), which b's importer reused.
    const mlmd = mlmdAt(l, 'b');
    try {
      const found = await mlmd.getArtifactsByURI([uri]);
      expect(found.length).toBe(1);
      expect(found[0]!.externalId).toBeTruthy();
      expect(found[0]!.customProperties?.['store_session_info']?.stringValue).toBe(
        '{"Provider":"minio","Params":{"fromEnv":"true"}}',
      );
      expect(found[0]!.customProperties?.['rows']).toEqual({ doubleValue: 100 });
    } finally {
      mlmd.close();
    }
    const marker = (await kfpAt(l, 'b').listRuns({ pageSize: 100 })).items.find((r) =>
      r.display_name?.includes('-handoff-2-from-a'),
    )!;
    const spec = (await kfpAt(l, 'b').getRun(marker.run_id)).pipeline_spec as {
      deploymentSpec: { executors: Record<string, { container: { image: string } }> };
    };
    expect(spec.deploymentSpec.executors['exec-handoff']!.container.image).toBe(
      'registry.example.com/mirror/busybox:1.36',
    );
    await expectKfpWouldAccept(l);
  }, 240_000);
});
