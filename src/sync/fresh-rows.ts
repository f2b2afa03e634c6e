// After a stage ran again with caching off for steps whose cached bytes were lost, KFP wrote no
// cache rows for them (it only does when caching is on). Write them here, as KFP's launcher would
// have: the fingerprint KFP computes at this location, pointing at the new execution, owned by the
// new run. The newest row wins KFP's lookup (`created_at desc`), so the stale row stops mattering.
// The handoff writes its rows with the same function (writeNewestCacheRow).
import type { KfpClient } from '../location/kfp/index.js';
import type { Context, MlmdClient, Execution } from '../location/mlmd/index.js';
import { collectPages, fromStruct } from '../location/mlmd/index.js';
import {
  cachePipelineName,
  newestCacheRow,
  outputArtifactsOf,
  toRef,
  type LocationReaders,
  type OutputArtifact,
} from '../observe/cache-lookup.js';
import { walkCache } from '../observe/cache-walk.js';
import { cacheRowNamespace } from '../observe/driver-settings.js';
import type { ArtifactRef } from '../pipeline/driver/types.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { HandoffError } from './export.js';
import { callIdentity, executionIdentities } from '../observe/mlmd-run-record.js';

export { executionIdentities };

export async function writeFreshCacheRows(
  loc: LocationReaders & { kfpVersion: string },
  graph: PipelineGraph,
  parameters: Record<string, JsonValue>,
  runId: string,
  steps: string[],
  runTasks: string[],
): Promise<number> {
  const runContext = await loc.mlmd.getContextByTypeAndName('system.PipelineRun', runId);
  const executions = await runExecutions(loc.mlmd, runContext);
  const fresh = new Set(steps);
  const rows: { fp: string; executionId: number }[] = [];
  // Which container execution of this run answers a call: the one whose chain of parent DAGs, up to
  // the run's root DAG, names the same task path and loop iterations (as verify.ts finds root tasks).
  const identity = executionIdentities(executions, runId);
  // The outputs of every execution that can answer a fresh step, read up front with list calls
  // (two MLMD requests per 100 executions) rather than two per step during the walk.
  const answering = executions.filter(
    (e) =>
      e.type === 'system.ContainerExecution' &&
      e.lastKnownState === 'COMPLETE' &&
      fresh.has(identity.get(e.id!)?.split(/[/@]/)[0] ?? ''),
  );
  const outputArtifacts = await outputArtifactsOf(
    loc.mlmd,
    answering.map((e) => e.id!),
  );
  const walk = await walkCache(loc, {
    graph,
    parameters,
    rootTasks: runTasks,
    kfpVersion: loc.kfpVersion,
    override: async (call, fp) => {
      if (!fresh.has(call.path[0]!) || !fp) return undefined;
      const want = callIdentity(call.path, call.iteration);
      const candidates = executions.filter(
        (e) =>
          e.type === 'system.ContainerExecution' && e.lastKnownState === 'COMPLETE' && identity.get(e.id!) === want,
      );
      const exec = candidates[0];
      if (candidates.length > 1)
        return {
          state: 'unavailable',
          reason: `run ${runId} has ${candidates.length} completed executions of ${call.path.join('/')}`,
        };
      if (!exec)
        return { state: 'unavailable', reason: `run ${runId} has no completed execution of ${call.path.join('/')}` };
      rows.push({ fp, executionId: exec.id! });
      return { state: 'succeeded', outputs: outputsOf(exec, outputArtifacts.get(exec.id!) ?? []) };
    },
  });
  for (const step of steps) {
    const a = walk.availability[step];
    if (!a?.available)
      throw new HandoffError(`cannot write fresh cache rows for ${step} at ${loc.name}: ${a?.reason ?? 'not walked'}`);
  }
  // The namespace KFP's launcher writes rows with there (never '', which no driver looks up).
  const namespace = await cacheRowNamespace(loc, runContext);
  for (const r of rows)
    await writeNewestCacheRow(loc.kfp, {
      location: loc.name,
      pipelineName: graph.name,
      fingerprint: r.fp,
      executionId: r.executionId,
      runId,
      namespace,
    });
  return rows.length;
}

export interface CacheRowRequest {
  location: string;
  /** IR `pipelineInfo.name`. */
  pipelineName: string;
  fingerprint: string;
  executionId: number;
  /** The run that owns the row (deleting it deletes the row). */
  runId: string;
  namespace: string;
}

/**
 * Makes a row naming the execution the one KFP's driver finds: it lists `created_at desc` with page
 * size 1 (`2.17.0:backend/src/v2/cacheutils/cache.go:86-118`), `created_at` has seconds
 * (`apiserver/server/api_converter.go` toModelTask) and ties go to the row UUID, descending
 * (`apiserver/list/list.go` orders by the sort column, then the primary key), which nobody chooses.
 * So the row is made strictly newer than the newest one, whatever the clocks say, and read back.
 * Returns whether a row was written (false: the newest row already names the execution).
 */
export async function writeNewestCacheRow(kfp: KfpClient, r: CacheRowRequest): Promise<boolean> {
  const newest = await newestCacheRow(kfp, r.pipelineName, r.fingerprint, r.namespace);
  if (newest?.mlmdExecutionID === String(r.executionId)) return false;
  const newestSec = newest?.created_at ? Math.floor(Date.parse(newest.created_at) / 1000) : 0;
  const createdAt = new Date(Math.max(Math.floor(Date.now() / 1000), newestSec + 1) * 1000);
  await kfp.createTask({
    pipelineName: cachePipelineName(r.pipelineName),
    runId: r.runId,
    mlmdExecutionID: String(r.executionId),
    fingerprint: r.fingerprint,
    createdAt,
    finishedAt: createdAt,
    namespace: r.namespace,
  });
  const check = await newestCacheRow(kfp, r.pipelineName, r.fingerprint, r.namespace);
  if (check?.mlmdExecutionID !== String(r.executionId)) {
    throw new HandoffError(
      `the cache row for fingerprint ${r.fingerprint.slice(0, 12)} at ${r.location} is not the newest: ` +
        `KFP would still use execution ${check?.mlmdExecutionID} (created ${check?.created_at}); ` +
        'another run wrote a row for the same task meanwhile: apply again',
    );
  }
  return true;
}

async function runExecutions(mlmd: MlmdClient, ctx: Context | undefined): Promise<Execution[]> {
  if (ctx?.id === undefined) return [];
  return collectPages((t) =>
    mlmd.getExecutionsByContext(ctx.id!, { maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
  );
}

function outputsOf(exec: Execution, outputs: readonly OutputArtifact[]) {
  const artifacts: Record<string, ArtifactRef[]> = {};
  for (const { output, artifact } of outputs) (artifacts[output] ??= []).push(toRef(artifact));
  const o = exec.customProperties?.['outputs']?.structValue;
  return { parameters: o ? (fromStruct(o) as Record<string, JsonValue>) : {}, artifacts };
}
