// The cache key and fingerprint of the next KFP's driver: the release without ML Metadata
// (kubeflow/pipelines #13986, commit 6585b5143d, "next" below). Sources and line numbers are in
// docs/research/kfp-next-cache.md. What changed against 2.18's key (`cache-key.ts`, `fingerprint.ts`):
// - an input artifact enters `inputArtifactNames` as its `artifact_id`, the API server's own artifact id,
//   and as its `name` only when it has none (next:backend/src/v2/cacheutils/cache.go:52-62);
// - the driver appends `__kfp_pipeline_name=<pipeline name>` after command and args, because the lookup
//   is namespace-wide and carries no pipeline name (next:backend/src/v2/driver/cache.go:53-58);
// - the custom key, PVC names, output names and `executor-logs` are as in 2.18
//   (next:backend/src/v2/driver/cache.go:39-48,60-70; next:backend/src/v2/driver/driver.go:713,735).

import { buildCacheKey, type CacheKeyInput } from './cache-key.js';
import { cacheKeyFingerprint, customCacheKeyFingerprint } from './fingerprint.js';
import type { CacheKeyJson } from './generate-cache-key.js';
import { cacheKeyVariant, NEXT_KFP_RELEASE } from './kfp-version.js';

/** Everything the next driver feeds into a task's cache key. */
export interface NextCacheKeyInput extends CacheKeyInput {
  /**
   * Input name → the upstream artifacts' ids in the location's native artifact API (`Artifact.artifact_id`),
   * in list order. Not MLMD ids: the next KFP has none. For an input of several metric artifacts the
   * driver merges them into one carrying the first id (next:backend/src/v2/driver/container.go:673-724):
   * pass that one id.
   */
  inputArtifactIds: Record<string, readonly string[]>;
  /** The driver's `--pipeline_name` (`opts.PipelineName`): the pipeline's name as the run carries it. */
  pipelineName: string;
}

/** The argument the next driver appends to command and args so that pipelines do not share cache entries. */
export function pipelineNameArg(pipelineName: string): string {
  return `__kfp_pipeline_name=${pipelineName}`;
}

/** The computed cache key of the next driver, in protojson form (built even when a custom key replaces it). */
export function nextCacheKey(input: NextCacheKeyInput): CacheKeyJson {
  return buildCacheKey(
    { ...input, args: [...input.args, pipelineNameArg(input.pipelineName)] },
    cacheKeyVariant(NEXT_KFP_RELEASE),
  );
}

/**
 * The fingerprint the next driver sends as `cache_fingerprint` to `tasks:findCached` and stores on the
 * task it creates (hex SHA-256). A non-empty custom key replaces everything, pipeline name included.
 */
export function nextFingerprint(input: NextCacheKeyInput): string {
  if (input.customCacheKey !== undefined && input.customCacheKey !== '') {
    return customCacheKeyFingerprint(input.componentName, input.customCacheKey);
  }
  return cacheKeyFingerprint(nextCacheKey(input));
}

/** An input `RuntimeArtifact` as the next driver resolves it: the native id when the API gave one. */
export interface NextInputArtifactRef {
  artifactId?: string;
  name?: string;
}

/** How `GenerateCacheKey` names an input artifact in the key: `artifact_id` when non-empty, else `name`. */
export function inputArtifactIdentity(artifact: NextInputArtifactRef): string {
  return artifact.artifactId !== undefined && artifact.artifactId !== '' ? artifact.artifactId : (artifact.name ?? '');
}
