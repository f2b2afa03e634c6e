// The driver's cache path: fingerprint and task-table lookup (`getFingerPrintsAndID` in
// `backend/src/v2/driver/cache.go`, `GetExecutionCache` in `backend/src/v2/cacheutils/cache.go`),
// reusing a cached execution's outputs (`reuseCachedOutputs`), and the row the launcher writes after
// a successful run (`launcher_v2.go` Execute).
import type { JsonObject } from '../../../../src/pipeline/ir.js';
import { fromStruct, type Artifact } from '../../../../src/location/mlmd/index.js';
import { fingerprint, type CacheKeyInput } from '../../../../src/pipeline/fingerprint/index.js';
import type { RunEnv } from './context.js';
import type { OutputArtifact } from './kfp-metadata.js';

export interface CacheDecision {
  /** Set when the task's fingerprint was computed (caching on, server and task). */
  fingerprint?: string;
  /** The newest matching row's MLMD execution id: a cache hit. */
  cachedExecutionId?: string;
}

/** KFP 2.17.0 always scopes rows to "pipeline/<pipelineInfo.name>" ("TODO how to differentiate
 * between shared pipeline and namespaced pipeline"), in the namespace its pods run in. */
export function cachePipelineName(env: RunEnv): string {
  return `pipeline/${env.graph.name}`;
}

export function lookupCache(env: RunEnv, cachingEnabled: boolean, input: CacheKeyInput): CacheDecision {
  if (!env.loc.cacheEnabled || !cachingEnabled) return {};
  const fp = fingerprint(input, env.loc.kfpVersion);
  const [row] = env.loc.store.listTasks({
    fingerprint: fp,
    pipelineName: cachePipelineName(env),
    namespace: env.namespace,
  });
  return row ? { fingerprint: fp, cachedExecutionId: row.mlmdExecutionID } : { fingerprint: fp };
}

export interface ReusedOutputs {
  parameters: JsonObject;
  artifacts: OutputArtifact[];
  byName: Map<string, Artifact>;
}

/**
 * `reuseCachedOutputs` (2.17.0:backend/src/v2/driver/cache.go:56-78, the same at 2.14.0:55-77): the
 * cached execution through `GetExecution`, so its contexts are checked (at most one pipeline and one
 * run context, kfp-metadata.ts getPipelineFromExecution); its `outputs`; then
 * `collectOutputArtifactMetadataFromCache` (cache.go:33-54): every output artifact the current task
 * provisions (`executor-logs` included when its logs are published) needs an OUTPUT event of that
 * name on the cached execution. The cached execution's state is not looked at.
 */
export async function reuseCachedOutputs(
  env: RunEnv,
  cachedExecutionId: string,
  outputNames: string[],
): Promise<ReusedOutputs> {
  const id = Number(cachedExecutionId);
  if (!/^-?\d+$/.test(cachedExecutionId) || !Number.isSafeInteger(id)) {
    throw new Error(`failure while transferring cachedMLMDExecutionID ${cachedExecutionId} from string to int64`);
  }
  let execution;
  try {
    execution = await env.md.getExecution(id);
  } catch (err) {
    throw new Error(
      `failure while getting execution of cachedMLMDExecutionID ${id}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const outputs = execution.customProperties?.outputs?.structValue;
  let byName: Map<string, Artifact>;
  try {
    byName = await env.md.outputArtifactsOf(id);
  } catch (err) {
    const reason = `failed to get MLMDOutputArtifactsByName by executionId ${id}: ${err instanceof Error ? err.message : String(err)}`;
    throw new Error(`failed collect output artifact metadata from cache: ${reason}`, { cause: err });
  }
  const artifacts: OutputArtifact[] = [];
  for (const name of outputNames) {
    const artifact = byName.get(name);
    if (!artifact) {
      throw new Error(
        `failed collect output artifact metadata from cache: unable to find artifact with name ${name} in mlmd output artifacts`,
      );
    }
    artifacts.push({ name, artifact });
  }
  return { parameters: outputs ? fromStruct(outputs) : {}, artifacts, byName };
}

/** `CreateExecutionCache`: the row that makes later runs a cache hit. */
export function writeCacheRow(env: RunEnv, executionId: number, fp: string, startedSec: number): void {
  env.loc.store.createTask({
    pipelineName: cachePipelineName(env),
    namespace: env.namespace,
    runId: env.run.runId,
    mlmdExecutionID: String(executionId),
    createdAt: startedSec,
    finishedAt: Math.floor(Date.now() / 1000),
    fingerprint: fp,
  });
}
