// The import of a handoff bundle through the location backend port, the same for every backend that writes
// records one by one (the native API, the fakes), in the kill-safe order — artifacts found by global id or created, the target's
// fingerprints computed with the target's own artifact ids, then tasks, links and cache entries last.
import type {
  ArtifactRecord,
  ImportArtifact,
  ImportTask,
  LocationBackend,
  RecordWriter,
} from '../location/backend/port.js';
import { fromStruct, plainValue } from '../location/mlmd/index.js';
import { walkBackend, refOf } from '../observe/backend-walk.js';
import {
  OBJECTS_PROPERTY,
  recordedOutputsValue,
  type RecordedObject,
  type RecordedOutputs,
} from '../observe/cache-lookup.js';
import { taskRecordKey } from '../pipeline/driver/index.js';
import type { ArtifactRef } from '../pipeline/driver/types.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonObject, JsonValue } from '../pipeline/ir.js';
import type { BundleArtifact, BundleExecution, HandoffBundle } from './bundle.js';
import { HandoffError } from './export.js';
import { SOURCE_ONLY as SOURCE_ONLY_PROPERTIES } from './import-metadata.js';

export interface BundleImport {
  bundle: HandoffBundle;
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  markerRunId: string;
  /** The target's pipeline root (URIs of carried artifacts are placed under it). */
  pipelineRoot: string;
  /** The objects the byte phase wrote, by artifact global id. */
  digests?: Map<string, RecordedObject[]>;
}

/** A backend that imports a whole bundle itself (ML Metadata: src/sync/import-metadata.ts). */
export interface BundleImporter {
  importBundle(req: BundleImport): Promise<BundleImportResult>;
}

export interface BundleImportResult {
  artifactsCreated: number;
  tasksCreated: number;
  cacheEntriesCreated: number;
  tasks: { globalId: string; key: string; taskId: string; fingerprint: string }[];
}

/**
 * Properties that name things at the source (import-metadata's list), and the handoff's own
 * bookkeeping, which an imported record does not keep.
 */
const SOURCE_ONLY = new Set([...SOURCE_ONLY_PROPERTIES, 'outputs', OBJECTS_PROPERTY]);

function plain(props: BundleExecution['customProperties'], drop: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(props)) {
    if (drop.has(k)) continue;
    const pv = plainValue(v);
    if (pv !== undefined) out[k] = pv;
  }
  return out;
}

function targetUriOf(a: BundleArtifact, root: string): string {
  return a.relativePath === undefined ? a.uri : `${root.replace(/\/+$/, '')}/${a.relativePath}`;
}

/** The artifact to create at the target: a launcher's loses the source's store session (MLMD's), an importer's keeps all. */
export function importArtifactOf(a: BundleArtifact, importer: boolean, root: string): ImportArtifact {
  const drop = importer ? new Set<string>() : new Set(['store_session_info', OBJECTS_PROPERTY]);
  return { globalId: a.globalId, type: a.type, uri: targetUriOf(a, root), metadata: plain(a.customProperties, drop) };
}

/** The handoff's record of the objects it wrote for the outputs of one execution (cache-lookup.ts OBJECTS_PROPERTY). */
function recordOf(be: BundleExecution, req: BundleImport): string | undefined {
  const record: RecordedOutputs = {};
  for (const o of be.outputs) {
    const a = req.bundle.artifacts.find((x) => x.globalId === o.artifact);
    if (!a || a.relativePath === undefined) continue;
    const written = req.digests?.get(a.globalId) ?? [];
    if (a.objects.length > 0 && (written.length !== a.objects.length || !written.every((w) => w.sha256 || w.etag)))
      continue;
    (record[o.name] ??= []).push({
      uri: targetUriOf(a, req.pipelineRoot),
      objects: a.objects.length === 0 ? [] : written,
      ...(a.travels === 'records' ? { travels: 'records' as const } : {}),
    });
  }
  return Object.keys(record).length > 0 ? recordedOutputsValue(record) : undefined;
}

