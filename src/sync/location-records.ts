// What a handoff and an apply write or read of a location's run metadata as a whole, whichever backend keeps it:
// the export of a bundle, its import, the fresh cache entries of a step run again. The only place in sync that
// knows the backends (src/observe/location-backend.ts is the same for observation): ML Metadata and the task
// table through src/sync/export.ts, import-metadata.ts and fresh-rows.ts; the next KFP through the port's
// native backend (backend-export.ts, backend-import.ts, fresh-entries-native.ts). The bundle between them is
// the same plain JSON, so any export imports at any location.
import { backendKindOf, nativeBackendOf, type BackendReaders } from '../observe/location-backend.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import type { RecordedObject } from '../observe/cache-lookup.js';
import { walkBackend } from '../observe/backend-walk.js';
import { exportBundleWith, type BackendExport } from './backend-export.js';
import { importBundleWith } from './backend-import.js';
import type { HandoffBundle } from './bundle.js';
import { exportHandoff } from './export.js';
import { writeFreshNativeEntries } from './fresh-entries-native.js';
import { writeFreshCacheRows } from './fresh-rows.js';
import { importMetadata } from './import-metadata.js';

/** The source of an export: a location's readers, whichever backend keeps its records. */
export interface ExportSource extends BackendReaders {
  kfpVersion: string;
  pipelineRoot: string;
}

export type ExportAtRequest = Omit<BackendExport, 'kfpVersion' | 'pipelineRoot' | 'store' | 'objectsOf'>;

/**
 * The export half of a handoff at any location: through the port at a location running the next KFP, through
 * ML Metadata and the task table (src/sync/export.ts) elsewhere. The same bundle either way, so an import at
 * either kind of location takes it.
 */
export async function exportAt(source: ExportSource, req: ExportAtRequest): Promise<HandoffBundle> {
  if ((await backendKindOf(source)) === 'native')
    return exportBundleWith(nativeBackendOf(source), {
      ...req,
      kfpVersion: source.kfpVersion,
      pipelineRoot: source.pipelineRoot,
      store: source.store,
    });
  return exportHandoff({ ...req, source });
}

/** A location that imports: its readers, version and pipeline root. */
export interface ImportTarget extends BackendReaders {
  kfpVersion: string;
  pipelineRoot: string;
}

export interface ImportAtRequest {
  bundle: HandoffBundle;
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  /** The handoff's marker run at the target (owns what is imported). */
  markerRunId: string;
  /** The objects the byte phase wrote, by artifact global id. */
  digests?: Map<string, RecordedObject[]>;
}

export interface ImportAtResult {
  artifactsCreated: number;
  executionsCreated: number;
  cacheRowsCreated: number;
  /** The imported tasks with a cache entry: the target's id of each (ML Metadata: an execution id; native: a task id). */
  executions: { key: string; executionId: number | string; fingerprint: string }[];
}

/** The import half of a handoff, in the target's own records (the kill-safe order is each importer's). */
export async function importAt(target: ImportTarget, req: ImportAtRequest): Promise<ImportAtResult> {
  if ((await backendKindOf(target)) === 'native') {
    const r = await importBundleWith(nativeBackendOf(target), {
      ...req,
      pipelineRoot: target.pipelineRoot,
    });
    return {
      artifactsCreated: r.artifactsCreated,
      executionsCreated: r.tasksCreated,
      cacheRowsCreated: r.cacheEntriesCreated,
      executions: r.tasks.map((t) => ({ key: t.key, executionId: t.taskId, fingerprint: t.fingerprint })),
    };
  }
  const r = await importMetadata({ ...req, target });
  return {
    artifactsCreated: r.artifactsCreated,
    executionsCreated: r.executionsCreated,
    cacheRowsCreated: r.cacheRowsCreated,
    executions: r.executions.map(({ key, executionId, fingerprint }) => ({ key, executionId, fingerprint })),
  };
}

export interface FreshEntriesRequest {
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  /** The run that executed `steps` again with caching off. */
  runId: string;
  steps: string[];
  /** Root tasks the run walked (its layout's `runTasks`). */
  runTasks: string[];
}

/**
 * The cache entries KFP did not write for steps run again with caching off (ML Metadata: cache rows of the task
 * table; the next KFP: the fingerprint on the task that ran). Returns how many, and the word for them there.
 */
export async function writeFreshEntriesAt(
  loc: ImportTarget,
  req: FreshEntriesRequest,
): Promise<{ written: number; what: string }> {
  if ((await backendKindOf(loc)) === 'native') {
    const written = await writeFreshNativeEntries({
      ...req,
      backend: nativeBackendOf(loc),
      api: loc.native!,
    });
    return { written, what: 'fresh cache entries' };
  }
  const written = await writeFreshCacheRows(loc, req.graph, req.parameters, req.runId, req.steps, req.runTasks);
  return { written, what: 'fresh cache rows' };
}

/**
 * Before a stage runs again with caching off at a location running the next KFP: its driver answers a lookup
 * with the newest SUCCEEDED task by creation second, then by random UUID (`task_store.go:895-932`), so the
 * task the run makes must come in a later second than the answer there now (the stale one, whose bytes were
 * lost), or it wins only half the time. Waits, at most a second, until that second has passed (the location's
 * clock is taken to agree with this one; writeFreshEntriesAt reads the lookup back either way). Nothing to do
 * at ML Metadata, whose fresh rows are written strictly newer (fresh-rows.ts).
 */
export async function beforeRunAgainAt(loc: ImportTarget, req: Omit<FreshEntriesRequest, 'runId'>): Promise<void> {
  if ((await backendKindOf(loc)) !== 'native') return;
  const backend = nativeBackendOf(loc);
  const walk = await walkBackend(backend, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: req.runTasks,
    scope: await backend.cacheScope(),
  });
  const again = new Set(req.steps);
  let newest = -1;
  for (const e of walk.entries.values()) {
    if (!again.has(e.call.path[0]!) || !e.answer?.hit || !e.answer.createdAt) continue;
    const ms = Date.parse(e.answer.createdAt);
    if (!Number.isNaN(ms)) newest = Math.max(newest, Math.floor(ms / 1000));
  }
  if (newest < 0) return;
  const wait = (newest + 1) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
