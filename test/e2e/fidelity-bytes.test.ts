// Two ways a real KFP breaks a handoff that a lenient lab lets pass, from the fidelity audit:
// - A3: outputs with no objects are normal in KFP (the launcher records an output its component
//   never wrote, 2.17.0:backend/src/v2/component/launcher_v2.go:824-837; `Metrics.log_metric` only
//   sets metadata), so `evaluate-model`'s metrics have none, and the chain must still converge;
// - A5: a location's KFP writes runs that pin no root under kfp-launcher's defaultPipelineRoot
//   (driver/root_dag.go:97-113), which may differ from the file's root in bucket or scheme
//   (`minio://` vs `s3://`): the product pins its runs, and reports runs that did not.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { collectPages, MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { OBJECTS_PROPERTY, recordedOutputs } from '../../src/observe/cache-lookup.js';
import { prunePipeline } from '../../src/pipeline/prune.js';
import { stageRunName } from '../../src/split-file/run-names.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const labs: Lab[] = [];
afterAll(async () => {
  for (const l of labs) await l.close();
});
async function lab(dir: string, options: Omit<Parameters<typeof startLab>[0], 'dir'>): Promise<Lab> {
  const l = await startLab({ ...options, dir: join(dir, 'lab'), ports: 'ephemeral' });
  labs.push(l);
  return l;
}

const FOUR = ['load-data', 'split-data', 'train-model', 'evaluate-model'];

describe('outputs with no objects', () => {
  it("hands off the thesis chain a → b → c with evaluate-model's metrics unwritten, and c serves four steps from cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fidelity-bytes-'));
    const l = await lab(dir, {
      locations: ['a', 'b', 'c'],
      steps: { b: { 'evaluate-model': { unwritten: ['metrics'] } } },
    });
    const project = await projectOf(exampleOnLabs([l], dir));
    const env = labEnv([l]);
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[2]).toMatchObject({ state: 'done', cached: FOUR, executed: ['serve-model'] });
    // The metrics really have no object, at b where they were produced and at c.
    for (const name of ['b', 'c']) {
      const loc = l.locations[name]!;
      const mlmd = new MlmdClient({ location: name, address: loc.mlmd });
      const store = new ObjectStore({
        location: name,
        endpoint: loc.objectStore,
        pipelineRoot: loc.pipelineRoot,
        credentials: loc.credentials,
        region: loc.region,
      });
      try {
        const metrics = (await mlmd.getArtifactsByType('system.Metrics')).items;
        expect(metrics.length).toBeGreaterThan(0);
        for (const m of metrics) {
          const ref = store.resolve(m.uri!);
          expect(await store.head(ref)).toBeUndefined();
          for await (const o of store.list(ref.bucket, `${ref.key}/`)) throw new Error(`unexpected object ${o.key}`);
        }
        // C2: the product's bookkeeping is in no artifact (KFP hands all their properties to components).
        const all = await collectPages((t) =>
          mlmd.getArtifacts({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
        );
        for (const a of all) expect(Object.keys(a.customProperties ?? {})).not.toContain(OBJECTS_PROPERTY);
        if (name === 'c') {
          // The imported evaluate-model execution records its metrics as carried with no objects.
          const imported = (await mlmd.getExecutionsByType('system.ContainerExecution')).items.filter(
            (e) => e.externalId && e.customProperties?.['task_name']?.stringValue === 'evaluate-model',
          );
          expect(imported.length).toBe(1);
          expect(recordedOutputs(imported[0]).metrics?.map((r) => r.objects)).toEqual([[]]);
        }
      } finally {
        mlmd.close();
        store.close();
      }
    }
    const again = await planProject(project, { env });
    expect(again.inSync).toBe(true);
    expect(again.operations).toEqual([]);
  }, 180_000);
});

