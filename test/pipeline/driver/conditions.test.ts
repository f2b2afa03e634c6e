import { describe, expect, it } from 'vitest';
import { driveRun } from '../../../src/pipeline/driver/index.js';
import { FakeVisitor, loadFixture } from './fake-visitor.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };

describe('conditions', () => {
  it('skips a DAG whose condition is false, telling the visitor with the resolved inputs', async () => {
    const graph = loadFixture('critical/flip_coin.yaml');
    const visitor = new FakeVisitor({
      outputs: { 'flip-coin': { Output: 'heads' }, 'condition-1/random-num': { Output: 2 } },
    });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    expect(result.byKey.get('condition-1/condition-2')).toMatchObject({
      state: 'skipped',
      skipReason: 'condition false',
    });
    expect(result.byKey.get('condition-4')).toMatchObject({ state: 'skipped', skipReason: 'condition false' });
    const skip = visitor.skips.find((s) => s.key === 'condition-1/condition-2')!;
    expect(skip.call.inputs!.parameters).toEqual({
      'pipelinechannel--flip-coin-Output': 'heads',
      'pipelinechannel--random-num-Output': 2,
    });
    expect(visitor.executed).toContain('condition-1/condition-3/print-msg-2');
  });

  it('runs the importer branch of pipeline_with_importer only when the scalar matches', async () => {
    const graph = loadFixture('pipeline_with_importer.yaml');
    const yes = new FakeVisitor({ outputs: { train: { scalar: '123' } } });
    await driveRun(graph, { parameters: {}, ...run }, yes);
    expect(yes.executed).toEqual(['importer', 'train', 'condition-1/importer-2', 'condition-1/train-2']);
    const no = new FakeVisitor({ outputs: { train: { scalar: '124' } } });
    await driveRun(graph, { parameters: {}, ...run }, no);
    expect(no.executed).toEqual(['importer', 'train']);
  });

  it('selects the dsl.OneOf branch that ran', async () => {
    const graph = loadFixture('if_else_with_oneof_artifacts.yaml');
    for (const [coin, producer] of [
      ['heads', 'flip-coin-pipeline/condition-branches-1/condition-2/param-to-artifact'],
      ['tails', 'flip-coin-pipeline/condition-branches-1/condition-3/param-to-artifact-2'],
    ] as const) {
      const visitor = new FakeVisitor({ outputs: { 'flip-coin-pipeline/flip-coin': { Output: coin } } });
      const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
      expect(result.state).toBe('succeeded');
      expect(visitor.calls.get('print-artifact')!.inputs.artifacts.a![0]!.uri).toBe(`mem://${producer}/a`);
      expect(result.outputs.artifacts).toEqual({});
    }
  });

  it('fails the OneOf consumer when the chosen branch was only cache hits, as its DAG stays RUNNING in KFP 2.17.0', async () => {
    const graph = loadFixture('if_else_with_oneof_artifacts.yaml');
    const visitor = new FakeVisitor({
      outputs: { 'flip-coin-pipeline/flip-coin': { Output: 'heads' } },
      cached: () => true,
    });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('failed');
    expect(result.error).toMatch(/flip-coin-pipeline\/print-artifact failed: .*No successful task found/);
  });

  it('fails a task whose condition cannot be evaluated', async () => {
    const graph = loadFixture('critical/flip_coin.yaml');
    const visitor = new FakeVisitor({
      outputs: { 'flip-coin': { Output: 'heads' }, 'condition-1/random-num': { Output: 'seven' } },
    });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('failed');
    expect(result.byKey.get('condition-1/condition-2')!.error).toMatch(
      /type mismatch: expect NUMBER_INTEGER, got string/,
    );
  });
});
