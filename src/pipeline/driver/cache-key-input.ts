// The `CacheKeyInput` (src/pipeline/fingerprint) of a container or platform-op task, from its resolved
// executor input: `getFingerPrint` in `backend/src/v2/driver/cache.go` hashes the resolved inputs,
// the component's declared outputs, the executor's image, command and args (unresolved), and the
// names of the PVCs the task mounts. PVC names come from the kubernetes platform spec's `pvcMount`
// entries, resolved in the *parent DAG's* scope (`makeVolumeMountPatch` in driver/k8s.go, via
// `resolveInputParameterStr`), plus the run's workspace PVC when the task uses the workspace
// (`needsWorkspaceMount` in driver/driver.go).
import type { CacheKeyInput, OutputArtifactSpec } from '../fingerprint/index.js';
import type { PipelineGraph, TaskNode } from '../graph.js';
import type { IrTaskParameterInput, JsonObject } from '../ir.js';
import { WORKSPACE_MOUNT_PATH, WORKSPACE_VOLUME_NAME } from './placeholders.js';
import { resolveParameterSpec, type ResolveEnv } from './resolve.js';
import type { ResolvedInputs } from './types.js';

export type PvcNames = { ok: true; names: string[] } | { ok: false; error: string };

export function resolvePvcNames<D>(graph: PipelineGraph, node: TaskNode, env: ResolveEnv<D>): PvcNames {
  const config = node.executorLabel ? graph.platformExecutors[node.executorLabel] : undefined;
  const names: string[] = [];
  for (const mount of config?.pvcMount ?? []) {
    let spec: IrTaskParameterInput;
    if (mount.pvcNameParameter) spec = mount.pvcNameParameter;
    else if (mount.constant)
      spec = { runtimeValue: { constant: mount.constant } }; // deprecated fields
    else if (mount.taskOutputParameter) spec = { taskOutputParameter: mount.taskOutputParameter };
    else if (mount.componentInputParameter) spec = { componentInputParameter: mount.componentInputParameter };
    else return { ok: false, error: 'failed to make podSpecPatch: volume mount: volume name not provided' };
    const r = resolveParameterSpec(spec, node, env);
    if (!r.ok) return { ok: false, error: `failed to resolve pvc name: ${r.error}` };
    if (typeof r.value !== 'string')
      return { ok: false, error: `failed to resolve pvc name: expected a string but got ${JSON.stringify(r.value)}` };
    if (r.value === '') return { ok: false, error: 'failed to resolve pvc name: expected a non-empty string' };
    if (!mount.mountPath) return { ok: false, error: 'failed to mount volume, missing mountpath or pvc name' };
    names.push(r.value);
  }
  return { ok: true, names };
}

/** needsWorkspaceMount: a string input naming the workspace, or a first input artifact flagged as in it. */
export function needsWorkspaceMount(inputs: ResolvedInputs): boolean {
  for (const v of Object.values(inputs.parameters)) {
    if (typeof v === 'string' && (v.includes('{{$.workspace_path}}') || v.includes(WORKSPACE_MOUNT_PATH))) return true;
  }
  for (const refs of Object.values(inputs.artifacts)) {
    if (refs[0]?.metadata?._kfp_workspace === true) return true;
  }
  return false;
}

export function workspacePvcName(jobResourceName: string): string {
  return `${jobResourceName}-${WORKSPACE_VOLUME_NAME}`;
}

/** `publishLogs`: the location's `--publish_logs` flag; undefined leaves KFP's default (true). */
export function buildCacheKeyInput(
  node: TaskNode,
  inputs: ResolvedInputs,
  pvcNames: string[],
  platformOp: boolean,
  publishLogs?: boolean,
): CacheKeyInput {
  const container = node.executor!.container!;
  const outputArtifacts: Record<string, OutputArtifactSpec> = {};
  for (const [name, spec] of Object.entries(node.component.outputDefinitions?.artifacts ?? {})) {
    const out: OutputArtifactSpec = {};
    if (spec.artifactType) out.artifactType = spec.artifactType;
    // ArtifactSpec.metadata is not in ir.ts; provisionOutputs copies it into the output artifact.
    const metadata = (spec as { metadata?: JsonObject }).metadata;
    if (metadata !== undefined) out.metadata = metadata;
    outputArtifacts[name] = out;
  }
  const outputParameters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(node.component.outputDefinitions?.parameters ?? {})) {
    outputParameters[name] = spec.parameterType ?? 'PARAMETER_TYPE_ENUM_UNSPECIFIED';
  }
  const input: CacheKeyInput = {
    componentName: node.task.componentRef.name,
    inputArtifactIds: Object.fromEntries(
      Object.entries(inputs.artifacts).map(([k, refs]) => [k, refs.map((r) => r.id)]),
    ),
    inputParameterValues: { ...inputs.parameters },
    outputArtifacts,
    outputParameters,
    image: container.image,
    command: container.command ?? [],
    args: container.args ?? [],
    pvcNames,
  };
  if (node.cacheKey !== undefined) input.customCacheKey = node.cacheKey;
  // kubernetesPlatformOps run without a launcher, so the driver forces publish_logs to "false"
  // (2.17.0:backend/src/v2/driver/container.go:103-112); other tasks get the location's flag.
  if (platformOp) input.publishLogs = false;
  else if (publishLogs !== undefined) input.publishLogs = publishLogs;
  return input;
}
