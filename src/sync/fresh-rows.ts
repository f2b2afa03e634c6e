// After a stage ran again with caching off for steps whose cached bytes were lost, KFP wrote no
// cache rows for them (it only does when caching is on). Write them here, as KFP's launcher would
// have: the fingerprint KFP computes at this location, pointing at the new execution, owned by the
// new run. The newest row wins KFP's lookup (`created_at desc`), so the stale row stops mattering.
import type { MlmdClient, Execution } from '../location/mlmd/index.js';
import { collectPages, fromStruct } from '../location/mlmd/index.js';
import { cachePipelineName, newestCacheRow, toRef, type LocationReaders } from '../observe/cache-lookup.js';
import { walkCache } from '../observe/cache-walk.js';
import type { ArtifactRef } from '../pipeline/driver/types.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { HandoffError } from './export.js';

export async function writeFreshCacheRows(
  loc: LocationReaders & { kfpVersion: string },
  graph: PipelineGraph,
  parameters: Record<string, JsonValue>,
  runId: string,
  steps: string[],
  runTasks: string[],
): Promise<number> {
  const executions = await runExecutions(loc.mlmd, runId);
  const fresh = new Set(steps);
  const rows: { fp: string; executionId: number }[] = [];
  // Which container execution of this run answers a call: same task name under the same root task
  // and the same loop iteration.
  const walk = await walkCache(loc, {
    graph,
    parameters,
    rootTasks: runTasks,
    kfpVersion: loc.kfpVersion,
    override: async (call, fp) => {
      if (!fresh.has(call.path[0]!) || !fp) return undefined;
      const taskName = call.path[call.path.length - 1]!;
      const candidates = executions.filter(
        (e) =>
          e.customProperties?.['task_name']?.stringValue === taskName &&
          e.lastKnownState === 'COMPLETE' &&
          (call.iteration.length === 0 || e.customProperties?.['iteration_index']?.intValue === call.iteration[call.iteration.length - 1]),
      );
      const exec = candidates[0];
      if (!exec) return { state: 'unavailable', reason: `run ${runId} has no completed execution of ${call.path.join('/')}` };
      rows.push({ fp, executionId: exec.id! });
      return { state: 'succeeded', outputs: await outputsOf(loc.mlmd, exec) };
    },
  });
  for (const step of steps) {
    const a = walk.availability[step];
    if (!a?.available) throw new HandoffError(`cannot write fresh cache rows for ${step} at ${loc.name}: ${a?.reason ?? 'not walked'}`);
  }
  const namespace = loc.namespace ?? (await runNamespace(loc.mlmd, runId)) ?? '';
  for (const r of rows) {
    // Newest row wins, at one-second resolution: the row must be strictly newer than the stale one.
    const newest = await newestCacheRow(loc.kfp, graph.name, r.fp, namespace);
    if (newest?.mlmdExecutionID === String(r.executionId)) continue;
    const staleMs = newest?.created_at ? Date.parse(newest.created_at) : 0;
    const createdAt = new Date(Math.max(Date.now(), staleMs + 1000));
    await loc.kfp.createTask({ pipelineName: cachePipelineName(graph.name), runId, mlmdExecutionID: String(r.executionId), fingerprint: r.fp, createdAt, finishedAt: createdAt, namespace });
    const check = await newestCacheRow(loc.kfp, graph.name, r.fp, namespace);
    if (check?.mlmdExecutionID !== String(r.executionId)) {
      throw new HandoffError(`the fresh cache row for fingerprint ${r.fp.slice(0, 12)} at ${loc.name} is not the newest: KFP would still use execution ${check?.mlmdExecutionID} (created ${check?.created_at})`);
    }
  }
  return rows.length;
}

async function runExecutions(mlmd: MlmdClient, runId: string): Promise<Execution[]> {
  const ctx = await mlmd.getContextByTypeAndName('system.PipelineRun', runId);
  if (ctx?.id === undefined) return [];
  return collectPages((t) => mlmd.getExecutionsByContext(ctx.id!, { maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }));
}

async function runNamespace(mlmd: MlmdClient, runId: string): Promise<string | undefined> {
  return (await mlmd.getContextByTypeAndName('system.PipelineRun', runId))?.customProperties?.['namespace']?.stringValue;
}

async function outputsOf(mlmd: MlmdClient, exec: Execution) {
  const events = (await mlmd.getEventsByExecutionIDs([exec.id!])).filter((e) => e.type === 'OUTPUT');
  const arts = events.length ? await mlmd.getArtifactsByID(events.map((e) => e.artifactId!)) : [];
  const byId = new Map(arts.map((a) => [a.id!, a]));
  const artifacts: Record<string, ArtifactRef[]> = {};
  for (const e of events) {
    const a = byId.get(e.artifactId!);
    const name = e.path?.steps?.[0]?.key;
    if (a && name !== undefined) (artifacts[name] ??= []).push(toRef(a));
  }
  const o = exec.customProperties?.['outputs']?.structValue;
  return { parameters: o ? (fromStruct(o) as Record<string, JsonValue>) : {}, artifacts };
}
