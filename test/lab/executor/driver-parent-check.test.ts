// `GetPipeline`'s parent-context check in every driver, not once per run
// (2.17.0:backend/src/v2/metadata/client.go:437-446; root_dag.go:125, dag.go:62, container.go:66,
// importer_launcher.go:125): a run context that gains a second parent while the run is under way
// fails the next driver, as the marker run's would in KFP when the import links a second parent.
import { afterEach, describe, expect, it } from 'vitest';
import { KfpMetadata } from '../../../packages/lab/src/executor/kfp-metadata.js';
import type { KfpClient } from '../../../src/location/kfp/index.js';
import type { JsonObject } from '../../../src/pipeline/ir.js';
import {
  containerExecutions,
  executionsOfRun,
  fixtureText,
  packageBody,
  startTestLab,
  thesisText,
  waitForRun,
  type TestLab,
} from './helpers.js';

let t: TestLab | undefined;

afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** Waits until `task`'s launcher runs (its pod is named in the run details). */
async function waitForLauncher(kfp: KfpClient, runId: string, task: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await kfp.getRun(runId);
    if (r.run_details?.task_details?.some((d) => d.display_name === task && d.state === 'RUNNING' && d.pod_name))
      return;
    if (Date.now() > deadline) throw new Error(`${task} never started`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Links the run's context to one more (made-up) system.Pipeline context, as the product's import once did. */
async function addSecondParent(t: TestLab, runId: string): Promise<number> {
  const { mlmd } = t.clients('a');
  const run = await mlmd.getContextByTypeAndName('system.PipelineRun', runId);
  const typeId = await mlmd.putContextType({ name: 'system.Pipeline' });
  const [other] = await mlmd.putContexts([{ name: 'another-pipeline', typeId }]);
  await mlmd.putParentContexts([{ childId: run!.id!, parentId: other! }]);
  return other!;
}

describe('a run context that gains a second parent while the run is under way', () => {
  it('fails the next container driver, though the task running at that moment completes', async () => {
    t = await startTestLab({ steps: { a: { 'load-data': { durationMs: 1500 } } } });
    const { kfp, mlmd } = t.clients('a');
    const created = await kfp.createRun({ displayName: 'two parents', pipelineSpec: packageBody(thesisText()) });
    await waitForLauncher(kfp, created.run_id, 'load-data');
    await addSecondParent(t, created.run_id);
    const run = await waitForRun(kfp, created.run_id);
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(
      /^task split-data failed: driver\.Container\(pipelineName=split-pipelines-thesis, runID=[0-9a-f-]+, .*taskName="split-data".*\) failed: Current run context has more than 1 parent context: /,
    );
    const byTask = await containerExecutions(mlmd, run.run_id);
    expect(byTask.get('load-data')!.lastKnownState).toBe('COMPLETE');
    // The driver failed before it created an execution.
    expect(byTask.has('split-data')).toBe(false);
  });

  it('fails the next DAG driver, and the run with it', async () => {
    t = await startTestLab({ steps: { a: { train: { durationMs: 1500, parameters: { scalar: '123' } } } } });
    const { kfp, mlmd, store } = t.clients('a');
    // The fixture's importer reads gs://; point it at the lab's own store instead.
    const uri = 'minio://mlpipeline/data/shakespeare1.txt';
    await store.put(store.resolve(uri), 'to be or not to be\n');
    const body = packageBody(fixtureText('pipeline_with_importer.yaml')) as JsonObject & {
      deploymentSpec: { executors: Record<string, { importer?: { artifactUri: { constant: string } } }> };
      root: {
        dag: { tasks: Record<string, { inputs: { parameters: { uri: { runtimeValue: { constant: string } } } } }> };
      };
    };
    body.deploymentSpec.executors['exec-importer']!.importer!.artifactUri.constant = uri;
    body.root.dag.tasks.importer!.inputs.parameters.uri.runtimeValue.constant = uri;
    const created = await kfp.createRun({ displayName: 'two parents', pipelineSpec: body });
    await waitForLauncher(kfp, created.run_id, 'train');
    await addSecondParent(t, created.run_id);
    const run = await waitForRun(kfp, created.run_id);
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(
      /^task condition-1 failed: driver\.DAG\(pipelineName=pipeline-with-importer, .*taskName="condition-1".*\) failed: Current run context has more than 1 parent context: /,
    );
    const names = (await executionsOfRun(mlmd, run.run_id)).map((e) => e.customProperties?.task_name?.stringValue);
    expect(names).toContain('train');
    expect(names).not.toContain('condition-1');
    expect(run.run_details?.task_details?.find((d) => d.display_name === 'condition-1')?.state).toBe('FAILED');
  });
});

describe('GetPipeline', () => {
  it('refuses a run context whose only parent is not the pipeline’s context', async () => {
    t = await startTestLab();
    const { mlmd } = t.clients('a');
    const pipelineType = await mlmd.putContextType({ name: 'system.Pipeline' });
    const runType = await mlmd.putContextType({ name: 'system.PipelineRun' });
    const [expected, other, run] = await mlmd.putContexts([
      { name: 'my-pipeline', typeId: pipelineType },
      { name: 'split-pipelines-handoff', typeId: pipelineType },
      { name: 'run-1', typeId: runType },
    ]);
    await mlmd.putParentContexts([{ childId: run!, parentId: other! }]);
    await expect(new KfpMetadata(mlmd).getPipeline('my-pipeline', 'run-1')).rejects.toThrow(
      `Parent context ID ${other} of current run is different from expected: ${expected}`,
    );
  });

  it('links a run context without a parent to the pipeline’s context, and accepts it from then on', async () => {
    t = await startTestLab();
    const { mlmd } = t.clients('a');
    const md = new KfpMetadata(mlmd);
    const first = await md.getPipeline('my-pipeline', 'run-2');
    expect((await mlmd.getParentContextsByContext(first.runCtx.id!)).map((c) => c.id)).toEqual([first.pipelineCtx.id]);
    expect((await md.getPipeline('my-pipeline', 'run-2')).runCtx.id).toBe(first.runCtx.id);
  });
});
