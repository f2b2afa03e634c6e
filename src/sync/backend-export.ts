// The export half of a handoff through the port: what a target needs to serve `steps` from its cache, read
// at any backend (src/sync/export.ts is the MLMD one; this one serves the native API and the fakes). The
// bundle keeps today's format (src/sync/bundle.ts, whose properties are still MLMD-shaped values): the port's
// JSON metadata and parameters are written into it with the same encoding MLMD uses (values.ts).
import type { ArtifactRecord, LocationBackend } from '../location/backend/port.js';
import { metadataValue, toStruct, type Properties } from '../location/mlmd/index.js';
import { walkBackend } from '../observe/backend-walk.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonObject, JsonValue } from '../pipeline/ir.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundleArtifact,
  type BundleExecution,
  type BundleObject,
  type HandoffBundle,
} from './bundle.js';
import { HandoffError } from './export.js';

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
}

function properties(o: JsonObject): Properties {
  const out: Properties = {};
  for (const [k, v] of Object.entries(o)) {
    const mv = metadataValue(v);
    if (mv) out[k] = mv;
  }
  return out;
}

export async function exportBundleWith(backend: LocationBackend, req: BackendExport): Promise<HandoffBundle> {
  const scope = await backend.cacheScope();
  const walk = await walkBackend(backend, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: req.steps,
    scope,
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
  for (const e of walk.entries.values()) {
    if (!wanted.has(e.call.path[0]!) || !e.answer?.hit) continue;
    for (const { artifact } of e.answer.artifacts) {
      records.set(artifact.id, artifact);
      carried.add(artifact.id);
    }
    for (const refs of Object.values(e.call.inputs.artifacts)) for (const r of refs) inputIds.add(r.id);
  }
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
    const props: Properties = { outputs: { structValue: toStruct(e.answer.parameters) } };
    props['task_name'] = { stringValue: e.call.path[e.call.path.length - 1]! };
    const be: BundleExecution = {
      globalId: e.answer.task.globalId,
      type: 'system.ContainerExecution',
      state: 'COMPLETE',
      customProperties: props,
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
  const artifacts: BundleArtifact[] = [];
  for (const [id, r] of records) {
    const ba: BundleArtifact = {
      globalId: r.globalId,
      type: r.type,
      uri: r.uri,
      state: 'LIVE',
      customProperties: properties(r.metadata),
      objects: [],
    };
    if (r.uri.startsWith(`${root}/`)) ba.relativePath = r.uri.slice(root.length + 1);
    if (carried.has(id) && ba.relativePath !== undefined && req.objectsOf) ba.objects = await req.objectsOf(r);
    artifacts.push(ba);
  }
  artifacts.sort((x, y) => x.globalId.localeCompare(y.globalId));
  const carriedGids = new Set([...carried].map(gid));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: req.splitPipeline,
    revision: req.revision,
    pipelineName: req.graph.name,
    source: { location: backend.location, kfpVersion: req.kfpVersion, pipelineRoot: req.pipelineRoot },
    steps: req.graph.rootOrder.filter((k) => wanted.has(k)),
    executions,
    artifacts,
    consumedOnly: artifacts.filter((a) => !carriedGids.has(a.globalId)).map((a) => a.globalId),
    importerArtifacts: [],
    createdAt: new Date().toISOString(),
    bytesIncluded: false,
  };
}
