import { describe, expect, it } from 'vitest';
import {
  driveRun,
  NotEmulatedError,
  type DriverVisitor,
  type ExecutableCall,
} from '../../../src/pipeline/driver/index.js';
import { FakeVisitor, loadFixture, type FakeFrame } from './fake-visitor.js';
import { graphFromYaml } from './inline-pipelines.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };

describe('the walk over a run', () => {
  it('runs independent tasks concurrently, up to the concurrency limit', async () => {
    const graph = graphFromYaml('independent-and-nested');
    const visitor = new FakeVisitor({ delayMs: () => 10 });
    await driveRun(graph, { parameters: {}, ...run, concurrency: 2 }, visitor);
    expect(visitor.maxInFlight).toBe(2);
    const serial = new FakeVisitor({ delayMs: () => 2 });
    await driveRun(graph, { parameters: {}, ...run, concurrency: 1 }, serial);
    expect(serial.maxInFlight).toBe(1);
    expect(serial.executed).toHaveLength(6);
  });

  it('starts no new task of a DAG after one failed, as Argo fails fast', async () => {
    const graph = graphFromYaml('independent-and-nested');
    const visitor = new FakeVisitor({ fail: (k) => k === 'a', delayMs: (k) => (k === 'inner/leaf' ? 20 : 0) });
    const result = await driveRun(graph, { parameters: {}, ...run, concurrency: 8 }, visitor);
    expect(result.state).toBe('failed');
    expect(result.byKey.get('use-a')).toMatchObject({ state: 'skipped', skipReason: 'upstream failed' });
    // inner was already running; use-inner became ready after the failure.
    expect(result.byKey.get('inner')!.state).toBe('succeeded');
    expect(result.byKey.get('use-inner')).toMatchObject({ state: 'skipped', skipReason: 'fail fast' });
  });

  it('walks only the selected root tasks and their ancestors', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const only = new FakeVisitor();
    const r1 = await driveRun(graph, { parameters: {}, ...run, rootTasks: ['write-to-gcs'] }, only);
    expect(only.executed).toEqual(['write-to-gcs']);
    expect(r1.byKey.get('read-from-gcs')).toMatchObject({ state: 'skipped', skipReason: 'not selected' });
    expect(only.skips).toEqual([]);
    const withAncestor = new FakeVisitor();
    await driveRun(graph, { parameters: {}, ...run, rootTasks: ['read-from-gcs'] }, withAncestor);
    expect(withAncestor.executed).toEqual(['write-to-gcs', 'read-from-gcs']);
  });

  it('counts only the selected root tasks when it rolls the root DAG state up', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const visitor = new FakeVisitor();
    await driveRun(graph, { parameters: {}, ...run, rootTasks: ['write-to-gcs'] }, visitor);
    expect(visitor.exited.at(-1)!.result.mlmdState).toBe('COMPLETE');
  });

  it('refuses a root task that does not exist', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    await expect(driveRun(graph, { parameters: {}, rootTasks: ['nope'] }, new FakeVisitor())).rejects.toThrow(
      /"nope" is not a root task/,
    );
  });

  it('reports the dependents of an unavailable task unavailable without visiting them', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const visitor = new FakeVisitor({ unavailable: (k) => k === 'write-to-gcs' });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.executed).toEqual(['write-to-gcs']);
    expect(result.byKey.get('read-from-gcs')).toMatchObject({
      state: 'unavailable',
      reason: 'upstream task write-to-gcs is unavailable',
    });
    expect(result.state).toBe('unavailable');
    expect(result.error).toBeUndefined();
  });

  it('keeps visiting independent tasks when one is unavailable, and makes an enclosing DAG unavailable', async () => {
    const graph = graphFromYaml('independent-and-nested');
    const visitor = new FakeVisitor({ unavailable: (k) => k === 'inner/leaf' });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.executed.sort()).toEqual(['a', 'b', 'c', 'inner/leaf', 'use-a']);
    expect(result.byKey.get('inner')!.state).toBe('unavailable');
    expect(result.byKey.get('use-inner')).toMatchObject({
      state: 'unavailable',
      reason: 'upstream task inner is unavailable',
    });
  });

  it('passes a nested DAG output to the task that consumes it', async () => {
    const graph = graphFromYaml('independent-and-nested');
    const visitor = new FakeVisitor({ outputs: { 'inner/leaf': { Output: 'deep' } } });
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('use-inner')!.inputs.parameters).toEqual({ v: 'deep' });
    expect(visitor.exited.find((e) => e.key === 'inner')!.result.outputs.parameters).toEqual({ Output: 'deep' });
  });

  it('rejects with the error a visitor throws, after in-flight visits settle', async () => {
    const graph = graphFromYaml('independent-and-nested');
    const visitor = new FakeVisitor({ delayMs: () => 5 });
    const boom: DriverVisitor<FakeFrame> = {
      enterDag: (c) => visitor.enterDag(c),
      exitDag: (f, r) => visitor.exitDag(f, r),
      executable: async (call: ExecutableCall<FakeFrame>) => {
        if (call.path.join('/') === 'b') throw new Error('visitor exploded');
        return visitor.executable(call);
      },
    };
    await expect(driveRun(graph, { parameters: {}, ...run, concurrency: 4 }, boom)).rejects.toThrow('visitor exploded');
    expect(visitor.inFlight).toBe(0);
  });

  it('refuses a producer that reports several artifacts for one output, which KFP would reduce to one', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const visitor = new FakeVisitor();
    const doubled: DriverVisitor<FakeFrame> = {
      enterDag: (c) => visitor.enterDag(c),
      exitDag: (f, r) => visitor.exitDag(f, r),
      executable: async (call) => {
        const r = await visitor.executable(call);
        if (r.state !== 'succeeded' || call.path[0] !== 'write-to-gcs') return r;
        const a = r.outputs.artifacts.output_gcs_path![0]!;
        return { ...r, outputs: { ...r.outputs, artifacts: { output_gcs_path: [a, { ...a, id: '99' }] } } };
      },
    };
    await expect(driveRun(graph, { parameters: {}, ...run }, doubled)).rejects.toThrow(NotEmulatedError);
  });

  it('hands the visitor a frame per DAG execution, parented as KFP nests them', async () => {
    const graph = loadFixture('parallel_and_nested/pipeline_with_loops.yaml');
    const visitor = new FakeVisitor({ outputs: { 'args-generator-op': { Output: [{ A_a: '1', B_b: '2' }] } } });
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    const call = visitor.calls.get('for-loop-4/print-text-4@1')!;
    expect(call.parentDag.key).toBe('for-loop-4@1');
    const iteration = visitor.entered.find((c) => c.path.join('/') === 'for-loop-4' && c.iterationIndex === 1)!;
    expect(iteration.parent!.key).toBe('for-loop-4');
    expect(visitor.entered[0]!.path).toEqual([]);
  });
});
