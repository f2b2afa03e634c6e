// The import of a handoff bundle through the location backend port, the same for every backend that writes
// records one by one (the native API, the fakes), in the kill-safe order: the tasks opened under the marker run
// (found by global id, or created RUNNING without a fingerprint: no lookup finds them), the artifacts found by
// global id or created as outputs of their tasks (the next KFP creates no artifact without one), the target's
// fingerprints computed with the target's own artifact ids, then links, and the commit last (fingerprint and
// SUCCEEDED: from then on the target's driver finds the task).
import { createHash } from 'node:crypto';
import {
  globalIdFor,
  type ArtifactRecord,
  type ImportArtifact,
  type ImportTask,
  type LocationBackend,
  type OpenTask,
  type ProducedArtifact,
  type RecordWriter,
} from '../location/backend/port.js';
import { walkBackend, refOf } from '../observe/backend-walk.js';
import {
  OBJECTS_PROPERTY,
  recordedOutputsValue,
  type RecordedObject,
  type RecordedOutputs,
} from '../observe/cache-lookup.js';
import { taskRecordKey } from '../pipeline/driver/index.js';
import type { ArtifactRef, ExecutableCall, ImporterCall, VisitResult } from '../pipeline/driver/types.js';
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

function plain(props: JsonObject, drop: ReadonlySet<string>): JsonObject {
  return Object.fromEntries(Object.entries(props).filter(([k]) => !drop.has(k)));
}

function targetUriOf(a: BundleArtifact, root: string): string {
  return a.relativePath === undefined ? a.uri : `${root.replace(/\/+$/, '')}/${a.relativePath}`;
}

