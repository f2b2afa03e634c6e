// The cache key the KFP v2 driver builds for a container task, from what split-pipelines knows about
// the task. Mirrors `getFingerPrint` in `backend/src/v2/driver/cache.go`, which assembles the arguments
// of `GenerateCacheKey` (`backend/src/v2/cacheutils/cache.go`), and `provisionOutputs` in
// `backend/src/v2/driver/driver.go`, which decides what the output artifacts look like.

import { compareUtf8, toWellFormed } from './go-json.js';
import type { ArtifactTypeSchema, CacheKeyJson, CacheKeyRuntimeArtifact } from './generate-cache-key.js';
import { generateCacheKey } from './generate-cache-key.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { cacheKeyVariant, type CacheKeyVariant } from './kfp-version.js';

/** An output artifact as declared in the component's IR `outputDefinitions.artifacts.<name>`. */
export interface OutputArtifactSpec {
  artifactType?: ArtifactTypeSchema;
  /** IR `ArtifactSpec.metadata`; present means it is emitted in the key, even when `{}`. */
  metadata?: JsonObject;
}

/** Everything the driver feeds into a task's cache key. */
export interface CacheKeyInput {
  /** `task.componentRef.name`; prefixes a custom cache key. */
  componentName: string;
  /** `task.cachingOptions.cacheKey`; only honoured after KFP 2.17.0, and only when non-empty. */
  customCacheKey?: string;
  /** Input name → upstream MLMD artifact ids as decimal strings, in list order. */
  inputArtifactIds: Record<string, readonly string[]>;
  /** Resolved `executorInput.inputs.parameterValues` (defaults applied, placeholders resolved). */
  inputParameterValues: Record<string, JsonValue>;
  /** Output name → its IR declaration. */
  outputArtifacts: Record<string, OutputArtifactSpec>;
  /** Output name → `ParameterType` enum name from the IR (`STRING`, `NUMBER_DOUBLE`, …). */
  outputParameters: Record<string, string>;
  /** IR `deploymentSpec.executors.<label>.container.image`. */
  image: string;
  /** IR container `command`, placeholders unresolved. */
  command: readonly string[];
  /** IR container `args`, placeholders unresolved. */
  args: readonly string[];
  /** Claim names of the task's PVC mounts, plus the workspace PVC if used (KFP >= 2.15). */
  pvcNames?: readonly string[];
  /**
   * The location's `--publish_logs` (the API server's `PUBLISH_LOGS` env, passed to every driver:
   * `2.17.0:backend/src/v2/compiler/argocompiler/container.go:238-239`). Defaults to true (the flag's
   * default, `2.17.0:backend/src/v2/cmd/driver/main.go:102`, and the stock manifests' value). The
   * `argostub/createpvc` / `argostub/deletepvc` images never publish: the driver forces "false" for
   * them whatever the flag says (`2.17.0:backend/src/v2/driver/container.go:103-112`).
   */
  publishLogs?: boolean;
}

/** The output artifact the driver adds when logs are published (`provisionOutputs`). */
export const EXECUTOR_LOGS_OUTPUT = 'executor-logs';

/** Images the driver treats as Kubernetes platform ops with no launcher (`dummyImages`, driver/k8s.go). */
export const KUBERNETES_PLATFORM_OP_IMAGES: readonly string[] = ['argostub/createpvc', 'argostub/deletepvc'];

/**
 * The computed (automatic) cache key the driver would hash for this task on `kfpVersion`, in protojson
 * form. It is built even when a custom cache key will replace it; see `fingerprint.ts`.
 */
export function buildCacheKey(input: CacheKeyInput, kfpVersion: string | CacheKeyVariant): CacheKeyJson {
  const variant = typeof kfpVersion === 'string' ? cacheKeyVariant(kfpVersion) : kfpVersion;
  return generateCacheKey({
    inputArtifactNames: input.inputArtifactIds,
    inputParameterValues: input.inputParameterValues,
    outputArtifacts: provisionedOutputArtifacts(input, variant),
    outputParameterTypes: input.outputParameters,
    // getFingerPrint: command first, then args.
    cmdArgs: [...input.command, ...input.args],
    image: input.image,
    pvcNames: variant.pvcNames ? sortedUniquePvcNames(input.pvcNames ?? []) : undefined,
  });
}

/**
 * Whether the driver adds `executor-logs` for this input (see {@link CacheKeyInput.publishLogs}):
 * `provisionOutputs` compares the flag with the exact string "true" (`2.17.0:backend/src/v2/driver/driver.go:755`).
 */
export function publishesLogs(input: Pick<CacheKeyInput, 'publishLogs' | 'image'>): boolean {
  return (input.publishLogs ?? true) && !KUBERNETES_PLATFORM_OP_IMAGES.includes(input.image);
}

/**
 * `provisionOutputs`: one RuntimeArtifact per declared output with `Type` and `Metadata` copied from the
 * IR, `Name` = the output name from 2.15.0 on, and `executor-logs` (schemaTitle `system.Artifact`, no
 * version, no metadata) added, replacing any declared output of that name, when logs are published.
 */
function provisionedOutputArtifacts(
  input: CacheKeyInput,
  variant: CacheKeyVariant,
): Record<string, CacheKeyRuntimeArtifact> {
  const specs: Record<string, OutputArtifactSpec> = { ...input.outputArtifacts };
  if (publishesLogs(input)) specs[EXECUTOR_LOGS_OUTPUT] = { artifactType: { schemaTitle: 'system.Artifact' } };
  const out: Record<string, CacheKeyRuntimeArtifact> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const artifact: CacheKeyRuntimeArtifact = {};
    if (variant.outputArtifactNames) artifact.name = name;
    if (spec.artifactType !== undefined) artifact.type = spec.artifactType;
    if (spec.metadata !== undefined) artifact.metadata = spec.metadata;
    out[name] = artifact;
  }
  return out;
}

/** getFingerPrint: "Deduplicate PVC names and sort them" with Go's `sort.Strings` (byte order). */
export function sortedUniquePvcNames(pvcNames: readonly string[]): string[] {
  return [...new Set(pvcNames.map(toWellFormed))].sort(compareUtf8);
}
