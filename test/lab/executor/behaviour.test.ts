// Configurable step behaviour at a lab location: failures (always / first N), durations, output
// sizes and parameter values; and terminating a run.
import { afterEach, describe, expect, it } from 'vitest';
import type { StartLabOptions } from '../../../packages/lab/src/lab.js';
import { fromStruct } from '../../../src/location/mlmd/index.js';
import {
  containerExecutions,
  eventsOf,
  packageBody,
  runToEnd,
  startTestLab,
  thesisText,
  waitForRun,
  waitForState,
  type TestLab,
} from './helpers.js';

let t: TestLab | undefined;

afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function lab(steps: NonNullable<StartLabOptions['steps']>[string]): Promise<TestLab> {
  t = await startTestLab({ steps: { a: steps } });
  return t;
}

describe('a step configured to fail', () => {
  it('fails the run, with a FAILED execution that published only its logs, and leaves the downstream tasks out', async () => {
    const { clients } = await lab({ 'train-model': { fail: 'always' } });
    const { kfp, mlmd } = clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toBe(
      "task train-model failed: failed to execute component: exit status 1 (the lab location 'a' is configured to fail task train-model)",
    );
    const byTask = await containerExecutions(mlmd, run.run_id);
    expect(byTask.get('train-model')!.lastKnownState).toBe('FAILED');
    expect([...(await eventsOf(mlmd, byTask.get('train-model')!.id!, 'OUTPUT')).keys()]).toEqual(['executor-logs']);
    expect(byTask.has('evaluate-model')).toBe(false);
    const states = Object.fromEntries(
      (run.run_details?.task_details ?? []).map((d) => [d.display_name ?? '', d.state] as const),
    );
    expect(states).toEqual({
      'load-data': 'SUCCEEDED',
      'split-data': 'SUCCEEDED',
      'train-model': 'FAILED',
      'evaluate-model': 'SKIPPED',
      'serve-model': 'SKIPPED',
    });
  });

  it('writes no cache row for the failed step', async () => {
    const { clients } = await lab({ 'train-model': { fail: 'always' } });
    const { kfp, mlmd } = clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    const failedId = String((await containerExecutions(mlmd, run.run_id)).get('train-model')!.id);
    const rows = (await kfp.listTasks({ pageSize: 100 })).items;
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.mlmdExecutionID)).not.toContain(failedId);
  });

  it('with `times: 1` fails the first run only, and the retry run reuses what succeeded', async () => {
    const { clients } = await lab({ 'train-model': { fail: { times: 1 } } });
    const { kfp, mlmd } = clients('a');
    expect((await runToEnd(kfp, packageBody(thesisText()))).state).toBe('FAILED');
    const second = await runToEnd(kfp, packageBody(thesisText()));
    expect(second.state).toBe('SUCCEEDED');
    const states = Object.fromEntries(
      [...(await containerExecutions(mlmd, second.run_id))].map(([k, e]) => [k, e.lastKnownState]),
    );
    expect(states).toMatchObject({ 'load-data': 'CACHED', 'split-data': 'CACHED', 'train-model': 'COMPLETE' });
  });

  it('fails the run as not emulated when the failing task has a retry policy KFP would apply', async () => {
    const { clients } = await lab({ 'train-model': { fail: { times: 1 } } });
    const body = packageBody(thesisText()) as { root: { dag: { tasks: Record<string, Record<string, unknown>> } } };
    body.root.dag.tasks['train-model']!.retryPolicy = { maxRetryCount: 2 };
    const run = await runToEnd(clients('a').kfp, body as unknown as Parameters<typeof runToEnd>[1]);
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(/^not emulated: task train-model failed and has a retryPolicy/);
  });

  it('can be configured for every task with `*`', async () => {
    const { clients } = await lab({ '*': { fail: 'always' } });
    const run = await runToEnd(clients('a').kfp, packageBody(thesisText()));
    expect(run.error?.message).toMatch(/^task load-data failed/);
  });
});