/** Imports a bundle through a backend that writes records one by one (the order is in the file's header). */
export async function importBundleWith(
  backend: LocationBackend & RecordWriter,
  req: BundleImport,
): Promise<BundleImportResult> {
  const { bundle } = req;
  const scope = await backend.cacheScope();
  const records = await backend.findArtifacts(bundle.artifacts.map((a) => a.globalId));
  const missingConsumed = bundle.consumedOnly.filter((g) => !records.has(g));
  if (missingConsumed.length > 0)
    throw new HandoffError(
      `${backend.location} lacks artifacts the handed-off steps consumed (${missingConsumed.join(', ')}): hand off the steps that produced them first`,
    );
  const importer = new Set(bundle.importerArtifacts);
  const consumed = new Set(bundle.consumedOnly);
  const create = bundle.artifacts
    .filter((a) => !records.has(a.globalId) && !consumed.has(a.globalId))
    .map((a) => importArtifactOf(a, importer.has(a.globalId), req.pipelineRoot));
  const created = create.length > 0 ? await backend.createArtifacts(create) : new Map<string, ArtifactRecord>();
  for (const [g, r] of created) records.set(g, r);
  const artifactIds = new Map([...records].map(([g, r]) => [g, r.id] as const));

  // The target's fingerprints: its driver keys inputs by its own artifact ids.
  const byKey = new Map(bundle.executions.map((e) => [taskRecordKey(e.path, e.iteration), e]));
  const handed = new Set(bundle.steps);
  const fingerprints = new Map<string, string>();
  const walk = await walkBackend(backend, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: bundle.steps,
    scope,
    override: async (call, fp) => {
      if (!handed.has(call.path[0]!)) return undefined;
      const key = taskRecordKey(call.path, call.iteration);
      const be = byKey.get(key);
      if (!be) return { state: 'unavailable', reason: `${key} is not in the bundle from ${bundle.source.location}` };
      if (fp) fingerprints.set(be.globalId, fp);
      const artifacts: Record<string, ArtifactRef[]> = {};
      for (const o of be.outputs) {
        const r = records.get(o.artifact);
        if (!r) return { state: 'unavailable', reason: `artifact ${o.artifact} has no record at ${backend.location}` };
        (artifacts[o.name] ??= []).push(refOf(r));
      }
      return { state: 'cached', outputs: { parameters: parametersOf(be), artifacts } };
    },
  });
  for (const step of bundle.steps) {
    const a = walk.availability[step];
    if (!a?.available)
      throw new HandoffError(`cannot import ${step} at ${backend.location}: ${a?.reason ?? 'not walked'}`);
  }
  const tasks: ImportTask[] = bundle.executions.map((be) => {
    const fp = fingerprints.get(be.globalId);
    const recorded = recordOf(be, req);
    return {
      globalId: be.globalId,
      path: be.path,
      iteration: be.iteration,
      kind: be.type === 'system.ImporterExecution' ? 'importer' : 'container',
      ...(fp ? { fingerprint: fp } : {}),
      parameters: parametersOf(be),
      outputs: be.outputs,
      inputs: be.inputs,
      ...(recorded ? { recordedObjects: recorded } : {}),
      properties: plain(be.customProperties, SOURCE_ONLY),
    };
  });
  const written = await backend.writeTasks(
    {
      pipelineName: bundle.pipelineName,
      markerRunId: req.markerRunId,
      artifacts: create,
      consumedOnly: bundle.consumedOnly,
      tasks,
    },
    artifactIds,
  );
  return {
    artifactsCreated: created.size,
    tasksCreated: written.tasksCreated,
    cacheEntriesCreated: written.cacheEntriesCreated,
    tasks: tasks.flatMap((t) =>
      t.fingerprint
        ? [
            {
              globalId: t.globalId,
              key: taskRecordKey(t.path, t.iteration),
              taskId: written.taskIds.get(t.globalId)!,
              fingerprint: t.fingerprint,
            },
          ]
        : [],
    ),
  };
}

function parametersOf(be: BundleExecution): Record<string, JsonValue> {
  const s = be.customProperties['outputs']?.structValue;
  return s ? fromStruct(s) : {};
}
