import { describe, expect, it } from 'vitest';
import { walkTasks, type TaskNode } from '../../../src/pipeline/graph.js';
import { driveRun, NotEmulatedError, taskRecordKey } from '../../../src/pipeline/driver/index.js';
import { compiledFixtures } from '../../support/fixtures.js';
import { FakeVisitor, loadFixture, requiredParameters, type FakeOptions } from './fake-visitor.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };

/** KFP 2.17.0 itself cannot compile these into a workflow. */
const NOT_EMULATED: Record<string, RegExp> = {
  'pipeline_with_parallelfor_list_artifacts_GH-12033.yaml': /artifactIterator.*artifact iterator not implemented yet/,
};

/**
 * Runs KFP 2.17.0 would fail too: a task reads a pipeline-level input artifact, which a KFP run
 * cannot be given (RuntimeConfig holds parameters only), so resolve.go finds no such input.
 */
const KFP_FAILS: Record<string, RegExp> = {
  'components_with_optional_artifacts.yaml':
    /custom-artifact-printer failed: .*parent DAG does not have input artifact dataset1/,
  'pipeline_with_metadata_fields.yaml': /dataset-joiner failed: .*parent DAG does not have input artifact in_dataset/,
};

/** Outputs that make a fixture meaningful: loop items must be structs where the loop reads fields. */
const OUTPUTS: Record<string, FakeOptions['outputs']> = {
  'parallel_and_nested/pipeline_with_loops.yaml': {
    'args-generator-op': {
      Output: [
        { A_a: '1', B_b: '2' },
        { A_a: '10', B_b: '20' },
      ],
    },
  },
};

function underCondition(node: TaskNode, byPath: Map<string, TaskNode>): boolean {
  for (let i = 1; i <= node.path.length; i++) {
    if (byPath.get(node.path.slice(0, i).join('/'))?.task.triggerPolicy?.condition) return true;
  }
  return false;
}

describe('driving every real compiled KFP pipeline with a fake visitor', () => {
  for (const [rel] of compiledFixtures()) {
    it(`drives ${rel} to its KFP outcome`, async () => {
      const graph = loadFixture(rel);
      const visitor = new FakeVisitor({ outputs: OUTPUTS[rel] ?? {} });
      const drive = driveRun(graph, { parameters: requiredParameters(graph), ...run }, visitor);
      if (NOT_EMULATED[rel]) {
        await expect(drive).rejects.toThrow(NotEmulatedError);
        await expect(drive).rejects.toThrow(NOT_EMULATED[rel]);
        expect(visitor.executed).toEqual([]);
        return;
      }
      const result = await drive;
      if (KFP_FAILS[rel]) {
        expect(result.state).toBe('failed');
        expect(result.error).toMatch(KFP_FAILS[rel]);
      } else {
        expect(result.error).toBeUndefined();
        expect(result.state).toBe('succeeded');
      }
      const nodes = [...walkTasks(graph.rootTasks.values())];
      const byPath = new Map(nodes.map((n) => [n.path.join('/'), n]));
      const executedPaths = new Set(visitor.executed.map((k) => k.split('@')[0]!));
      // Each (task, iteration) is visited once, and only executables are visited.
      expect(new Set(visitor.executed).size).toBe(visitor.executed.length);
      for (const p of executedPaths) expect(byPath.get(p)?.kind).not.toBe('dag');
      // Without a failure, every executable outside a condition ran.
      if (!KFP_FAILS[rel]) {
        for (const n of nodes) {
          if (n.kind !== 'dag' && !underCondition(n, byPath))
            expect(executedPaths, n.path.join('/')).toContain(n.path.join('/'));
        }
      }
      // Every root task has a record.
      for (const key of graph.rootOrder) expect(result.byKey.has(taskRecordKey([key]))).toBe(true);
    });
  }
});

describe('executed task paths of selected fixtures', () => {
  const drive = async (rel: string, options: FakeOptions = {}, parameters = {}) => {
    const graph = loadFixture(rel);
    const visitor = new FakeVisitor(options);
    const result = await driveRun(
      graph,
      { parameters: { ...requiredParameters(graph), ...parameters }, ...run },
      visitor,
    );
    return { result, visitor };
  };

  it('runs the two-step pipeline producer first, then the consumer', async () => {
    const { visitor } = await drive('two_step_pipeline.yaml');
    expect(visitor.executed).toEqual(['write-to-gcs', 'read-from-gcs']);
  });

  it('runs createpvc, the tasks mounting the PVC, then deletepvc', async () => {
    const { visitor } = await drive('pipeline_with_volume.yaml');
    expect(visitor.executed).toEqual(['createpvc', 'producer', 'consumer', 'deletepvc']);
  });

  it('runs every iteration of the sibling and nested raw loops of cross_loop_after_topology', async () => {
    const { visitor } = await drive('cross_loop_after_topology.yaml');
    expect([...visitor.executed].sort()).toEqual(
      [
        'for-loop-2/print-op@0',
        'for-loop-2/print-op@1',
        'for-loop-4/print-op-2@0',
        'for-loop-4/print-op-2@1',
        'for-loop-6/print-op-3@0',
        'for-loop-6/print-op-3@1',
        'for-loop-6/for-loop-8/print-op-4@0,0',
        'for-loop-6/for-loop-8/print-op-4@0,1',
        'for-loop-6/for-loop-8/print-op-4@1,0',
        'for-loop-6/for-loop-8/print-op-4@1,1',
        'for-loop-10/print-op-5@0',
        'for-loop-10/print-op-5@1',
        'for-loop-12/print-op-8@0',
        'for-loop-12/print-op-8@1',
        'for-loop-12/for-loop-14/print-op-7@0,0',
        'for-loop-12/for-loop-14/print-op-7@0,1',
        'for-loop-12/for-loop-14/print-op-7@1,0',
        'for-loop-12/for-loop-14/print-op-7@1,1',
        'print-op-6',
      ].sort(),
    );
    // for-loop-4 runs after for-loop-2 (dependentTasks), print-op-6 after for-loop-10.
    const at = (k: string) => visitor.executed.indexOf(k);
    expect(at('for-loop-4/print-op-2@0')).toBeGreaterThan(at('for-loop-2/print-op@1'));
    expect(at('print-op-6')).toBeGreaterThan(at('for-loop-10/print-op-5@1'));
  });

  it('runs only the heads branch of flip_coin when the coin says heads and the number is high', async () => {
    const { visitor } = await drive('critical/flip_coin.yaml', {
      outputs: { 'flip-coin': { Output: 'heads' }, 'condition-1/random-num': { Output: 7 } },
    });
    expect(visitor.executed).toEqual(['flip-coin', 'condition-1/random-num', 'condition-1/condition-2/print-msg']);
  });

  it('runs only the tails branch of flip_coin for tails and a low number', async () => {
    const { visitor } = await drive('critical/flip_coin.yaml', {
      outputs: { 'flip-coin': { Output: 'tails' }, 'condition-4/random-num-2': { Output: 12 } },
    });
    expect(visitor.executed).toEqual(['flip-coin', 'condition-4/random-num-2', 'condition-4/condition-6/print-msg-4']);
  });
});