describe('configured durations, sizes and values', () => {
  it('makes a step take at least its duration', async () => {
    const { clients } = await lab({ 'load-data': { durationMs: 400 } });
    const started = Date.now();
    const run = await runToEnd(clients('a').kfp, packageBody(thesisText()));
    expect(run.state).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('writes outputs of the configured sizes, per output name', async () => {
    const { clients } = await lab({
      'split-data': { outputBytes: { train_set: 5000 } },
      'train-model': { outputBytes: 2048 },
    });
    const { kfp, mlmd, store } = clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    const byTask = await containerExecutions(mlmd, run.run_id);
    const sizeOf = async (task: string, output: string) => {
      const [a] = await mlmd.getArtifactsByID([(await eventsOf(mlmd, byTask.get(task)!.id!, 'OUTPUT')).get(output)!]);
      return (await store.head(store.resolve(a!.uri!)))!.size;
    };
    expect(await sizeOf('split-data', 'train_set')).toBe(5000);
    expect(await sizeOf('split-data', 'test_set')).toBe(1024);
    expect(await sizeOf('train-model', 'model')).toBe(2048);
    expect(await sizeOf('train-model', 'executor-logs')).toBe(256);
  });

  it('returns configured output parameter values, which reach the consumer', async () => {
    const { clients } = await lab({ 'evaluate-model': { parameters: { Output: 0.93 } } });
    const { kfp, mlmd } = clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    const serve = (await containerExecutions(mlmd, run.run_id)).get('serve-model')!;
    expect(fromStruct(serve.customProperties!.inputs!.structValue!).accuracy).toBe(0.93);
  });

  it('gives the same outputs for the same inputs at another location', async () => {
    t = await startTestLab({ locations: ['a', 'b'] });
    const outputsAt = async (location: string) => {
      const { kfp, mlmd } = t!.clients(location);
      const run = await runToEnd(kfp, packageBody(thesisText()));
      return fromStruct(
        (await containerExecutions(mlmd, run.run_id)).get('evaluate-model')!.customProperties!.outputs!.structValue!,
      );
    };
    expect(await outputsAt('a')).toEqual(await outputsAt('b'));
  });
});

describe('outputs left unwritten and inputs left unread', () => {
  it('records an output configured unwritten with no object, and fails only the consumer that opens it', async () => {
    const { clients } = await lab({ 'split-data': { unwritten: ['test_set'] } });
    const { kfp, mlmd, store } = clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    const byTask = await containerExecutions(mlmd, run.run_id);
    expect(byTask.get('split-data')!.lastKnownState).toBe('COMPLETE');
    const [testSet] = await mlmd.getArtifactsByID([
      (await eventsOf(mlmd, byTask.get('split-data')!.id!, 'OUTPUT')).get('test_set')!,
    ]);
    expect(testSet!.state).toBe('LIVE');
    const where = store.resolve(testSet!.uri!);
    expect(await store.listAll(where.bucket, where.key)).toEqual([]);
    // train-model does not read test_set and succeeds; evaluate-model opens it and fails.
    expect(byTask.get('train-model')!.lastKnownState).toBe('COMPLETE');
    expect(run.state).toBe('FAILED');
    expect(run.error?.message).toMatch(
      /^task evaluate-model failed: failed to execute component: exit status 1 \(task evaluate-model opens input artifact "test_set", but the launcher downloaded nothing/,
    );
  });

  it('lets the consumer succeed when it is configured not to read that input', async () => {
    const { clients } = await lab({
      'split-data': { unwritten: ['test_set'] },
      'evaluate-model': { ignoredInputs: ['test_set'] },
    });
    expect((await runToEnd(clients('a').kfp, packageBody(thesisText()))).state).toBe('SUCCEEDED');
  });

  it('records the configured metrics as the metrics artifact’s custom properties', async () => {
    const { clients } = await lab({ 'evaluate-model': { metrics: { metrics: { accuracy: 0.91, f1: 0.5 } } } });
    const { kfp, mlmd } = clients('a');
    const run = await runToEnd(kfp, packageBody(thesisText()));
    const evaluate = (await containerExecutions(mlmd, run.run_id)).get('evaluate-model')!;
    const [metrics] = await mlmd.getArtifactsByID([(await eventsOf(mlmd, evaluate.id!, 'OUTPUT')).get('metrics')!]);
    expect(metrics!.customProperties?.accuracy).toEqual({ doubleValue: 0.91 });
    expect(metrics!.customProperties?.f1).toEqual({ doubleValue: 0.5 });
  });
});

describe('terminating a run', () => {
  it('stops it promptly: the run is CANCELED and the running task too', async () => {
    const { clients } = await lab({ 'train-model': { durationMs: 20_000 } });
    const { kfp } = clients('a');
    const created = await kfp.createRun({ displayName: 'long', pipelineSpec: packageBody(thesisText()) });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await kfp.getRun(created.run_id);
      if (
        r.run_details?.task_details?.some(
          (d) => d.display_name === 'train-model' && d.state === 'RUNNING' && d.pod_name,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error('train-model never started');
      await new Promise((res) => setTimeout(res, 20));
    }
    const asked = Date.now();
    await kfp.terminateRun(created.run_id);
    const run = await waitForRun(kfp, created.run_id, 5_000);
    expect(run.state).toBe('CANCELED');
    expect(Date.now() - asked).toBeLessThan(5_000);
    const train = run.run_details!.task_details!.find((d) => d.display_name === 'train-model')!;
    expect(train.state).toBe('CANCELED');
    expect(run.run_details!.task_details!.some((d) => d.display_name === 'evaluate-model')).toBe(false);
  });

  it('cancels a run that has not started a task yet', async () => {
    const { clients } = await lab({ 'load-data': { durationMs: 20_000 } });
    const { kfp } = clients('a');
    const created = await kfp.createRun({ displayName: 'long', pipelineSpec: packageBody(thesisText()) });
    await waitForState(kfp, created.run_id, 'RUNNING');
    await kfp.terminateRun(created.run_id);
    expect((await waitForRun(kfp, created.run_id, 5_000)).state).toBe('CANCELED');
  });
});
