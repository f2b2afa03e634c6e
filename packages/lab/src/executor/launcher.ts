// The container launcher on a cache miss (`Execute` in `backend/src/v2/component/launcher_v2.go`):
// pod details and RUNNING, input downloads, the user code and uploads of what it wrote (step-code.ts,
// shared with the native executor), artifacts recorded LIVE, the execution published COMPLETE with
// its `outputs`, then the cache row. A failure publishes FAILED (with the logs artifact when the
// user code ran) and fails the task.
import { randomInt, randomUUID } from 'node:crypto';
import {
  NotEmulatedError,
  type ExecutableCall,
  type TaskOutputs,
  type VisitResult,
} from '../../../../src/pipeline/driver/index.js';
import type { JsonObject } from '../../../../src/pipeline/ir.js';
import { metadataToProperties, toArtifactRef } from './artifact-refs.js';
import { EXECUTOR_LOGS } from './behaviour.js';
import { writeCacheRow } from './cache.js';
import { RunStopped, type RunEnv } from './context.js';
import type { ExecHandle, OutputArtifact } from './kfp-metadata.js';
import type { ProvisionedOutput } from './outputs.js';
import { runStepCode, uploadStepOutput } from './step-code.js';

export interface LaunchRequest<D> {
  call: ExecutableCall<D>;
  /** task_details key. */
  key: string;
  exec: ExecHandle;
  outputs: ProvisionedOutput[];
  fingerprint?: string;
}

export function podNameFor(env: RunEnv, kind: 'system-container-impl' | 'system-container-driver'): string {
  return `${env.jobResourceName}-${kind}-${randomInt(1_000_000_000, 9_999_999_999)}`;
}

/**
 * Uploads an output's bytes when the step wrote them, then records the artifact in any case (an
 * unwritten output has no objects: launcher_v2.go:824-832), with the metadata the step set.
 */
async function recordOutput(
  env: RunEnv,
  out: ProvisionedOutput,
  seed: string,
  size: number,
  written: boolean,
  set?: JsonObject,
): Promise<OutputArtifact> {
  if (written) await uploadStepOutput(env, out, seed, size);
  const artifact = await env.md.recordArtifact(
    out.name,
    out.schemaTitle,
    out.uri,
    metadataToProperties({ ...out.metadata, ...set }),
    env.sessionInfo,
  );
  return { name: out.name, artifact };
}

export async function launch<D>(env: RunEnv, req: LaunchRequest<D>): Promise<VisitResult> {
  const { call, exec } = req;
  const startedSec = Math.floor(Date.now() / 1000);
  const podName = podNameFor(env, 'system-container-impl');
  await env.md.prePublish(exec, { podName, podUid: randomUUID(), namespace: env.namespace });
  env.details.setExecution(req.key, exec.id, podName);
  /** What a failed execution is published with: only the logs, and only when the user code ran. */
  const failedOutputs: OutputArtifact[] = [];
  try {
    const { recorded, parameters } = await runStepCode(
      env,
      call,
      req.outputs,
      (out, seed, size, written, set) => recordOutput(env, out, seed, size, written, set),
      failedOutputs,
    );
    await env.md.publish(env.pipeline, exec, parameters, recorded, 'COMPLETE');
    if (req.fingerprint) writeCacheRow(env, exec.id, req.fingerprint, startedSec);
    const outputs: TaskOutputs = { parameters, artifacts: {} };
    for (const r of recorded) if (r.name !== EXECUTOR_LOGS) outputs.artifacts[r.name] = [toArtifactRef(r.artifact)];
    return { state: 'succeeded', outputs };
  } catch (err) {
    if (err instanceof RunStopped || err instanceof NotEmulatedError) throw err;
    const message = `failed to execute component: ${err instanceof Error ? err.message : String(err)}`;
    try {
      await env.md.publish(env.pipeline, exec, undefined, failedOutputs, 'FAILED');
    } catch {
      // As the launcher: the task fails with its own error; a failed publish only adds to it.
    }
    return { state: 'failed', error: message };
  }
}
