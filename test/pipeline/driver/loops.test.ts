import { describe, expect, it } from 'vitest';
import { driveRun } from '../../../src/pipeline/driver/index.js';
import { FakeVisitor, loadFixture } from './fake-visitor.js';
import { graphFromYaml } from './inline-pipelines.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };
const structItems = [
  { A_a: '1', B_b: '2' },
  { A_a: '10', B_b: '20' },
];

describe('ParallelFor loops', () => {
  it('iterates a raw list, giving each iteration its own item and selected fields', async () => {
    const graph = loadFixture('parallel_and_nested/pipeline_with_loops.yaml');
    const visitor = new FakeVisitor({ outputs: { 'args-generator-op': { Output: structItems } } });
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('for-loop-4/print-struct-2@0')!.inputs.parameters).toEqual({
      struct: { A_a: '1', B_b: '2' },
    });
    expect(visitor.calls.get('for-loop-4/print-struct-2@1')!.inputs.parameters).toEqual({
      struct: { A_a: '10', B_b: '20' },
    });
    expect(visitor.calls.get('for-loop-4/print-text-4@0')!.inputs.parameters).toEqual({ msg: '1' });
    expect(visitor.calls.get('for-loop-4/print-text-5@1')!.inputs.parameters).toEqual({ msg: '20' });
    expect(visitor.executed.filter((k) => k.startsWith('for-loop-4/'))).toHaveLength(6);
  });

  it('iterates a list from a task output, selecting fields with parseJson(string_value)', async () => {
    const graph = loadFixture('parallel_and_nested/pipeline_with_loops.yaml');
    const visitor = new FakeVisitor({ outputs: { 'args-generator-op': { Output: structItems } } });
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('for-loop-2/print-text-2@1')!.inputs.parameters).toEqual({ msg: '10' });
    expect(visitor.calls.get('for-loop-2/print-text-3@0')!.inputs.parameters).toEqual({ msg: '2' });
  });

  it('iterates a list pipeline parameter, with as many iterations as items', async () => {
    const graph = loadFixture('parallel_and_nested/pipeline_with_loops.yaml');
    const visitor = new FakeVisitor({ outputs: { 'args-generator-op': { Output: structItems } } });
    await driveRun(graph, { parameters: { loop_parameter: ['p', 'q', 'r'] }, ...run }, visitor);
    const texts = visitor.executed
      .filter((k) => k.startsWith('for-loop-1/'))
      .map((k) => visitor.calls.get(k)!.inputs.parameters.msg);
    expect(texts).toEqual(['p', 'q', 'r']);
    const head = visitor.entered.find((c) => c.path.join('/') === 'for-loop-1' && c.iterationCount !== undefined)!;
    expect(head.iterationCount).toBe(3);
    const iterations = visitor.entered.filter(
      (c) => c.path.join('/') === 'for-loop-1' && c.iterationIndex !== undefined,
    );
    expect(
      iterations.map((c) => [c.iteration, c.inputs.parameters['pipelinechannel--loop_parameter-loop-item']]),
    ).toEqual([
      [[0], 'p'],
      [[1], 'q'],
      [[2], 'r'],
    ]);
    // The iteration gets the item, not the list it came from (resolve.go deletes it).
    expect(iterations[0]!.inputs.parameters).not.toHaveProperty('pipelinechannel--loop_parameter');
  });

  it('uses the default list of the pipeline parameter when the run gives none', async () => {
    const graph = loadFixture('parallel_and_nested/pipeline_with_loops.yaml');
    const visitor = new FakeVisitor({ outputs: { 'args-generator-op': { Output: structItems } } });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.byKey.get('for-loop-1')!.iterationCount).toBe(2);
  });

  it('collects a loop output parameter into a list, in iteration order (dsl.Collected)', async () => {
    const graph = loadFixture('critical/collected_parameters.yaml');
    const visitor = new FakeVisitor({
      outputs: {
        'collecting-parameters/split-ids': { Output: ['s1', 's2', 's3'] },
        'collecting-parameters/for-loop-1/prepend-id@0': { Output: 'a-s1' },
        'collecting-parameters/for-loop-1/prepend-id@1': { Output: 'a-s2' },
        'collecting-parameters/for-loop-1/prepend-id@2': { Output: 'a-s3' },
      },
    });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    expect(visitor.calls.get('collecting-parameters/consume-ids')!.inputs.parameters).toEqual({
      ids: ['a-s1', 'a-s2', 'a-s3'],
    });
    // Through the enclosing DAG's output, to the root.
    expect(visitor.calls.get('consume-ids')!.inputs.parameters).toEqual({ ids: ['a-s1', 'a-s2', 'a-s3'] });
  });

  it('collects artifacts of nested loops into one flat list in iteration order', async () => {
    const graph = loadFixture('collected_artifacts.yaml');
    const visitor = new FakeVisitor();
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    for (const it of ['0,0', '0,1', '1,0', '1,1']) {
      expect(
        visitor.calls.has(`collecting-artifacts/for-loop-1/for-loop-2/read-single-dataset-generate-model@${it}`),
      ).toBe(true);
    }
    const models = visitor.calls.get('read-models')!.inputs.artifacts.models!;
    expect(models).toHaveLength(4);
    // Each is the model artifact of one inner iteration: the consumer inside iteration 0 sees only its two.
    const inner0 = visitor.calls.get('collecting-artifacts/for-loop-1/read-models@0')!.inputs.artifacts.models!;
    const inner1 = visitor.calls.get('collecting-artifacts/for-loop-1/read-models@1')!.inputs.artifacts.models!;
    expect(models).toEqual([...inner0, ...inner1]);
    expect(inner0.map((a) => a.uri)).toEqual([
      'mem://collecting-artifacts/for-loop-1/for-loop-2/read-single-dataset-generate-model@0,0/results',
      'mem://collecting-artifacts/for-loop-1/for-loop-2/read-single-dataset-generate-model@0,1/results',
    ]);
  });

  it('flattens outputs collected from a loop nested in a loop into one list for a parameter', async () => {
    const graph = loadFixture('pipeline_producer_consumer.yaml');
    const outputs: Record<string, Record<string, number>> = {};
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        outputs[`for-loop-2/for-loop-4/double-pipeline/double@${i},${j}`] = { Output: 10 * i + j };
    const visitor = new FakeVisitor({ outputs });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    expect(visitor.calls.get('add-pipeline/add')!.inputs.parameters.nums).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22]);
  });

  it('runs no iteration of a loop over an empty list, and a consumer of its collected output fails', async () => {
    const graph = loadFixture('critical/collected_parameters.yaml');
    const visitor = new FakeVisitor({ outputs: { 'collecting-parameters/split-ids': { Output: [] } } });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.byKey.get('collecting-parameters/for-loop-1')).toMatchObject({
      state: 'succeeded',
      iterationCount: 0,
    });
    expect(visitor.executed.some((k) => k.includes('prepend-id'))).toBe(false);
    expect(result.state).toBe('failed');
    expect(result.error).toMatch(/consume-ids failed: .*the loop ran no iterations/);
  });

  it('runs at most parallelismLimit iterations at once', async () => {
    const graph = loadFixture('parallel_and_nested/nested_parallel_for_secret.yaml');
    const visitor = new FakeVisitor({ delayMs: () => 5 });
    await driveRun(graph, { parameters: {}, ...run, concurrency: 8 }, visitor);
    expect(visitor.executed.filter((k) => k.startsWith('for-loop-2/'))).toHaveLength(2);
    expect(visitor.maxInFlight).toBe(1);
  });

  it('iterates a list held as a JSON string, as getItems does', async () => {
    const graph = graphFromYaml('loop-over-json-text');
    const visitor = new FakeVisitor({ outputs: { produce: { Output: '["u", "v"]' } } });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    expect(visitor.executed).toEqual(['produce', 'for-loop-1/echo@0', 'for-loop-1/echo@1']);
    expect(visitor.calls.get('for-loop-1/echo@1')!.inputs.parameters).toEqual({ msg: 'v' });
  });

  it('stops starting iterations once one failed, when iterations run one at a time', async () => {
    const graph = loadFixture('parallel_and_nested/nested_parallel_for_secret.yaml');
    const visitor = new FakeVisitor({ fail: (k) => k === 'for-loop-2/worker-component@0' });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('failed');
    expect(visitor.executed).not.toContain('for-loop-2/worker-component@1');
    expect(result.byKey.get('for-loop-2@1')).toMatchObject({ state: 'skipped', skipReason: 'fail fast' });
  });
});
