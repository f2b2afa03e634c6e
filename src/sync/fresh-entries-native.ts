// Fresh cache entries at a location running the next KFP (no ML Metadata), after a stage ran again with
// caching off for steps whose cached bytes were lost. The next driver computes no fingerprint for a task that
// opts out of caching (`next:backend/src/v2/driver/cache.go:91-93`), so the task that ran has none and is no
// cache answer. The entry is written on that task itself: its `cache_fingerprint` set to the key the driver
// computes there (`tasks:batchUpdate` updates only the fields it is given, `task_store.go:1047-1060`). The
// driver's lookup takes the newest SUCCEEDED task with the fingerprint (`task_store.go:895-932`, created
// time in seconds, then UUID), so the entry is read back, as the MLMD rows are (fresh-rows.ts).
import type { NativeBackend } from '../location/backend/native.js';
import type { ArtifactRecord } from '../location/backend/port.js';
import type { NativeTask } from '../location/native/client.js';
import { walkBackend, refOf } from '../observe/backend-walk.js';
import type { ArtifactRef } from '../pipeline/driver/types.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { HandoffError } from './export.js';

export interface NativeFreshRequest {
  backend: NativeBackend;
  /** The backend's API (the tasks of the run, and their updates). */
  api: {
    listTasks(runId: string): Promise<NativeTask[]>;
    updateTasks(runId: string, tasks: Record<string, NativeTask>): Promise<Record<string, NativeTask>>;
    findCached(namespace: string, fingerprint: string): Promise<NativeTask | undefined>;
    listArtifactTasks(filter: {
      taskId?: string;
    }): Promise<{ artifact_id: string; task_id: string; type?: string; key?: string }[]>;
  };
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  runId: string;
  /** Root tasks executed again with caching off. */
  steps: readonly string[];
  /** Root tasks the run walked (its layout's `runTasks`). */
  runTasks: readonly string[];
}

/** `path@iterations` of a task of the run, from its chain of parents up to the run's ROOT task. */
export function nativeTaskIdentities(tasks: readonly NativeTask[]): Map<string, string> {
  const byId = new Map(tasks.map((t) => [t.task_id ?? '', t]));
  const out = new Map<string, string>();
  for (const t of tasks) {
    if (t.type === 'ROOT' || !t.task_id) continue;
    const chain: NativeTask[] = [];
    let ok = false;
    for (let cur: NativeTask | undefined = t, guard = 0; cur && guard < 64; guard++) {
      if (cur.type === 'ROOT') {
        ok = true;
        break;
      }
      chain.unshift(cur);
      if (!cur.parent_task_id) break;
      cur = byId.get(cur.parent_task_id);
    }
    if (!ok) continue;
    const path = chain.map((x) => x.name ?? '');
    const iteration = chain.flatMap((x) =>
      x.type_attributes?.iteration_index !== undefined ? [Number(x.type_attributes.iteration_index)] : [],
    );
    out.set(t.task_id, identityOf(path, iteration));
  }
  return out;
}

function identityOf(path: readonly string[], iteration: readonly number[]): string {
  return `${path.join('/')}@${iteration.join(',')}`;
}

export async function writeFreshNativeEntries(req: NativeFreshRequest): Promise<number> {
  const { backend, api, runId } = req;
  const tasks = await api.listTasks(runId);
  const identity = nativeTaskIdentities(tasks);
  const fresh = new Set(req.steps);
  const entries: { task: NativeTask; fp: string }[] = [];
  const scope = await backend.cacheScope();
  const walk = await walkBackend(backend, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: req.runTasks,
    scope,
    override: async (call, fp) => {
      if (!fresh.has(call.path[0]!) || !fp) return undefined;
      const want = identityOf(call.path, call.iteration);
      const ran = tasks.filter(
        (t) => t.type === 'RUNTIME' && t.state === 'SUCCEEDED' && identity.get(t.task_id ?? '') === want,
      );
      if (ran.length !== 1)
        return {
          state: 'unavailable',
          reason: `run ${runId} has ${ran.length === 0 ? 'no' : ran.length} succeeded tasks of ${call.path.join('/')}`,
        };
      const task = ran[0]!;
      entries.push({ task, fp });
      return { state: 'succeeded', outputs: { parameters: parametersOf(task), artifacts: await outputsOf(req, task) } };
    },
  });
  for (const step of req.steps) {
    const a = walk.availability[step];
    if (!a?.available)
      throw new HandoffError(
        `cannot write fresh cache entries for ${step} at ${backend.location}: ${a?.reason ?? 'not walked'}`,
      );
  }
  const update: Record<string, NativeTask> = {};
  for (const { task, fp } of entries)
    if (task.cache_fingerprint !== fp)
      update[task.task_id!] = { task_id: task.task_id!, run_id: runId, cache_fingerprint: fp };
  if (Object.keys(update).length > 0) await api.updateTasks(runId, update);
  for (const { task, fp } of entries) {
    const answer = scope.namespace === undefined ? undefined : await api.findCached(scope.namespace, fp);
    if (answer?.task_id !== task.task_id)
      throw new HandoffError(
        `the fresh cache entry for fingerprint ${fp.slice(0, 12)} at ${backend.location} is not the one KFP finds: ` +
          `its lookup returns task ${answer?.task_id ?? '(none)'} instead of ${task.task_id} of run ${runId}`,
        {
          location: backend.location,
          advice:
            'KFP orders cached tasks by creation second, then by UUID, and another task with the same fingerprint ' +
            "was created in the same second as this run's: the next apply runs the stage again, and its task is newer",
        },
      );
  }
  return entries.length;
}

function parametersOf(task: NativeTask): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const p of task.outputs?.parameters ?? []) if (p.parameter_key) out[p.parameter_key] = p.value ?? null;
  return out;
}

/** The task's output artifacts as the driver passes them on: hydrated by the server, else from its OUTPUT links. */
async function outputsOf(req: NativeFreshRequest, task: NativeTask): Promise<Record<string, ArtifactRef[]>> {
  const out: Record<string, ArtifactRef[]> = {};
  const hydrated = task.outputs?.artifacts ?? [];
  if (hydrated.length > 0) {
    for (const io of hydrated)
      for (const a of io.artifacts ?? [])
        (out[io.artifact_key ?? ''] ??= []).push(refOf(req.backend.artifactRecord(a)));
    return out;
  }
  const links = (await req.api.listArtifactTasks({ taskId: task.task_id! })).filter(
    (l) => l.task_id === task.task_id && (l.type === 'OUTPUT' || l.type === 'ITERATOR_OUTPUT'),
  );
  const records: Map<string, ArtifactRecord> = await req.backend.artifacts(links.map((l) => l.artifact_id));
  for (const l of links) {
    const r = records.get(l.artifact_id);
    if (r) (out[l.key ?? ''] ??= []).push(refOf(r));
  }
  return out;
}
