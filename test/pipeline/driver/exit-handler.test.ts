import { describe, expect, it } from 'vitest';
import { driveRun } from '../../../src/pipeline/driver/index.js';
import { FakeVisitor, loadFixture } from './fake-visitor.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };

describe('exit handlers and failures', () => {
  it('runs the exit task after a failure inside the handler and gives it the FAILED status', async () => {
    const graph = loadFixture('pipeline_with_task_final_status.yaml');
    const visitor = new FakeVisitor({ fail: (k) => k === 'exit-handler-1/fail-op' });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('failed');
    expect(result.error).toBe('task exit-handler-1/fail-op failed: fake: exit-handler-1/fail-op failed');
    // print-op does not depend on fail-op: Argo starts both at once, before fail-op fails.
    expect(visitor.executed).toEqual(['exit-handler-1/fail-op', 'exit-handler-1/print-op', 'exit-op']);
    expect(visitor.calls.get('exit-op')!.inputs.parameters).toEqual({
      status: { state: 'FAILED', pipelineJobResourceName: 'wf-abc', pipelineTaskName: 'exit-handler-1', error: {} },
      user_input: 'Hello World!',
    });
    expect(result.byKey.get('exit-op')!.state).toBe('succeeded');
    expect(result.byKey.get('exit-handler-1')).toMatchObject({ state: 'failed', mlmdState: 'FAILED' });
  });

  it('gives the exit task the COMPLETE status when every task of the handler ran', async () => {
    const graph = loadFixture('pipeline_with_task_final_status.yaml');
    const visitor = new FakeVisitor();
    const result = await driveRun(graph, { parameters: { message: 'bye' }, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    expect(visitor.calls.get('exit-op')!.inputs.parameters.status).toEqual({
      state: 'COMPLETE',
      pipelineJobResourceName: 'wf-abc',
      pipelineTaskName: 'exit-handler-1',
      error: {},
    });
  });

  it('leaves the handler RUNNING in the status when its tasks were all cache hits, as no launcher updated it', async () => {
    const graph = loadFixture('pipeline_with_task_final_status.yaml');
    const visitor = new FakeVisitor({ cached: (k) => k.startsWith('exit-handler-1/') });
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect((visitor.calls.get('exit-op')!.inputs.parameters.status as { state: string }).state).toBe('RUNNING');
  });

  it('fails the exit task when the run resource name that its status carries is unknown', async () => {
    const graph = loadFixture('pipeline_with_task_final_status.yaml');
    const visitor = new FakeVisitor();
    const result = await driveRun(graph, { parameters: {}, concurrency: 1 }, visitor);
    expect(result.byKey.get('exit-op')).toMatchObject({ state: 'failed' });
    expect(result.byKey.get('exit-op')!.error).toMatch(/jobResourceName/);
  });

  it('runs every exit handler of the run, also after the first handler failed', async () => {
    const graph = loadFixture('failing/pipeline_with_multiple_exit_handlers.yaml');
    const visitor = new FakeVisitor({ fail: (k) => k === 'exit-handler-1/fail-op' });
    const result = await driveRun(graph, { parameters: {}, ...run, concurrency: 4 }, visitor);
    expect(result.state).toBe('failed');
    for (const k of ['print-op', 'print-op-3', 'print-op-5']) expect(visitor.executed).toContain(k);
    expect(visitor.executed.indexOf('print-op')).toBeGreaterThan(visitor.executed.indexOf('exit-handler-1/fail-op'));
    expect(result.byKey.get('exit-handler-1')!.state).toBe('failed');
    expect(result.byKey.get('exit-handler-2')!.state).toBe('succeeded');
  });

  it('does not run the dependents of a failed task, and the run fails with the first error', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const visitor = new FakeVisitor({ fail: (k) => k === 'write-to-gcs' });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.executed).toEqual(['write-to-gcs']);
    expect(result.state).toBe('failed');
    expect(result.byKey.get('read-from-gcs')).toMatchObject({ state: 'skipped', skipReason: 'upstream failed' });
    expect(visitor.skips.map((s) => [s.key, s.call.reason])).toEqual([['read-from-gcs', 'upstream failed']]);
  });
});
