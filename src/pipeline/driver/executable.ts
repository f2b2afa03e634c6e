// One executable task: the container driver (`backend/src/v2/driver/container.go`), including the
// Kubernetes platform ops it runs itself (`driver/k8s.go` kubernetesPlatformOps), and the importer
// launcher. The visitor decides what running means; this decides what it is given.
import type { TaskNode } from '../graph.js';
import { buildCacheKeyInput, needsWorkspaceMount, resolvePvcNames, workspacePvcName } from './cache-key-input.js';
import { CelError, evaluateCondition } from './cel/index.js';
import { ensureRunning, failed, finish, newRecord, resolveEnv, type WalkContext } from './context.js';
import { addExec, updateDagExecState } from './dag-state.js';
import { resolveImporter } from './importer.js';
import { resolveTaskInputs } from './resolve.js';
import type { Scope, TaskRecord } from './scope.js';
import type { ExecutableCall, ResolvedInputs, VisitResult } from './types.js';

/** Evaluates `triggerPolicy.condition`; a CEL error fails the task (container.go / dag.go). */
export function conditionHolds(
  node: TaskNode,
  inputs: ResolvedInputs,
): { ok: true; holds: boolean } | { ok: false; error: string } {
  const condition = node.task.triggerPolicy?.condition;
  if (!condition) return { ok: true, holds: true };
  try {
    return { ok: true, holds: evaluateCondition(condition, inputs.parameters) };
  } catch (err) {
    if (err instanceof CelError) return { ok: false, error: err.message };
    throw err;
  }
}

export async function skipForCondition<D>(
  ctx: WalkContext<D>,
  scope: Scope<D>,
  node: TaskNode,
  inputs: ResolvedInputs,
): Promise<TaskRecord> {
  // "in MLMD, CANCELED state means exactly as what we call not triggered" (metadata/client.go).
  const exec = addExec(scope.exec, 'CANCELED');
  ensureRunning(ctx);
  await ctx.visitor.skipped?.(
    { path: node.path, iteration: scope.iteration, node, reason: 'condition false', inputs },
    scope.frame,
  );
  return finish(ctx, newRecord(node, scope.iteration, { state: 'skipped', skipReason: 'condition false', exec }));
}

/** createpvc's and deletepvc's own input checks (driver/k8s.go createPVC, deletePVC). */
function platformOpProblems(node: TaskNode, inputs: ResolvedInputs): { error?: string; neverCacheHit?: string } {
  const p = inputs.parameters;
  const nonEmpty = (v: unknown) => typeof v === 'string' && v !== '';
  if (node.executor!.container!.image === 'argostub/deletepvc') {
    return p.pvc_name === undefined || p.pvc_name === null
      ? { error: 'failed to delete pvc: required parameter pvc_name not provided' }
      : {};
  }
  if (p.access_modes === undefined || p.access_modes === null)
    return { error: 'failed to create pvc: parameter access_modes not provided' };
  if (nonEmpty(p.pvc_name) && nonEmpty(p.pvc_name_suffix)) {
    return { error: 'failed to create pvc: at most one of pvc_name and pvc_name_suffix can be non-empty' };
  }
  if (p.size === undefined || p.size === null)
    return { error: 'failed to create pvc: parameter volumeSize not provided' };
  if (nonEmpty(p.pvc_name)) return {};
  return {
    neverCacheHit:
      'without pvc_name, KFP names the PVC with a random UUID and adds that name as an input of the cache key ' +
      '(driver/k8s.go createPVC), so this task is never a cache hit',
  };
}

function checkVisitResult(result: VisitResult, node: TaskNode): VisitResult {
  const ok = result.state === 'succeeded' || result.state === 'cached';
  if (
    ok &&
    (typeof result.outputs !== 'object' ||
      typeof result.outputs.parameters !== 'object' ||
      typeof result.outputs.artifacts !== 'object')
  ) {
    throw new Error(
      `the visitor returned ${result.state} for ${node.path.join('/')} without outputs {parameters, artifacts}`,
    );
  }
  if (!ok && result.state !== 'failed' && result.state !== 'unavailable') {
    throw new Error(
      `the visitor returned an unknown state for ${node.path.join('/')}: ${String((result as { state: unknown }).state)}`,
    );
  }
  return result;
}