/** The artifact to create at the target: a launcher's loses the source's store session (MLMD's), an importer's keeps all. */
export function importArtifactOf(a: BundleArtifact, importer: boolean, root: string): ImportArtifact {
  const drop = importer ? new Set<string>() : new Set(['store_session_info', OBJECTS_PROPERTY]);
  return { globalId: a.globalId, type: a.type, uri: targetUriOf(a, root), metadata: plain(a.metadata, drop) };
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
  // The tasks first, RUNNING and without a fingerprint (no lookup finds them yet): the API creates an artifact
  // only as some task's output.
  const shells: OpenTask[] = bundle.executions.map((be) => {
    const recorded = recordOf(be, req);
    return {
      globalId: be.globalId,
      path: be.path,
      iteration: be.iteration,
      kind: be.kind,
      parameters: be.parameters,
      ...(recorded ? { recordedObjects: recorded } : {}),
      properties: plain(be.properties, SOURCE_ONLY),
    };
  });
  const opened = await backend.openTasks(req.markerRunId, shells);
  const producerOf = new Map<string, ProducedArtifact['producer']>();
  for (const be of bundle.executions)
    for (const o of be.outputs)
      if (!producerOf.has(o.artifact))
        producerOf.set(o.artifact, {
          taskId: opened.taskIds.get(be.globalId)!,
          output: o.name,
          ...(be.iteration.length > 0 ? { iteration: be.iteration[be.iteration.length - 1]! } : {}),
        });
  const create: ProducedArtifact[] = [];
  for (const a of bundle.artifacts) {
    // An importer's artifact is made from the target's own importer spec, during the walk below.
    if (records.has(a.globalId) || consumed.has(a.globalId) || importer.has(a.globalId)) continue;
    const producer = producerOf.get(a.globalId);
    if (!producer)
      throw new HandoffError(
        `artifact ${a.globalId} in the bundle from ${bundle.source.location} is no output of a handed-off step`,
        { location: backend.location },
      );
    create.push({ ...importArtifactOf(a, false, req.pipelineRoot), producer });
  }
  const created =
    create.length > 0 ? await backend.createArtifacts(req.markerRunId, create) : new Map<string, ArtifactRecord>();
  for (const [g, r] of created) records.set(g, r);
  const artifactIds = new Map([...records].map(([g, r]) => [g, r.id] as const));

  // An importer of a handed-off step: the artifact the target's importer would reuse, made by a task of the
  // marker run when it is not there yet (its global id cannot travel: the importer's artifact has no
  // description, so it is found as the importer finds it). Bundle artifacts of the same URI map to it.
  const importerTasks: ImportTask[] = [];
  const importerAtTarget = async (call: ExecutableCall<undefined>, imp: ImporterCall): Promise<VisitResult> => {
    const key = taskRecordKey(call.path, call.iteration);
    if (imp.reimport)
      return { state: 'unavailable', reason: `importer ${key} sets reimport, so every run creates a new artifact` };
    const shell: OpenTask = {
      globalId: globalIdFor(
        bundle.source.location,
        'execution',
        `importer-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`,
      ),
      path: call.path,
      iteration: call.iteration,
      kind: 'importer',
      parameters: {},
      properties: {},
    };
    const { taskIds } = await backend.openTasks(req.markerRunId, [shell]);
    const taskId = taskIds.get(shell.globalId)!;
    const found =
      (await backend.importerArtifact(imp, bundle.pipelineName)) ??
      (await backend.createImporterArtifact(req.markerRunId, imp, taskId));
    for (const a of bundle.artifacts)
      if (importer.has(a.globalId) && a.uri === found.uri) records.set(a.globalId, found);
    records.set(found.globalId, found);
    for (const [g, r] of records) if (r === found) artifactIds.set(g, found.id);
    importerTasks.push({ ...shell, outputs: [{ name: imp.outputName, artifact: found.globalId }], inputs: [] });
    opened.taskIds.set(shell.globalId, taskId);
    return { state: 'cached', outputs: { parameters: {}, artifacts: { [imp.outputName]: [refOf(found)] } } };
  };

  // Input links as the target's driver makes them: the producing task of each input (the bundle's, or the
  // producer the pipeline names), and the link type.
  const producedBy = new Map<string, { taskName: string; iteration?: number }>();
  for (const be of bundle.executions)
    for (const o of be.outputs)
      producedBy.set(o.artifact, {
        taskName: be.path[be.path.length - 1]!,
        ...(be.iteration.length > 0 ? { iteration: be.iteration[be.iteration.length - 1]! } : {}),
      });
  const inputLinks = new Map<string, ImportTask['inputs']>();

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
      if (call.importer) return importerAtTarget(call, call.importer);
      const key = taskRecordKey(call.path, call.iteration);
      const be = byKey.get(key);
      if (!be) return { state: 'unavailable', reason: `${key} is not in the bundle from ${bundle.source.location}` };
      if (fp) fingerprints.set(be.globalId, fp);
      const specs = call.node.task.inputs?.artifacts ?? {};
      inputLinks.set(
        be.globalId,
        be.inputs.map((i) => {
          const spec = specs[i.name];
          const made = i.artifacts.map((g) => producedBy.get(g)).find((p) => p !== undefined);
          const producerTask = spec?.taskOutputArtifact?.producerTask;
          const producer =
            made ??
            (producerTask ? { taskName: producerTask } : { taskName: call.path[call.path.length - 2] ?? 'ROOT' });
          return {
            ...i,
            type: spec?.componentInputArtifact !== undefined ? 'COMPONENT_INPUT' : 'TASK_OUTPUT_INPUT',
            producer,
          };
        }),
      );
      const artifacts: Record<string, ArtifactRef[]> = {};
      for (const o of be.outputs) {
        const r = records.get(o.artifact);
        if (!r) return { state: 'unavailable', reason: `artifact ${o.artifact} has no record at ${backend.location}` };
        (artifacts[o.name] ??= []).push(refOf(r));
      }
      return { state: 'cached', outputs: { parameters: be.parameters, artifacts } };
    },
  });
  for (const step of bundle.steps) {
    const a = walk.availability[step];
    if (!a?.available)
      throw new HandoffError(`cannot import ${step} at ${backend.location}: ${a?.reason ?? 'not walked'}`);
  }
  const tasks: ImportTask[] = shells.map((shell, i) => {
    const be = bundle.executions[i]!;
    const fp = fingerprints.get(be.globalId);
    return {
      ...shell,
      ...(fp ? { fingerprint: fp } : {}),
      outputs: be.outputs,
      inputs: inputLinks.get(be.globalId) ?? be.inputs,
    };
  });
  const written = await backend.writeTasks(
    {
      pipelineName: bundle.pipelineName,
      markerRunId: req.markerRunId,
      artifacts: create,
      consumedOnly: bundle.consumedOnly,
      tasks: [...importerTasks, ...tasks],
    },
    artifactIds,
    opened.taskIds,
  );
  return {
    artifactsCreated: created.size,
    tasksCreated: opened.created,
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
