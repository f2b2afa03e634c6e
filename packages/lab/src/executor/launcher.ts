// The container launcher on a cache miss (`Execute` in `backend/src/v2/component/launcher_v2.go`):
// pod details and RUNNING, input downloads, the user code (here: reading its inputs, a configurable
// wait and deterministic outputs, component-io.ts), uploads of what it wrote, artifacts recorded LIVE, the execution published COMPLETE with
// its `outputs`, then the cache row. A failure publishes FAILED (with the logs artifact when the
// user code ran) and fails the task.
import { randomInt, randomUUID } from 'node:crypto';
import {
  NotEmulatedError,
  type ArtifactRef,
  type ExecutableCall,
  type TaskOutputs,
  type VisitResult,
} from '../../../../src/pipeline/driver/index.js';
import type { JsonObject, JsonValue } from '../../../../src/pipeline/ir.js';
import { planLabArtifact } from './artifact-bytes.js';
import { downloadInput, LauncherError, uploadOutput, type DownloadedObject } from './artifact-io.js';
import { metadataToProperties, toArtifactRef } from './artifact-refs.js';
import { EXECUTOR_LOGS } from './behaviour.js';
import { ComponentFailure, inputContent, metricsMetadata, readsInput, writesOutput } from './component-io.js';
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
  if (written)
    await uploadOutput(
      env,
      out.name,
      out.uri,
      planLabArtifact(outputSeed(seed, out.name), out.uri.split('/').pop() ?? out.name, size),
    );
  const artifact = await env.md.recordArtifact(
    out.name,
    out.schemaTitle,
    out.uri,
    metadataToProperties({ ...out.metadata, ...set }),
    env.sessionInfo,
  );
  return { name: out.name, artifact };
}

function outputParameters<D>(env: RunEnv, call: ExecutableCall<D>, seed: string): JsonObject {
  const configured = env.loc.behaviours.behaviourOf(call.path).parameters ?? {};
  const out: Record<string, JsonValue> = {};
  for (const [name, spec] of Object.entries(call.node.component.outputDefinitions?.parameters ?? {})) {
    out[name] =
      name in configured ? configured[name]! : outputParameterValue(outputSeed(seed, name), name, spec.parameterType);
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
    // The launcher downloads every input first (downloadArtifacts); an input with no objects
    // downloads nothing and is no error yet.
    const downloads: { name: string; ref: ArtifactRef; objects: DownloadedObject[] }[] = [];
    for (const [name, refs] of Object.entries(call.inputs.artifacts)) {
      for (const ref of refs) {
        // Artifacts already in the workspace are not downloaded (downloadArtifacts).
        if (ref.metadata?._kfp_workspace === true) continue;
        ensureNotStopped(env);
        downloads.push({ name, ref, objects: await downloadInput(env, task, name, ref) });
      }
    }
    const behaviour = env.loc.behaviours.behaviourOf(call.path);
    const logs = req.outputs.find((o) => o.name === EXECUTOR_LOGS);
    const logsSize = logs ? env.loc.behaviours.outputSize(call.path, logs.name) : 0;
    // From here on the user code runs: its failures still publish the logs (uploadOutputArtifacts).
    const container = call.node.executor!.container!;
    const content = {
      componentName: call.node.componentName,
      image: container.image,
      command: container.command ?? [],
      args: container.args ?? [],
      parameters: call.inputs.parameters,
    };
    let seed = taskSeed({ ...content, inputArtifacts: {} });
    const inputSeeds: Record<string, string[]> = Object.fromEntries(
      Object.keys(call.inputs.artifacts).map((n) => [n, []]),
    );
    try {
      for (const d of downloads)
        inputSeeds[d.name]!.push(inputContent(task, d.name, d.ref, d.objects, readsInput(behaviour, d.name, d.ref)));
    } catch (err) {
      if (!(err instanceof ComponentFailure)) throw err;
      if (logs) failedOutputs.push(await recordOutput(env, logs, seed, logsSize, true));
      throw new LauncherError(err.message);
    }
    seed = taskSeed({ ...content, inputArtifacts: inputSeeds });
    const fails = env.loc.behaviours.failsThisTime(call.path);
    await sleep(behaviour.durationMs ?? 0, env.signal);
    if (fails) {
      if (call.node.task.retryPolicy) {
        throw new NotEmulatedError(
          `task ${task} failed and has a retryPolicy; KFP would retry its pod, which the lab does not emulate`,
        );
      }
      // On failure the launcher still uploads and registers the logs (uploadOutputArtifacts).
      if (logs) failedOutputs.push(await recordOutput(env, logs, seed, logsSize, true));
      throw new LauncherError(`exit status 1 (the lab location '${env.loc.name}' is configured to fail task ${task})`);
    }
    for (const out of req.outputs) {
      ensureNotStopped(env);
      // The launcher writes the logs itself; the other outputs are the user code's to write.
      const written = out.name === EXECUTOR_LOGS || writesOutput(behaviour, out);
      const set = out.name === EXECUTOR_LOGS ? undefined : metricsMetadata(behaviour, out, outputSeed(seed, out.name));
      recorded.push(
        await recordOutput(env, out, seed, env.loc.behaviours.outputSize(call.path, out.name), written, set),
      );
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
