// A run's executable tasks from its ML Metadata context (KFP 2.14–2.17), as the location backend port's
// RunRecord: the executed and cached steps, by root task, that verifyRunRecord (src/location/backend/verify-run.ts)
// checks a stage run against. The same rules as the native backend's runRecord, on MLMD's executions.
import {
  globalIdFor,
  GLOBAL_ID_PREFIX,
  type RunRecord,
  type TaskOutcome,
  type TaskRecord,
} from '../location/backend/port.js';
import type { Execution, MlmdClient } from '../location/mlmd/index.js';
import { collectPages } from '../location/mlmd/index.js';

/** The global id of an MLMD entity: the one a handoff gave it (`external_id`), else its origin here. */
export function mlmdGlobalId(
  location: string,
  kind: 'artifact' | 'execution',
  entity: { id?: number; externalId?: string },
): string {
  if (entity.externalId && entity.externalId.startsWith(`${GLOBAL_ID_PREFIX}/`)) return entity.externalId;
  if (entity.id === undefined) throw new Error(`cannot name a ${kind} without an id at ${location}`);
  return globalIdFor(location, kind, String(entity.id));
}

function outcomeOf(e: Execution): TaskOutcome {
  switch (e.lastKnownState) {
    case 'CACHED':
      return 'cached';
    case 'COMPLETE':
      return 'executed';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'canceled';
    default:
      return 'running';
  }
}

/** The run's record: found false when KFP recorded no context for it. */
export async function mlmdRunRecord(mlmd: MlmdClient, location: string, runId: string): Promise<RunRecord> {
  const ctx = await mlmd.getContextByTypeAndName('system.PipelineRun', runId);
  if (ctx?.id === undefined) return { runId, found: false, tasks: [], rootTasksSeen: [] };
  const executions = await collectPages((token) =>
    mlmd.getExecutionsByContext(ctx.id!, { maxResultSize: 100, ...(token ? { nextPageToken: token } : {}) }),
  );
  const identity = executionIdentities(executions, runId);
  const tasks: TaskRecord[] = [];
  for (const e of executions) {
    const kind =
      e.type === 'system.ContainerExecution'
        ? 'container'
        : e.type === 'system.ImporterExecution'
          ? 'importer'
          : undefined;
    if (!kind) continue;
    const t: TaskRecord = {
      id: String(e.id),
      globalId: mlmdGlobalId(location, 'execution', e),
      kind,
      outcome: outcomeOf(e),
    };
    const root = identity.get(e.id!)?.split(/[/@]/)[0];
    if (root) t.rootTask = root;
    const fp = e.customProperties?.['cache_fingerprint']?.stringValue;
    if (fp) t.fingerprint = fp;
    tasks.push(t);
  }
  const seen = new Set<string>();
  for (const e of executions) {
    const name = e.customProperties?.['task_name']?.stringValue;
    if (name) seen.add(name);
  }
  return { runId, found: true, tasks, rootTasksSeen: [...seen] };
}

/** `path@iteration` of a call, in the form executionIdentities gives an execution. */
export function callIdentity(path: readonly string[], iteration: readonly number[]): string {
  return `${path.join('/')}@${iteration.join(',')}`;
}

/**
 * Each execution's task path and loop iterations, from its chain of `parent_dag_id` up to the
 * run's root DAG (`run/<run id>`): a ParallelFor records the loop DAG and, under it, one DAG per
 * iteration with the same task name and its `iteration_index` (KFP's driver/dag.go).
 */
export function executionIdentities(executions: readonly Execution[], runId: string): Map<number, string> {
  const byId = new Map(executions.map((e) => [e.id!, e]));
  const root = executions.find((e) => e.name === `run/${runId}`);
  const out = new Map<number, string>();
  for (const e of executions) {
    const chain: Execution[] = [];
    let ok = false;
    for (let cur: Execution | undefined = e, guard = 0; cur && guard < 64; guard++) {
      const parent = cur.customProperties?.['parent_dag_id']?.intValue;
      if (cur === root) {
        ok = true;
        break;
      }
      chain.unshift(cur);
      if (parent === undefined) {
        ok = root === undefined;
        break;
      }
      cur = byId.get(Number(parent));
    }
    if (!ok || chain.length === 0) continue;
    const path: string[] = [];
    const iteration: number[] = [];
    for (const x of chain) {
      const name = x.customProperties?.['task_name']?.stringValue ?? '';
      const index = x.customProperties?.['iteration_index']?.intValue;
      if (index !== undefined) iteration.push(Number(index));
      if (index === undefined || path[path.length - 1] !== name) path.push(name);
    }
    out.set(e.id!, callIdentity(path, iteration));
  }
  return out;
}
