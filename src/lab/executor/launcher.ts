// The container launcher on a cache miss (`Execute` in `backend/src/v2/component/launcher_v2.go`):
// pod details and RUNNING, input downloads, the user code (here: a configurable wait and
// deterministic outputs), uploads, artifacts recorded LIVE, the execution published COMPLETE with
// its `outputs`, then the cache row. A failure publishes FAILED (with the logs artifact when the
// user code ran) and fails the task.
import { randomInt, randomUUID } from 'node:crypto';
import { NotEmulatedError, type ExecutableCall, type TaskOutputs, type VisitResult } from '../../pipeline/driver/index.js';
import type { JsonObject, JsonValue } from '../../pipeline/ir.js';
import { planLabArtifact } from './artifact-bytes.js';
import { downloadInput, LauncherError, uploadOutput } from './artifact-io.js';
import { metadataToProperties, toArtifactRef } from './artifact-refs.js';
import { EXECUTOR_LOGS } from './behaviour.js';
import { writeCacheRow } from './cache.js';
import { ensureNotStopped, RunStopped, sleep, type RunEnv } from './context.js';
import type { ExecHandle, OutputArtifact } from './kfp-metadata.js';
import { outputParameterValue, outputSeed, taskSeed } from './output-values.js';
import type { ProvisionedOutput } from './outputs.js';

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

async function recordOutput(env: RunEnv, out: ProvisionedOutput, seed: string, size: number): Promise<OutputArtifact> {
  await uploadOutput(env, out.name, out.uri, planLabArtifact(outputSeed(seed, out.name), out.uri.split('/').pop() ?? out.name, size));
  const artifact = await env.md.recordArtifact(out.name, out.schemaTitle, out.uri, metadataToProperties(out.metadata), env.sessionInfo);
  return { name: out.name, artifact };
}

function outputParameters<D>(env: RunEnv, call: ExecutableCall<D>, seed: string): JsonObject {
  const configured = env.loc.behaviours.behaviourOf(call.path).parameters ?? {};
  const out: Record<string, JsonValue> = {};
  for (const [name, spec] of Object.entries(call.node.component.outputDefinitions?.parameters ?? {})) {
    out[name] = name in configured ? configured[name]! : outputParameterValue(outputSeed(seed, name), name, spec.parameterType);
  }
  return out;
}

export async function launch<D>(env: RunEnv, req: LaunchRequest<D>): Promise<VisitResult> {
  const { call, exec } = req;
  const task = call.path.join('/');
  const startedSec = Math.floor(Date.now() / 1000);
  const podName = podNameFor(env, 'system-container-impl');
  await env.md.prePublish(exec, { podName, podUid: randomUUID(), namespace: env.namespace });
  env.details.setExecution(req.key, exec.id, podName);
  const recorded: OutputArtifact[] = [];
  /** What a failed execution is published with: only the logs, and only when the user code ran. */
  const failedOutputs: OutputArtifact[] = [];
  try {
    const inputSeeds: Record<string, string[]> = {};
    for (const [name, refs] of Object.entries(call.inputs.artifacts)) {
      inputSeeds[name] = [];
      for (const ref of refs) {
        // Artifacts already in the workspace are not downloaded (downloadArtifacts).
        if (ref.metadata?._kfp_workspace === true) continue;
        ensureNotStopped(env);
        inputSeeds[name].push(await downloadInput(env, task, name, ref));
      }
    }
    const container = call.node.executor!.container!;
    const seed = taskSeed({
      componentName: call.node.componentName,
      image: container.image,
      command: container.command ?? [],
      args: container.args ?? [],
      parameters: call.inputs.parameters,
      inputArtifacts: inputSeeds,
    });
    const behaviour = env.loc.behaviours.behaviourOf(call.path);
    const fails = env.loc.behaviours.failsThisTime(call.path);
    await sleep(behaviour.durationMs ?? 0, env.signal);
    const logs = req.outputs.find((o) => o.name === EXECUTOR_LOGS);
    if (fails) {
      if (call.node.task.retryPolicy) {
        throw new NotEmulatedError(`task ${task} failed and has a retryPolicy; KFP would retry its pod, which the lab does not emulate`);
      }
      // On failure the launcher still uploads and registers the logs (uploadOutputArtifacts).
      if (logs) failedOutputs.push(await recordOutput(env, logs, seed, env.loc.behaviours.outputSize(call.path, logs.name)));
      throw new LauncherError(`exit status 1 (the lab location '${env.loc.name}' is configured to fail task ${task})`);
    }
    for (const out of req.outputs) {
      ensureNotStopped(env);
      recorded.push(await recordOutput(env, out, seed, env.loc.behaviours.outputSize(call.path, out.name)));
    }
    const parameters = outputParameters(env, call, seed);
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
