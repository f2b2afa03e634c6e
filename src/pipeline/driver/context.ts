// Run-wide state of one walk, and the records it hands back.
import type { PipelineGraph, TaskNode } from '../graph.js';
import type { Limiter } from './limiter.js';
import type { ResolveEnv } from './resolve.js';
import type { Scope, TaskRecord } from './scope.js';
import {
  taskRecordKey,
  type DagMlmdState,
  type DriveRunInfo,
  type DriverVisitor,
  type TaskRunRecord,
} from './types.js';

export interface WalkContext<D> {
  graph: PipelineGraph;
  run: DriveRunInfo;
  visitor: DriverVisitor<D>;
  limiter: Limiter;
  /** The first exception (NotEmulatedError, a visitor's own error); once set nothing new starts. */
  abort: { aborted: boolean; error?: unknown };
  finished: TaskRunRecord[];
  byKey: Map<string, TaskRunRecord>;
  /** DriveOptions.publishLogs: the location's `--publish_logs`; undefined means KFP's default, true. */
  publishLogs?: boolean;
}

/** Unwinds work that was in flight when the walk was aborted; never escapes `driveRun`. */
export class Aborted extends Error {
  override readonly name = 'Aborted';
}

export function ensureRunning<D>(ctx: WalkContext<D>): void {
  if (ctx.abort.aborted) throw new Aborted('the walk was aborted');
}

export function resolveEnv<D>(ctx: WalkContext<D>, scope: Scope<D>): ResolveEnv<D> {
  return { scope, run: ctx.run, dagExecutionId: () => ctx.visitor.dagExecutionId?.(scope.frame) };
}

export function newRecord(
  node: TaskNode,
  iteration: number[],
  fields: Omit<TaskRecord, 'node' | 'path' | 'iteration'>,
): TaskRecord {
  return { node, path: node.path, iteration, ...fields };
}

/** Publishes a record in the walk's result. */
export function finish<D>(ctx: WalkContext<D>, record: TaskRecord): TaskRecord {
  const out: TaskRunRecord = {
    path: record.path,
    iteration: record.iteration,
    kind: record.node.kind,
    state: record.state,
  };
  if (record.outputs) out.outputs = record.outputs;
  if (record.error !== undefined) out.error = record.error;
  if (record.skipReason !== undefined) out.skipReason = record.skipReason;
  if (record.reason !== undefined) out.reason = record.reason;
  if (record.iterationCount !== undefined) out.iterationCount = record.iterationCount;
  if (record.node.kind === 'dag' && record.exec) out.mlmdState = record.exec.state as DagMlmdState;
  ctx.finished.push(out);
  ctx.byKey.set(taskRecordKey(out.path, out.iteration), out);
  return record;
}

export function failed<D>(
  ctx: WalkContext<D>,
  node: TaskNode,
  iteration: number[],
  error: string,
  exec?: TaskRecord['exec'],
): TaskRecord {
  const record = newRecord(node, iteration, { state: 'failed', error });
  if (exec) record.exec = exec;
  return finish(ctx, record);
}