describe("a location whose KFP default pipeline root is not the file's", () => {
  it('works because the runs pin the root, and a run that did not is reported with both roots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fidelity-root-'));
    // The file says minio://mlpipeline/v2/artifacts everywhere; KFP at b defaults to another scheme,
    // at c to another bucket.
    const l = await lab(dir, {
      locations: ['a', 'b', 'c'],
      kfpDefaultPipelineRoot: { b: 's3://mlpipeline/v2/artifacts', c: 'minio://kfp-default/v2/artifacts' },
    });
    const configured = l.locations['b']!.pipelineRoot;
    expect(configured).toBe('minio://mlpipeline/v2/artifacts');
    const project = await projectOf(exampleOnLabs([l], dir));
    const env = labEnv([l]);
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[2]).toMatchObject({ state: 'done', cached: FOUR, executed: ['serve-model'] });
    // Every run the product created at b and c (stage runs and marker runs) used the configured root.
    for (const name of ['b', 'c']) {
      const kfp = new KfpClient({ location: name, endpoint: l.locations[name]!.kfp });
      const mlmd = new MlmdClient({ location: name, address: l.locations[name]!.mlmd });
      try {
        const runs = (await kfp.listRuns({ pageSize: 100 })).items;
        expect(runs.length).toBeGreaterThan(0);
        for (const run of runs) {
          const ctx = await mlmd.getContextByTypeAndName('system.PipelineRun', run.run_id);
          expect(ctx?.customProperties?.['pipeline_root']?.stringValue, run.display_name).toMatch(
            /^minio:\/\/mlpipeline\/v2\/artifacts\//,
          );
        }
      } finally {
        mlmd.close();
      }
    }
    // A stage run that did not pin its root (as one created before the product did, or by hand)
    // ran under KFP's default at b: observing b reports it.
    const kfp = new KfpClient({ location: 'b', endpoint: l.locations['b']!.kfp });
    // Made in a later second than the product's run of stage 2, so that it is the newest: KFP keeps creation
    // times in whole seconds, and within one the product's own sequence number decides (run-order.ts).
    await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
    const experiment = await kfp.getOrCreateExperiment(
      project.spec.spec.pipeline.experiment ?? project.spec.metadata.name,
    );
    await kfp.createRun({
      displayName: stageRunName(project.spec.metadata.name, project.revision.short, 2),
      experimentId: experiment.experiment_id,
      pipelineSpec: {
        pipelineInfo: { name: 'unpinned' },
        schemaVersion: '2.1.0',
        sdkVersion: 'kfp-2.14.0',
        components: { 'comp-echo': { executorLabel: 'exec-echo' } },
        deploymentSpec: { executors: { 'exec-echo': { container: { image: 'busybox', command: ['echo', 'hi'] } } } },
        root: { dag: { tasks: { echo: { componentRef: { name: 'comp-echo' }, taskInfo: { name: 'echo' } } } } },
      },
    });
    await l.idle();
    const refused = await planProject(project, { env }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toMatch(
      /location b: run \S+ wrote its artifacts under the pipeline root s3:\/\/mlpipeline\/v2\/artifacts, but the file configures minio:\/\/mlpipeline\/v2\/artifacts/,
    );
    expect(refused?.message).toContain('spec.locations[b].objectStore.pipelineRoot');
  }, 180_000);
});

describe('a step KFP ran under its default root, not the configured one', () => {
  it('is not handed off without its bytes: the handoff stops and names the root KFP used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-fidelity-outside-'));
    const l = await lab(dir, {
      locations: ['a', 'b', 'c'],
      kfpDefaultPipelineRoot: { a: 's3://mlpipeline/v2/artifacts' },
    });
    const project = await projectOf(exampleOnLabs([l], dir));
    const env = labEnv([l]);
    // Someone ran the first steps at a by hand, without a root: KFP wrote them under its default,
    // and the stage-1 run of the apply is served from their cache rows.
    const kfp = new KfpClient({ location: 'a', endpoint: l.locations['a']!.kfp });
    const steps = ['load-data', 'split-data'];
    const pruned = prunePipeline(project.graph, { keep: steps, enableCaching: steps });
    await kfp.createRun({
      displayName: 'by hand',
      pipelineSpec: pruned.spec as never,
      parameters: project.spec.spec.pipeline.parameters ?? {},
    });
    await l.idle();
    const failed = await applyProject(project, { env, pollMs: 100 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failed?.message).toMatch(
      /is outside the pipeline root minio:\/\/mlpipeline\/v2\/artifacts configured for a; KFP wrote it under s3:\/\/mlpipeline\/v2\/artifacts, the pipeline root of run /,
    );
    expect(failed?.message).toContain('spec.locations[a].objectStore.pipelineRoot');
  }, 180_000);
});
