// driveRun: one KFP v2 run of a compiled pipeline, walked as KFP 2.17.0 would drive it, with a
// visitor deciding what happens to each executable task. Used by the lab's executor (which runs
// them), the observer (which asks whether each would be a cache hit at a location) and the handoff
// (which recomputes fingerprints with the target's artifact ids).
import { ancestorsOf, type PipelineGraph } from '../graph.js';
import { Aborted, finish, newRecord, type WalkContext } from './context.js';
import { computeDagOutputs } from './dag-outputs.js';
import { newDagExec } from './dag-state.js';
import { assertEmulated } from './emulated.js';
import { Limiter } from './limiter.js';
import { rootInputParameters } from './root-inputs.js';
import type { Scope } from './scope.js';
import type { DagMlmdState, DriveOptions, DriveResult, DriveRunInfo, DriverVisitor, TaskRunRecord } from './types.js';
import { runDag } from './walk.js';

function selectedRootTasks(graph: PipelineGraph, rootTasks: Iterable<string> | undefined): Set<string> {
  if (rootTasks === undefined) return new Set(graph.rootOrder);
  const requested = [...rootTasks];
  for (const k of requested) {
    if (!graph.rootTasks.has(k)) throw new Error(`driveRun: "${k}" is not a root task of pipeline ${graph.name}`);
  }
  // As prunePipeline does: the requested tasks and everything they depend on.
  return new Set([...requested, ...ancestorsOf(graph, requested)]);
}

/**
 * Walks the run. Resolves with the outcome of every task; a task failing is a result, not an
 * exception. Rejects with NotEmulatedError when the pipeline needs something not emulated (before any
 * visitor call when it can be seen in the spec), and with whatever the visitor throws.
 */
export async function driveRun<D>(
  graph: PipelineGraph,
  options: DriveOptions,
  visitor: DriverVisitor<D>,
): Promise<DriveResult> {
  const selected = selectedRootTasks(graph, options.rootTasks);
  const roots = graph.rootOrder.filter((k) => selected.has(k)).map((k) => graph.rootTasks.get(k)!);
  assertEmulated(roots);
  const run: DriveRunInfo = { pipelineName: graph.name };
  for (const key of [
    'pipelineRoot',
    'runId',
    'runName',
    'jobResourceName',
    'createTimeUtc',
    'scheduleTimeUtc',
  ] as const) {
    const v = options[key];
    if (v !== undefined) run[key] = v;
  }
  const ctx: WalkContext<D> = {
    graph,
    run,
    visitor,
    limiter: new Limiter(options.concurrency ?? 4),
    abort: { aborted: false },
    finished: [],
    byKey: new Map(),
  };
  if (options.publishLogs !== undefined) ctx.publishLogs = options.publishLogs;
  const result = (state: DriveResult['state'], error?: string): DriveResult => {
    const r: DriveResult = { state, tasks: ctx.finished, byKey: ctx.byKey, outputs: { parameters: {}, artifacts: {} } };
    if (error !== undefined) r.error = error;
    return r;
  };

  const rootInputs = rootInputParameters(graph.pkg.spec.root.inputDefinitions?.parameters, options.parameters);
  if (!rootInputs.ok) return result('failed', `the run's parameters are refused: ${rootInputs.error}`);

  for (const key of graph.rootOrder) {
    if (selected.has(key)) continue;
    const node = graph.rootTasks.get(key)!;
    finish(ctx, newRecord(node, [], { state: 'skipped', skipReason: 'not selected' }));
  }

  const inputs = { parameters: rootInputs.parameters, artifacts: {} };
  const exec = newDagExec(roots.length);
  const frame = await visitor.enterDag({ path: [], iteration: [], inputs, run });
  const scope: Scope<D> = {
    path: [],
    iteration: [],
    params: inputs.parameters,
    artifacts: {},
    records: new Map(),
    frame,
    exec,
  };
  await runDag(ctx, scope, roots);
  if (ctx.abort.aborted)
    throw ctx.abort.error instanceof Aborted ? new Error('driveRun aborted without a cause') : ctx.abort.error;

  const outputs = computeDagOutputs(graph.pkg.spec.root, scope.records, 'the root DAG');
  const failure = [...scope.records.values()].find((r) => r.state === 'failed');
  const state = failure
    ? 'failed'
    : [...scope.records.values()].some((r) => r.state === 'unavailable')
      ? 'unavailable'
      : 'succeeded';
  await visitor.exitDag(frame, { state, outputs: outputs.outputs, mlmdState: exec.state as DagMlmdState });
  const r = result(state, failure ? firstFailure(ctx.finished) : undefined);
  r.outputs = outputs.outputs;
  return r;
}

/** The earliest failure of an executable (or of a driver), rather than of the DAGs around it. */
function firstFailure(records: TaskRunRecord[]): string | undefined {
  const f = records.find((t) => t.state === 'failed' && t.kind !== 'dag') ?? records.find((t) => t.state === 'failed');
  if (!f) return undefined;
  const at = f.iteration.length > 0 ? `${f.path.join('/')}[${f.iteration.join(',')}]` : f.path.join('/');
  return `task ${at} failed: ${f.error ?? 'failed'}`;
}