export async function runExecutable<D>(ctx: WalkContext<D>, scope: Scope<D>, node: TaskNode): Promise<TaskRecord> {
  const iteration = scope.iteration;
  const base = {
    path: node.path,
    iteration,
    node,
    cachingEnabled: node.cachingEnabled,
    parentDag: scope.frame,
    run: ctx.run,
  };
  let call: ExecutableCall<D>;
  if (node.kind === 'importer') {
    const r = resolveImporter(node, scope);
    if (!r.ok) return failed(ctx, node, iteration, r.error);
    call = { ...base, inputs: r.inputs, importer: r.call };
  } else {
    const env = resolveEnv(ctx, scope);
    const r = resolveTaskInputs(node, env, 'container');
    if (!r.ok) return failed(ctx, node, iteration, r.error);
    const cond = conditionHolds(node, r.inputs);
    if (!cond.ok) return failed(ctx, node, iteration, cond.error);
    if (!cond.holds) return skipForCondition(ctx, scope, node, r.inputs);
    const platformOp = node.kind === 'platform-op';
    let neverCacheHit: string | undefined;
    let pvcNames: string[] = [];
    if (platformOp) {
      const problems = platformOpProblems(node, r.inputs);
      if (problems.error) return failed(ctx, node, iteration, problems.error, addExec(scope.exec, 'FAILED'));
      neverCacheHit = problems.neverCacheHit;
    } else {
      const pvcs = resolvePvcNames(ctx.graph, node, env);
      if (!pvcs.ok)
        return failed(
          ctx,
          node,
          iteration,
          `failed to extract volume mount info while generating fingerprint: ${pvcs.error}`,
        );
      pvcNames = pvcs.names;
      if (needsWorkspaceMount(r.inputs)) {
        if (!ctx.run.jobResourceName)
          return failed(
            ctx,
            node,
            iteration,
            'failed to generate fingerprint: run name is required when workspace is used (pass options.jobResourceName)',
          );
        pvcNames.push(workspacePvcName(ctx.run.jobResourceName));
      }
    }
    call = {
      ...base,
      inputs: r.inputs,
      cacheKeyInput: buildCacheKeyInput(node, r.inputs, pvcNames, platformOp, ctx.publishLogs),
    };
    if (neverCacheHit) call.neverCacheHit = neverCacheHit;
  }
  ensureRunning(ctx);
  const result = checkVisitResult(
    await ctx.limiter.run(() => {
      ensureRunning(ctx);
      return ctx.visitor.executable(call);
    }),
    node,
  );
  return finish(ctx, recordVisit(scope, node, result));
}

function recordVisit<D>(scope: Scope<D>, node: TaskNode, result: VisitResult): TaskRecord {
  const iteration = scope.iteration;
  if (result.state === 'unavailable')
    return newRecord(node, iteration, { state: 'unavailable', reason: result.reason });
  // Only the container launcher publishes and then rolls the DAG states up (launcher_v2.go); an
  // importer that fails never publishes, and the platform ops publish from the driver.
  const launched = node.kind === 'container' && result.state !== 'cached';
  let exec;
  if (result.state === 'failed') exec = addExec(scope.exec, node.kind === 'importer' ? 'RUNNING' : 'FAILED');
  else exec = addExec(scope.exec, result.state === 'cached' && node.kind !== 'importer' ? 'CACHED' : 'COMPLETE');
  if (launched) updateDagExecState(scope.exec);
  if (result.state === 'failed') return newRecord(node, iteration, { state: 'failed', error: result.error, exec });
  const record = newRecord(node, iteration, { state: result.state, outputs: result.outputs, exec });
  if (node.kind === 'importer' && node.executor?.importer?.downloadToWorkspace === true) {
    record.workspaceImporter = true;
  }
  return record;
}
