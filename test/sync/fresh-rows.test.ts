// Which execution of a run a cache row names (by the task path from the root DAG, not the task
// name), and how a row is made the one KFP's driver finds (strictly newer, read back).
import { describe, expect, it } from 'vitest';
import type { KfpClient, KfpTask, NewCacheRow } from '../../src/location/kfp/index.js';
import { intValue, stringValue, type Execution } from '../../src/location/mlmd/index.js';
import { executionIdentities, writeNewestCacheRow } from '../../src/sync/fresh-rows.js';

const exec = (id: number, task: string, parent?: number, iteration?: number, name?: string): Execution => ({
  id,
  type: task ? 'system.ContainerExecution' : 'system.DAGExecution',
  ...(name ? { name } : {}),
  customProperties: {
    task_name: stringValue(task),
    ...(parent !== undefined ? { parent_dag_id: intValue(parent) } : {}),
    ...(iteration !== undefined ? { iteration_index: intValue(iteration) } : {}),
  },
});

describe('executionIdentities', () => {
  it('tells apart two instances of one sub-pipeline whose inner task has the same name', () => {
    const executions = [
      exec(1, '', undefined, undefined, 'run/r1'),
      exec(2, 'prep-a', 1),
      exec(3, 'train', 2), // prep-a/train
      exec(4, 'prep-b', 1),
      exec(5, 'train', 4), // prep-b/train
    ];
    const ids = executionIdentities(executions, 'r1');
    expect(ids.get(3)).toBe('prep-a/train@');
    expect(ids.get(5)).toBe('prep-b/train@');
    expect(ids.has(1)).toBe(false);
  });

  it('names loop iterations as the driver does: the loop DAG once, then each iteration index', () => {
    const executions = [
      exec(1, '', undefined, undefined, 'run/r1'),
      exec(2, 'for-loop-2', 1), // the loop DAG
      exec(3, 'for-loop-2', 2, 0), // iteration 0
      exec(4, 'for-loop-2', 2, 1), // iteration 1
      exec(5, 'print', 3),
      exec(6, 'print', 4),
    ];
    const ids = executionIdentities(executions, 'r1');
    expect(ids.get(5)).toBe('for-loop-2/print@0');
    expect(ids.get(6)).toBe('for-loop-2/print@1');
  });

  it('leaves out executions whose chain does not reach the run root', () => {
    const ids = executionIdentities([exec(1, '', undefined, undefined, 'run/r1'), exec(7, 'orphan', 99)], 'r1');
    expect(ids.has(7)).toBe(false);
  });
});

/** A task API that orders rows as KFP does: created_at (seconds) desc, then UUID desc. */
function fakeTasks(initial: KfpTask[]) {
  const rows = [...initial];
  let n = 0;
  const kfp = {
    async createTask(t: NewCacheRow): Promise<KfpTask> {
      const row: KfpTask = {
        id: `0000-${n++}`,
        fingerprint: t.fingerprint,
        pipelineName: t.pipelineName,
        runId: t.runId,
        mlmdExecutionID: t.mlmdExecutionID,
        created_at: new Date(Math.floor(t.createdAt.getTime() / 1000) * 1000).toISOString(),
        namespace: t.namespace ?? '',
      };
      rows.push(row);
      return row;
    },
    async listTasks(): Promise<{ items: KfpTask[] }> {
      const sorted = [...rows].sort(
        (a, b) => Date.parse(b.created_at!) - Date.parse(a.created_at!) || (a.id! < b.id! ? 1 : -1),
      );
      return { items: sorted.slice(0, 1) };
    },
  };
  return { kfp: kfp as unknown as KfpClient, rows };
}

const request = {
  location: 'b',
  pipelineName: 'p',
  fingerprint: 'f'.repeat(64),
  executionId: 42,
  runId: 'marker',
  namespace: 'kubeflow',
};

describe('writeNewestCacheRow', () => {
  it('writes a row strictly newer than a row stamped in the future (another clock), so it wins', async () => {
    const future = new Date(Date.now() + 3_600_000);
    const { kfp, rows } = fakeTasks([
      { id: 'ffff', fingerprint: request.fingerprint, mlmdExecutionID: '7', created_at: future.toISOString() },
    ]);
    expect(await writeNewestCacheRow(kfp, request)).toBe(true);
    const mine = rows.find((r) => r.mlmdExecutionID === '42')!;
    expect(Math.floor(Date.parse(mine.created_at!) / 1000)).toBe(Math.floor(future.getTime() / 1000) + 1);
  });

  it('does not tie with a row of the same second (a tie would go to the larger UUID)', async () => {
    const now = new Date();
    const { kfp, rows } = fakeTasks([
      { id: 'ffff', fingerprint: request.fingerprint, mlmdExecutionID: '7', created_at: now.toISOString() },
    ]);
    await writeNewestCacheRow(kfp, request);
    const mine = rows.find((r) => r.mlmdExecutionID === '42')!;
    expect(Date.parse(mine.created_at!)).toBeGreaterThan(Math.floor(now.getTime() / 1000) * 1000);
  });

  it('writes nothing when the newest row already names the execution', async () => {
    const { kfp, rows } = fakeTasks([
      { id: 'a', fingerprint: request.fingerprint, mlmdExecutionID: '42', created_at: new Date().toISOString() },
    ]);
    expect(await writeNewestCacheRow(kfp, request)).toBe(false);
    expect(rows.length).toBe(1);
  });

  it('fails, naming the location and the execution KFP would use, when the row does not read back as the newest', async () => {
    const { kfp } = fakeTasks([]);
    const list = kfp.listTasks.bind(kfp);
    let calls = 0;
    (kfp as unknown as { listTasks: typeof list }).listTasks = async (o) =>
      calls++ === 0
        ? list(o)
        : ({ items: [{ id: 'z', mlmdExecutionID: '9', created_at: '2099-01-01T00:00:00Z' }] } as never);
    await expect(writeNewestCacheRow(kfp, request)).rejects.toThrow(
      /at b is not the newest: KFP would still use execution 9/,
    );
  });
});
