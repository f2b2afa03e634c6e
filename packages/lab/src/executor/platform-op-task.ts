// createpvc / deletepvc, which the driver runs itself without a launcher
// (`kubernetesPlatformOps`, `createPVC`, `deletePVC` in `backend/src/v2/driver/k8s.go`). The lab
// keeps a set of PVC names instead of real volumes; MLMD and the task table are written as KFP does.
import { randomUUID } from 'node:crypto';
import type { ExecutableCall, VisitResult } from '../../../../src/pipeline/driver/index.js';
import type { JsonObject } from '../../../../src/pipeline/ir.js';
import { lookupCache, reuseCachedOutputs, writeCacheRow } from './cache.js';
import type { RunEnv } from './context.js';
import { createContainerExecution } from './container-task.js';
import { containerDriverPipeline } from './driver-pipeline.js';
import type { ExecHandle } from './kfp-metadata.js';
import { podNameFor } from './launcher.js';
import type { Frame } from './visitor.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** publishDriverExecution: the driver pod's details, then the final state. */
async function publishDriver(
  env: RunEnv,
  exec: ExecHandle,
  outputs: JsonObject | undefined,
  state: 'COMPLETE' | 'CACHED' | 'FAILED',
): Promise<void> {
  await env.md.prePublish(exec, {
    podName: podNameFor(env, 'system-container-driver'),
    podUid: randomUUID(),
    namespace: env.namespace,
  });
  await env.md.publish(env.pipeline, exec, outputs, [], state);
}

export async function runPlatformOpTask(env: RunEnv, call: ExecutableCall<Frame>, key: string): Promise<VisitResult> {
  const create = call.node.executor!.container!.image === 'argostub/createpvc';
  const op = create ? 'create pvc' : 'delete pvc';
  const fail = (error: string): VisitResult => ({
    state: 'failed',
    error: `failed to ${op} and publish execution ${call.node.displayName}: ${error}`,
  });
  const parameters = { ...call.inputs.parameters };
  const keyInput = { ...call.cacheKeyInput!, inputParameterValues: { ...call.cacheKeyInput!.inputParameterValues } };
  let pvcName = str(parameters.pvc_name);
  if (create && pvcName === '') {
    // Without pvc_name KFP names the PVC with a random UUID and adds that name as an input, both to
    // the recorded inputs and to the fingerprint (createPVC), so such a task never hits the cache.
    pvcName = `${randomUUID()}${str(parameters.pvc_name_suffix)}`;
    parameters[pvcName] = pvcName;
    keyInput.inputParameterValues[pvcName] = pvcName;
  }
  // Platform ops go through the container driver, whose first call is GetPipeline (container.go:66).
  const got = await containerDriverPipeline(env, { node: call.node, parentDagId: call.parentDag.exec.id });
  if (!got.ok) return { state: 'failed', error: got.error };
  const cache = lookupCache(env, call.cachingEnabled, keyInput);
  const startedSec = Math.floor(Date.now() / 1000);
  const exec = await createContainerExecution(env, got.pipeline, call, cache, parameters);
  env.details.setExecution(key, exec.id);
  if (cache.cachedExecutionId) {
    try {
      const reused = await reuseCachedOutputs(env, cache.cachedExecutionId, []);
      await publishDriver(env, exec, reused.parameters, 'CACHED');
      return { state: 'cached', outputs: { parameters: reused.parameters, artifacts: {} } };
    } catch (err) {
      await publishDriver(env, exec, undefined, 'FAILED').catch(() => undefined);
      return fail(err instanceof Error ? err.message : String(err));
    }
  }
  if (create) {
    if (env.loc.pvcs.has(pvcName)) {
      await publishDriver(env, exec, undefined, 'FAILED');
      return fail(`failed to create pvc: persistentvolumeclaims "${pvcName}" already exists`);
    }
    env.loc.pvcs.add(pvcName);
    if (cache.fingerprint) writeCacheRow(env, exec.id, cache.fingerprint, startedSec);
    const outputs = { name: pvcName };
    await publishDriver(env, exec, outputs, 'COMPLETE');
    return { state: 'succeeded', outputs: { parameters: outputs, artifacts: {} } };
  }
  if (!env.loc.pvcs.has(pvcName)) {
    await publishDriver(env, exec, undefined, 'FAILED');
    return fail(`failed to delete pvc ${pvcName}: cannot find pvc: persistentvolumeclaims "${pvcName}" not found`);
  }
  env.loc.pvcs.delete(pvcName);
  // deletePVC writes its row only when a cached id was found, which cannot happen here (k8s.go).
  await publishDriver(env, exec, undefined, 'COMPLETE');
  return { state: 'succeeded', outputs: { parameters: {}, artifacts: {} } };
}
