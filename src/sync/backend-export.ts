// The export half of a handoff through the port: what a target needs to serve `steps` from its cache, read
// at any backend (src/sync/export.ts is the MLMD one; this one serves the native API and the fakes). The
// port's records are plain JSON, as the bundle is (src/sync/bundle.ts): metadata and parameters go in as they are.
import type { ArtifactRecord, LocationBackend } from '../location/backend/port.js';
import type { ObjectStore } from '../location/objectstore/index.js';
import { walkBackend } from '../observe/backend-walk.js';
import { parseRecordedOutputs, type RecordedObject } from '../observe/cache-lookup.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundleArtifact,
  type BundleExecution,
  type BundleObject,
  type HandoffBundle,
} from './bundle.js';
import { HandoffError } from './export.js';
import { objectsOf as listObjects, recordsOnlyArtifacts } from './export-objects.js';

export interface BackendExport {
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  steps: string[];
  splitPipeline: string;
  revision: string;
  kfpVersion: string;
  pipelineRoot: string;
  /** The objects of a carried artifact (the object store's listing); default: none listed. */
  objectsOf?: (a: ArtifactRecord) => Promise<BundleObject[]>;
  /**
   * The source's object store: the carried artifacts' objects are listed there (export-objects.ts, as the
   * MLMD export does), the bytes of every hit checked, and the handoff's records of earlier hops reused.
   */
  store?: ObjectStore;
  /** Outputs that travel as records only (src/plan/travel.ts): their objects are neither listed nor copied. */
  recordsOnly?: readonly { step: string; output: string }[];
  /** The location the bundle is for (air-gapped export), as in src/sync/export.ts. */
  target?: string;
}

export async function exportBundleWith(backend: LocationBackend, req: BackendExport): Promise<HandoffBundle> {
  const scope = await backend.cacheScope();
  const walk = await walkBackend(backend, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: req.steps,
    scope,
    ...(req.store ? { store: req.store } : {}),
  });
  for (const step of req.steps) {
    const a = walk.availability[step];
    if (!a?.available)
      throw new HandoffError(
        `cannot hand off ${step} from ${backend.location}: it is not available there (${a?.reason ?? 'not walked'})`,
      );
  }
  const wanted = new Set(req.steps);
  const records = new Map<string, ArtifactRecord>();
  const carried = new Set<string>();
  const executions: BundleExecution[] = [];
  const inputIds = new Set<string>();
  // Importers' artifacts: not carried (their data stays where it is), imported for the target's importer.
  const importerIds = new Set<string>();
  for (const e of walk.entries.values())
    if (wanted.has(e.call.path[0]!) && e.importerArtifact) {
      records.set(e.importerArtifact.id, e.importerArtifact);
      importerIds.add(e.importerArtifact.id);
    }
  for (const e of walk.entries.values()) {
    if (!wanted.has(e.call.path[0]!) || !e.answer?.hit) continue;
    for (const { artifact } of e.answer.artifacts) {
      records.set(artifact.id, artifact);
      carried.add(artifact.id);
    }
    for (const refs of Object.values(e.call.inputs.artifacts)) for (const r of refs) inputIds.add(r.id);
  }
  // What a handoff recorded here of the objects it wrote (an imported task's record), by artifact id.
  const recorded = new Map<string, RecordedObject[] | undefined>();
  const outputsByEntry: { path: readonly string[]; outputs: { name: string; id: string }[] }[] = [];
  for (const e of walk.entries.values()) {
    if (!wanted.has(e.call.path[0]!) || !e.answer?.hit) continue;
    const record = parseRecordedOutputs(e.answer.recordedObjects);
    for (const { output, artifact } of e.answer.artifacts)
      if (!recorded.has(artifact.id))
        recorded.set(artifact.id, record[output]?.find((r) => r.uri === artifact.uri)?.objects);
    outputsByEntry.push({
      path: e.call.path,
      outputs: e.answer.artifacts.map((o) => ({ name: o.output, id: o.artifact.id })),
    });
  }
  const recordsOnly = recordsOnlyArtifacts(req.graph, outputsByEntry, req.recordsOnly);
  const missing = [...inputIds].filter((id) => !records.has(id));
  for (const [id, r] of await backend.artifacts(missing)) records.set(id, r);
  const gid = (id: string): string => {
    const r = records.get(id);
    if (!r)
      throw new HandoffError(
        `artifact ${id} at ${backend.location} disappeared during the export; run the handoff again`,
      );
    return r.globalId;
  };
  for (const e of walk.entries.values()) {
    if (!wanted.has(e.call.path[0]!) || !e.answer?.hit) continue;
    const be: BundleExecution = {
      globalId: e.answer.task.globalId,
      kind: 'container',
      parameters: e.answer.parameters,
      properties: { task_name: e.call.path[e.call.path.length - 1]! },
      path: e.call.path,
      iteration: e.call.iteration,
      outputs: e.answer.artifacts.map((o) => ({ name: o.output, artifact: o.artifact.globalId })),
      inputs: Object.entries(e.call.inputs.artifacts).map(([name, refs]) => ({
        name,
        artifacts: refs.map((r) => gid(r.id)),
      })),
    };
    if (e.fingerprint) be.sourceFingerprint = e.fingerprint;
    executions.push(be);
  }
  const root = req.pipelineRoot.replace(/\/+$/, '');
  const listed = req.store
    ? await listObjects(
        req.store,
        backend.location,
        [...records]
          .filter(([id, r]) => carried.has(id) && r.uri.startsWith(`${root}/`) && !recordsOnly.has(id))
          .map(([id, r]) => ({ id, uri: r.uri, type: r.type })),
        recorded,
      )
    : new Map<string, BundleObject[]>();
  const artifacts: BundleArtifact[] = [];
  for (const [id, r] of records) {
    const ba: BundleArtifact = {
      globalId: r.globalId,
      type: r.type,
      uri: r.uri,
      metadata: r.metadata,
      objects: [],
    };
    if (!importerIds.has(id) && r.uri.startsWith(`${root}/`)) ba.relativePath = r.uri.slice(root.length + 1);
    if (carried.has(id) && ba.relativePath !== undefined)
      ba.objects = listed.get(id) ?? (req.objectsOf && !recordsOnly.has(id) ? await req.objectsOf(r) : []);
    if (recordsOnly.has(id) && ba.relativePath !== undefined) ba.travels = 'records';
    artifacts.push(ba);
  }
  artifacts.sort((x, y) => x.globalId.localeCompare(y.globalId));
  const carriedGids = new Set([...carried].map(gid));
  const importerGids = new Set([...importerIds].map(gid));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: req.splitPipeline,
    revision: req.revision,
    pipelineName: req.graph.name,
    source: { location: backend.location, kfpVersion: req.kfpVersion, pipelineRoot: req.pipelineRoot },
    ...(req.target !== undefined ? { target: req.target } : {}),
    steps: req.graph.rootOrder.filter((k) => wanted.has(k)),
    executions,
    artifacts,
    consumedOnly: artifacts
      .filter((a) => !carriedGids.has(a.globalId) && !importerGids.has(a.globalId))
      .map((a) => a.globalId),
    importerArtifacts: [...importerGids],
    createdAt: new Date().toISOString(),
    bytesIncluded: false,
  };
}
