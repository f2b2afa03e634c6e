// The container driver for one task (`Container` in `backend/src/v2/driver/container.go`): cache
// lookup, then a new ContainerExecution in any case (RUNNING, with `cached_execution_id` and
// `cache_fingerprint` when set, INPUT events, both contexts); on a hit it is published CACHED with
// the cached execution's `outputs` and OUTPUT events pointing at its original artifacts (no bytes
// read or copied, no new row); on a miss the launcher runs.
import type { ExecutableCall, TaskOutputs, VisitResult } from '../../../../src/pipeline/driver/index.js';
import { publishesLogs } from '../../../../src/pipeline/fingerprint/index.js';
import { toArtifactRef } from './artifact-refs.js';
import { EXECUTOR_LOGS } from './behaviour.js';
import { lookupCache, reuseCachedOutputs, type CacheDecision } from './cache.js';
import type { JsonObject } from '../../../../src/pipeline/ir.js';
import type { RunEnv } from './context.js';
import { containerDriverPipeline, driverInfo } from './driver-pipeline.js';
import { CONTAINER_EXECUTION, type PipelineHandle } from './kfp-metadata.js';
import { launch } from './launcher.js';
import { provisionOutputs } from './outputs.js';
import type { Frame } from './visitor.js';

export function inputArtifactIds<D>(call: ExecutableCall<D>): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(call.inputs.artifacts).map(([name, refs]) => [name, refs.map((r) => Number(r.id))]),
  );
}

/**
 * The ContainerExecution the driver creates for a container or platform-op task, before the pod's
 * details are known (`driver/container.go`, `driver/k8s.go`): both contexts, INPUT events, the cache
 * decision, the resolved input parameters.
 */
export function createContainerExecution(
  env: RunEnv,
  pipeline: PipelineHandle,
  call: ExecutableCall<Frame>,
  cache: CacheDecision,
  inputs: JsonObject,
) {
  return env.md.createExecution(pipeline, {
    type: CONTAINER_EXECUTION,
    displayName: call.node.displayName,
    taskName: call.node.key,
    parentDagId: call.parentDag.exec.id,
    // ExecutionConfig.Image is never assigned by the driver, so KFP records "" (§2.3).
    pod: { podName: '', podUid: '', namespace: '', image: '' },
    ...(cache.cachedExecutionId ? { cachedExecutionId: cache.cachedExecutionId } : {}),
    ...(cache.fingerprint ? { fingerprint: cache.fingerprint } : {}),
    inputs,
    inputArtifactIds: inputArtifactIds(call),
  });
}

export async function runContainerTask(env: RunEnv, call: ExecutableCall<Frame>, key: string): Promise<VisitResult> {
  const driverTask = { node: call.node, parentDagId: call.parentDag.exec.id };
  // The driver's first call (container.go:66); on failure it creates no execution.
  const got = await containerDriverPipeline(env, driverTask);
  if (!got.ok) return { state: 'failed', error: got.error };
  const input = call.cacheKeyInput!;
  const cache = lookupCache(env, call.cachingEnabled, input);
  // What the task provisions (driver.go provisionOutputs) is also what a cache hit must find as
  // OUTPUT events on the cached execution, executor-logs included when logs are published.
  const outputs = provisionOutputs(env.runRoot, call.node, publishesLogs(input), env.loc.kfpVersion);
  const exec = await createContainerExecution(env, got.pipeline, call, cache, call.inputs.parameters);
  env.details.setExecution(key, exec.id);
  if (cache.cachedExecutionId) {
    try {
      const reused = await reuseCachedOutputs(
        env,
        cache.cachedExecutionId,
        outputs.map((o) => o.name),
      );
      await env.md.publish(got.pipeline, exec, reused.parameters, reused.artifacts, 'CACHED');
      const result: TaskOutputs = { parameters: reused.parameters, artifacts: {} };
      for (const { name, artifact } of reused.artifacts)
        if (name !== EXECUTOR_LOGS) result.artifacts[name] = [toArtifactRef(artifact)];
      return { state: 'cached', outputs: result };
    } catch (err) {
      // The driver fails; its execution stays RUNNING.
      return {
        state: 'failed',
        error: `driver.Container(${driverInfo(env, driverTask)}) failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  return launch(env, { call, key, exec, outputs, ...(cache.fingerprint ? { fingerprint: cache.fingerprint } : {}) });
}
