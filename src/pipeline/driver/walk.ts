// The DAG walk, as the Argo workflow KFP 2.17.0 compiles (`backend/src/v2/compiler/argocompiler/
// dag.go`) schedules it: a task starts once every task it depends on has finished, and runs only if
// they all Succeeded (`depends: "a.Succeeded && b.Succeeded"`), so a failed or skipped upstream leaves
// it out; once a task of a DAG failed no new task of that DAG starts (Argo's `failFast`, on by
// default); an exit task (`triggerPolicy.strategy: ALL_UPSTREAM_TASKS_COMPLETED`) is an Argo exit
// hook on the task it depends on and runs whatever that task's outcome. DAG tasks go through the DAG
// driver (`driver/dag.go`): inputs, condition, then either the DAG or, for a ParallelFor, one
// iteration DAG per item.
import { topoSort, type TaskNode } from '../graph.js';
import type { JsonValue } from '../ir.js';
import { Aborted, ensureRunning, failed, finish, newRecord, resolveEnv, type WalkContext } from './context.js';
import { collectIterations, computeDagOutputs, type DagOutputs } from './dag-outputs.js';
import { newDagExec, type DagExecNode } from './dag-state.js';
import { isExitTask } from './emulated.js';
import { describeTask } from './errors.js';
import { conditionHolds, runExecutable, skipForCondition } from './executable.js';
import { Limiter } from './limiter.js';
import { loopItems, resolveIterationInputs, resolveTaskInputs } from './resolve.js';
import type { Scope, TaskRecord } from './scope.js';
import type { DagMlmdState, ResolvedInputs, SkipReason, TaskRunState } from './types.js';

type Gate = { run: true } | { skip: Exclude<SkipReason, 'not selected' | 'condition false'> } | { unavailable: string };

function gate(node: TaskNode, deps: TaskRecord[], failFast: boolean): Gate {
  const unavailable = deps.find((d) => d.state === 'unavailable');
  if (isExitTask(node)) {
    if (unavailable) return { unavailable: `upstream task ${unavailable.node.key} is unavailable` };
    // An exit hook fires when its task ran, however that ended; a task left out never fires it.
    return deps.some((d) => d.state === 'skipped') ? { skip: 'upstream skipped' } : { run: true };
  }
  if (deps.some((d) => d.state === 'failed')) return { skip: 'upstream failed' };
  if (unavailable) return { unavailable: `upstream task ${unavailable.node.key} is unavailable` };
  if (deps.some((d) => d.state === 'skipped')) return { skip: 'upstream skipped' };
  if (failFast) return { skip: 'fail fast' };
  return { run: true };
}

async function runGated<D>(ctx: WalkContext<D>, scope: Scope<D>, node: TaskNode, g: Gate): Promise<TaskRecord> {
  if ('unavailable' in g)
    return finish(ctx, newRecord(node, scope.iteration, { state: 'unavailable', reason: g.unavailable }));
  if ('skip' in g) {
    ensureRunning(ctx);
    await ctx.visitor.skipped?.({ path: node.path, iteration: scope.iteration, node, reason: g.skip }, scope.frame);
    return finish(ctx, newRecord(node, scope.iteration, { state: 'skipped', skipReason: g.skip }));
  }
  return node.kind === 'dag' ? runDagTask(ctx, scope, node) : runExecutable(ctx, scope, node);
}

