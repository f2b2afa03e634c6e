// What KFP's driver checks on a cache hit, before it reuses anything: `GetExecution` →
// `GetPipelineFromExecution` on the cached execution (at most one system.Pipeline and one
// system.PipelineRun context; none is fine, 2.17.0:backend/src/v2/metadata/client.go:929-979), and
// an OUTPUT event for every output the task provisions, executor-logs included
// (2.17.0:backend/src/v2/driver/cache.go:33-54).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/location/mlmd/index.js';
import {
  containerExecutions,
  eventsOf,
  packageBody,
  prop,
  runToEnd,
  startTestLab,
  thesisText,
  type TestLab,
} from './helpers.js';

let t: TestLab;

beforeEach(async () => {
  t = await startTestLab();
});

afterEach(async () => {
  await t.dispose();
});

const PIPELINE = 'split-pipelines-thesis';

async function firstRun() {
  const { kfp, mlmd } = t.clients('a');
  const run = await runToEnd(kfp, packageBody(thesisText()));
  expect(run.state).toBe('SUCCEEDED');
  return { run, byTask: await containerExecutions(mlmd, run.run_id) };
}

/** Associates an execution with one more context of `type` (made up for the test). */
async function associateWithAnother(
  executionId: number,
  type: 'system.Pipeline' | 'system.PipelineRun',
  name: string,
): Promise<void> {
  const { mlmd } = t.clients('a');
  const typeId = await mlmd.putContextType({ name: type });
  const [contextId] = await mlmd.putContexts([{ name, typeId }]);
  await mlmd.putAttributionsAndAssociations([], [{ executionId, contextId: contextId! }]);
}

/**
 * A copy of `original` (its `outputs` and the OUTPUT events named in `outputs`) with no context at
 * all, and the newest cache row for its fingerprint naming it.
 */
async function contextlessCopy(original: Execution, runId: string, outputs: string[]): Promise<number> {
  const { kfp, mlmd } = t.clients('a');
  const events = await eventsOf(mlmd, original.id!, 'OUTPUT');
  const { executionId } = await mlmd.putExecution({
    execution: {
      typeId: original.typeId!,
      lastKnownState: 'COMPLETE',
      customProperties: { outputs: original.customProperties!.outputs! },
    },
    artifactEventPairs: outputs.map((name) => ({
      event: { type: 'OUTPUT' as const, artifactId: events.get(name)!, path: { steps: [{ key: name }] } },
    })),
    contexts: [],
  });
  await kfp.createTask({
    pipelineName: `pipeline/${PIPELINE}`,
    runId,
    mlmdExecutionID: String(executionId),
    fingerprint: String(prop(original, 'cache_fingerprint')),
    createdAt: new Date(Date.now() + 60_000),
    namespace: 'kubeflow',
  });
  return executionId;
}

describe('a cache hit on an execution with too many contexts', () => {
  it('fails the task when the cached execution is in a second run context ("multiple run contexts found")', async () => {
    const first = await firstRun();
    const cached = first.byTask.get('split-data')!;
    await associateWithAnother(cached.id!, 'system.PipelineRun', 'an-earlier-marker-run');
    const { kfp, mlmd } = t.clients('a');
    const second = await runToEnd(kfp, packageBody(thesisText()));
    expect(second.state).toBe('FAILED');
    expect(second.error?.message).toBe(
      `task split-data failed: driver.Container(pipelineName=${PIPELINE}, runID=${second.run_id}, taskDisplayName="split-data", taskName="split-data", ` +
        `component="comp-split-data", dagExecutionID=${prop((await containerExecutions(mlmd, second.run_id)).get('split-data')!, 'parent_dag_id')}) failed: ` +
        `failure while getting execution of cachedMLMDExecutionID ${cached.id}: multiple run contexts found`,
    );
    const byTask = await containerExecutions(mlmd, second.run_id);
    expect(byTask.get('load-data')!.lastKnownState).toBe('CACHED');
    // The driver created its execution before it failed, and left it RUNNING.
    expect(byTask.get('split-data')!.lastKnownState).toBe('RUNNING');
    expect(byTask.has('train-model')).toBe(false);
  });

  it('fails the task when the cached execution is in a second pipeline context ("multiple pipeline contexts found")', async () => {
    const first = await firstRun();
    await associateWithAnother(first.byTask.get('load-data')!.id!, 'system.Pipeline', 'split-pipelines-handoff');
    const second = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    expect(second.state).toBe('FAILED');
    expect(second.error?.message).toMatch(
      /^task load-data failed: driver\.Container\(.*\) failed: failure while getting execution of cachedMLMDExecutionID \d+: multiple pipeline contexts found$/,
    );
  });

  it('accepts a cached execution with no context at all', async () => {
    const first = await firstRun();
    const copy = await contextlessCopy(first.byTask.get('split-data')!, first.run.run_id, [
      'train_set',
      'test_set',
      'executor-logs',
    ]);
    const { kfp, mlmd } = t.clients('a');
    const second = await runToEnd(kfp, packageBody(thesisText()));
    expect(second.state).toBe('SUCCEEDED');
    const split = (await containerExecutions(mlmd, second.run_id)).get('split-data')!;
    expect(split.lastKnownState).toBe('CACHED');
    expect(prop(split, 'cached_execution_id')).toBe(String(copy));
  });
});

describe('a cache hit on an execution missing an OUTPUT event', () => {
  it('fails the task when a declared output has no OUTPUT event on the cached execution', async () => {
    const first = await firstRun();
    const copy = await contextlessCopy(first.byTask.get('split-data')!, first.run.run_id, [
      'train_set',
      'executor-logs',
    ]);
    const second = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    expect(second.state).toBe('FAILED');
    expect(second.error?.message).toMatch(
      /^task split-data failed: driver\.Container\(.*\) failed: failed collect output artifact metadata from cache: unable to find artifact with name test_set in mlmd output artifacts$/,
    );
    expect(copy).toBeGreaterThan(0);
  });

  it('fails the task when the logs are published and the cached execution has no executor-logs event', async () => {
    const first = await firstRun();
    await contextlessCopy(first.byTask.get('split-data')!, first.run.run_id, ['train_set', 'test_set']);
    const second = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    expect(second.state).toBe('FAILED');
    expect(second.error?.message).toMatch(
      /failed collect output artifact metadata from cache: unable to find artifact with name executor-logs in mlmd output artifacts$/,
    );
  });
});
