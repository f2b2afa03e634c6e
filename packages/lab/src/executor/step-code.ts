// A container task's user code on a cache miss, shared by the lab's two executors: the ML Metadata
// launcher (launcher.ts, KFP 2.14–2.17) and the next KFP's native launcher (native/native-launcher.ts).
// What KFP's launcher does around the user code is the same in both (`Execute` in
// `backend/src/v2/component/launcher_v2.go`): every input downloaded first, the user code (here:
// reading its inputs, a configurable wait and failure, deterministic outputs, component-io.ts), then
// the outputs it wrote uploaded. How an output is recorded (an MLMD artifact, or a native artifact
// linked to its task) is the caller's `record`.
import { NotEmulatedError, type ArtifactRef, type ExecutableCall } from '../../../../src/pipeline/driver/index.js';
import type { ObjectStore } from '../../../../src/location/objectstore/index.js';
import type { JsonObject, JsonValue } from '../../../../src/pipeline/ir.js';
import { planLabArtifact } from './artifact-bytes.js';
import { downloadInput, LauncherError, uploadOutput, type DownloadedObject } from './artifact-io.js';
import { EXECUTOR_LOGS, type BehaviourBook } from './behaviour.js';
import { ComponentFailure, inputContent, metricsMetadata, readsInput, writesOutput } from './component-io.js';
import { ensureNotStopped, sleep, type ObjectsEnv } from './context.js';
import { outputParameterValue, outputSeed, taskSeed } from './output-values.js';
import type { ProvisionedOutput } from './outputs.js';

/** What the user code needs of a run: the location's store and behaviours, the pipeline root, the stop signal. */
export interface StepEnv extends ObjectsEnv {
  loc: { name: string; objects: ObjectStore; behaviours: BehaviourBook };
  signal: AbortSignal;
}

/**
 * Records one output: `written` says whether the user code wrote its bytes (the caller uploads them with
 * {@link uploadStepOutput}), `set` the metadata it set (metrics).
 */
export type RecordOutput<R> = (
  out: ProvisionedOutput,
  seed: string,
  size: number,
  written: boolean,
  set?: JsonObject,
) => Promise<R>;

export interface StepCodeResult<R> {
  recorded: R[];
  parameters: JsonObject;
}

/** Uploads the bytes the user code wrote for an output (deterministic from the task's seed). */
export async function uploadStepOutput(env: ObjectsEnv, out: ProvisionedOutput, seed: string, size: number) {
  await uploadOutput(
    env,
    out.name,
    out.uri,
    planLabArtifact(outputSeed(seed, out.name), out.uri.split('/').pop() ?? out.name, size),
  );
}

function outputParameters<D>(env: StepEnv, call: ExecutableCall<D>, seed: string): JsonObject {
  const configured = env.loc.behaviours.behaviourOf(call.path).parameters ?? {};
  const out: Record<string, JsonValue> = {};
  for (const [name, spec] of Object.entries(call.node.component.outputDefinitions?.parameters ?? {})) {
    out[name] =
      name in configured ? configured[name]! : outputParameterValue(outputSeed(seed, name), name, spec.parameterType);
  }
  return out;
}

/**
 * Runs the user code. Throws `LauncherError` when the task fails (after recording the logs into `failed`
 * once the user code ran, as the launcher's uploadOutputArtifacts does on failure), `NotEmulatedError`
 * or `RunStopped` as they come.
 */
export async function runStepCode<D, R>(
  env: StepEnv,
  call: ExecutableCall<D>,
  outputs: ProvisionedOutput[],
  record: RecordOutput<R>,
  failed: R[],
): Promise<StepCodeResult<R>> {
  const task = call.path.join('/');
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
  const logs = outputs.find((o) => o.name === EXECUTOR_LOGS);
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
    if (logs) failed.push(await record(logs, seed, logsSize, true));
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
    if (logs) failed.push(await record(logs, seed, logsSize, true));
    throw new LauncherError(`exit status 1 (the lab location '${env.loc.name}' is configured to fail task ${task})`);
  }
  const recorded: R[] = [];
  for (const out of outputs) {
    ensureNotStopped(env);
    // The launcher writes the logs itself; the other outputs are the user code's to write.
    const written = out.name === EXECUTOR_LOGS || writesOutput(behaviour, out);
    const set = out.name === EXECUTOR_LOGS ? undefined : metricsMetadata(behaviour, out, outputSeed(seed, out.name));
    recorded.push(await record(out, seed, env.loc.behaviours.outputSize(call.path, out.name), written, set));
  }
  return { recorded, parameters: outputParameters(env, call, seed) };
}