/** Runs the tasks of one DAG execution to completion, recording each in `scope.records`. */
export async function runDag<D>(ctx: WalkContext<D>, scope: Scope<D>, nodes: TaskNode[]): Promise<void> {
  const order = topoSort(nodes) ?? nodes;
  const pending = new Set(order.map((n) => n.key));
  const running = new Set<Promise<void>>();
  let failFast = false;
  for (;;) {
    if (!ctx.abort.aborted) {
      for (const node of order) {
        if (!pending.has(node.key)) continue;
        const deps = [...new Set(node.dependsOn.map((d) => d.task))];
        if (!deps.every((d) => scope.records.has(d))) continue;
        pending.delete(node.key);
        const g = gate(
          node,
          deps.map((d) => scope.records.get(d)!),
          failFast,
        );
        const p: Promise<void> = runGated(ctx, scope, node, g)
          .then(
            (record) => {
              scope.records.set(node.key, record);
              if (record.state === 'failed') failFast = true;
            },
            (err: unknown) => {
              if (!ctx.abort.aborted) ctx.abort = { aborted: true, error: err };
            },
          )
          .finally(() => running.delete(p));
        running.add(p);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (!ctx.abort.aborted && pending.size > 0) {
    throw new Error(
      `bug: tasks ${[...pending].join(', ')} of ${describeTask(scope.path, scope.iteration)} wait for tasks outside their DAG`,
    );
  }
}

function dagRunState(records: Iterable<TaskRecord>): { state: 'succeeded' | 'failed' | 'unavailable'; error?: string } {
  let unavailable = false;
  for (const r of records) {
    if (r.state === 'failed')
      return { state: 'failed', error: `${describeTask(r.path, r.iteration)}: ${r.error ?? 'failed'}` };
    if (r.state === 'unavailable') unavailable = true;
  }
  return { state: unavailable ? 'unavailable' : 'succeeded' };
}

/** Runs `children` as one DAG execution: enterDag, the tasks, the outputs, exitDag. */
async function runDagExecution<D>(
  ctx: WalkContext<D>,
  node: TaskNode,
  parent: Scope<D>,
  iteration: number[],
  inputs: ResolvedInputs,
  exec: DagExecNode,
  extra: { iterationIndex?: number; parentFrame?: D },
): Promise<{ outputs: DagOutputs; state: 'succeeded' | 'failed' | 'unavailable'; error?: string }> {
  ensureRunning(ctx);
  const call = { path: node.path, iteration, node, inputs, parent: extra.parentFrame ?? parent.frame, run: ctx.run };
  const frame = await ctx.visitor.enterDag(
    extra.iterationIndex === undefined ? call : { ...call, iterationIndex: extra.iterationIndex },
  );
  const scope: Scope<D> = {
    path: node.path,
    iteration,
    params: inputs.parameters,
    artifacts: inputs.artifacts,
    records: new Map(),
    frame,
    exec,
  };
  await runDag(ctx, scope, node.children);
  ensureRunning(ctx);
  const outputs = computeDagOutputs(node.component, scope.records, describeTask(node.path, iteration));
  const result = dagRunState(scope.records.values());
  await ctx.visitor.exitDag(frame, {
    state: result.state,
    outputs: outputs.outputs,
    mlmdState: exec.state as DagMlmdState,
  });
  return { outputs, ...result };
}

function dagRecord<D>(
  ctx: WalkContext<D>,
  node: TaskNode,
  iteration: number[],
  r: { outputs: DagOutputs; state: TaskRunState; error?: string },
  exec: DagExecNode,
  iterationCount?: number,
): TaskRecord {
  const record = newRecord(node, iteration, {
    state: r.state,
    outputs: r.outputs.outputs,
    collected: r.outputs.collected,
    outputErrors: r.outputs.errors,
    exec,
  });
  if (r.error !== undefined) record.error = r.error;
  if (iterationCount !== undefined) record.iterationCount = iterationCount;
  if (r.state === 'unavailable') record.reason = 'a task inside is unavailable';
  return finish(ctx, record);
}

async function runDagTask<D>(ctx: WalkContext<D>, scope: Scope<D>, node: TaskNode): Promise<TaskRecord> {
  const r = resolveTaskInputs(node, resolveEnv(ctx, scope), 'dag');
  if (!r.ok) return failed(ctx, node, scope.iteration, r.error);
  const cond = conditionHolds(node, r.inputs);
  if (!cond.ok) return failed(ctx, node, scope.iteration, cond.error);
  if (!cond.holds) return skipForCondition(ctx, scope, node, r.inputs);
  if (node.task.parameterIterator) return runLoop(ctx, scope, node, r.inputs);
  const exec = newDagExec(node.children.length, scope.exec);
  const result = await runDagExecution(ctx, node, scope, scope.iteration, r.inputs, exec, {});
  return dagRecord(ctx, node, scope.iteration, result, exec);
}

function loopItemsOf(
  node: TaskNode,
  inputs: ResolvedInputs,
): { ok: true; items: JsonValue[] } | { ok: false; error: string } {
  const iterator = node.task.parameterIterator!;
  const report = (error: string) => ({
    ok: false as const,
    error: `iterating on item input "${iterator.itemInput}" failed: ${error}`,
  });
  let value: JsonValue;
  if (iterator.items.inputParameter) {
    if (!Object.prototype.hasOwnProperty.call(inputs.parameters, iterator.items.inputParameter))
      return report('cannot find input parameter');
    value = inputs.parameters[iterator.items.inputParameter]!;
  } else if (iterator.items.raw !== undefined) {
    try {
      value = JSON.parse(iterator.items.raw) as JsonValue;
    } catch (err) {
      return { ok: false, error: `error unmarshall raw string: ${(err as Error).message}` };
    }
    // dag.go stores the raw list as the loop DAG's input named after the item.
    inputs.parameters[iterator.itemInput] = value;
  } else {
    return { ok: false, error: 'cannot find parameter iterator' };
  }
  const items = loopItems(value);
  return items.ok ? items : report(items.error);
}

async function runLoop<D>(
  ctx: WalkContext<D>,
  scope: Scope<D>,
  node: TaskNode,
  inputs: ResolvedInputs,
): Promise<TaskRecord> {
  const items = loopItemsOf(node, inputs);
  if (!items.ok) return failed(ctx, node, scope.iteration, items.error);
  const count = items.items.length;
  const where = describeTask(node.path, scope.iteration);
  const headExec = newDagExec(node.children.length, scope.exec, count);
  ensureRunning(ctx);
  const frame = await ctx.visitor.enterDag({
    path: node.path,
    iteration: scope.iteration,
    node,
    inputs,
    parent: scope.frame,
    iterationCount: count,
    run: ctx.run,
  });
  const limit = node.task.iteratorPolicy?.parallelismLimit ?? 0;
  const limiter = new Limiter(limit > 0 ? limit : Math.max(1, count));
  const results: DagOutputs[] = [];
  const states: TaskRunState[] = [];
  let firstError: string | undefined;
  let failFast = false;
  const errorOutputs = (error: string): DagOutputs => {
    const names = [
      ...Object.keys(node.component.dag?.outputs?.parameters ?? {}),
      ...Object.keys(node.component.dag?.outputs?.artifacts ?? {}),
    ];
    return {
      outputs: { parameters: {}, artifacts: {} },
      collected: new Set(),
      errors: Object.fromEntries(names.map((n) => [n, error])),
    };
  };
  const runIteration = async (i: number): Promise<void> => {
    const iteration = [...scope.iteration, i];
    if (failFast) {
      ensureRunning(ctx);
      await ctx.visitor.skipped?.({ path: node.path, iteration, node, reason: 'fail fast' }, frame);
      finish(ctx, newRecord(node, iteration, { state: 'skipped', skipReason: 'fail fast' }));
      results[i] = errorOutputs(`iteration ${i} of ${where} did not run`);
      states[i] = 'skipped';
      return;
    }
    const r = resolveIterationInputs(node, inputs, items.items, i);
    if (!r.ok) {
      failed(ctx, node, iteration, r.error);
      results[i] = errorOutputs(r.error);
      states[i] = 'failed';
      firstError ??= `${describeTask(node.path, iteration)}: ${r.error}`;
      failFast = true;
      return;
    }
    const exec = newDagExec(node.children.length, headExec);
    const result = await runDagExecution(ctx, node, scope, iteration, r.inputs, exec, {
      iterationIndex: i,
      parentFrame: frame,
    });
    dagRecord(ctx, node, iteration, result, exec);
    results[i] = result.outputs;
    states[i] = result.state;
    if (result.state === 'failed') {
      firstError ??= result.error;
      failFast = true;
    }
  };
  const settled = await Promise.allSettled(items.items.map((_, i) => limiter.run(() => runIteration(i))));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  if (ctx.abort.aborted) throw new Aborted('the walk was aborted');
  const outputs = collectIterations(node.component, results, where);
  const state =
    states.includes('failed') || states.includes('skipped')
      ? 'failed'
      : states.includes('unavailable')
        ? 'unavailable'
        : 'succeeded';
  await ctx.visitor.exitDag(frame, { state, outputs: outputs.outputs, mlmdState: headExec.state as DagMlmdState });
  return dagRecord(
    ctx,
    node,
    scope.iteration,
    { outputs, state, ...(firstError !== undefined ? { error: firstError } : {}) },
    headExec,
    count,
  );
}
