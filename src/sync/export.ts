// The export half of a handoff: read, at the source, everything a target needs to serve `steps`
// from its cache. Read-only at the source: it walks the pipeline as KFP's driver would, finds the
// execution that serves each step (the original, following a cache hit to what it reused), and
// collects the executions, the artifacts they produced and consumed, and the objects' sizes.
import { UserError } from '../errors/user-error.js';
import type { Artifact, Execution } from '../location/mlmd/index.js';
import { fromStruct, plainProperties } from '../location/mlmd/index.js';
import type { LocationReaders } from '../observe/cache-lookup.js';
import { walkCache } from '../observe/cache-walk.js';
import { IDS_PER_READ } from '../observe/cache-lookup.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundleArtifact,
  type BundleExecution,
  type HandoffBundle,
} from './bundle.js';
import { objectsOf, recordsOnlyArtifacts } from './export-objects.js';
import { recordedObjectsOf, recordedOutputs, type RecordedObject } from '../observe/cache-lookup.js';
import { kfpRootsOfExecution, rootMismatchAdvice, sameRoot } from '../observe/pipeline-root.js';
import { globalIdOf } from './global-id.js';

/** A handoff (export, byte copy, import, fresh cache rows) cannot go on; the message says where and why. */
export class HandoffError extends UserError {
  constructor(message: string, context: { location?: string; advice?: string } = {}) {
    super(message, { code: 'handoff', operation: 'handoff', location: context.location, advice: context.advice });
    this.name = 'HandoffError';
  }
}

export interface ExportRequest {
  source: LocationReaders & { kfpVersion: string; pipelineRoot: string };
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  steps: string[];
  splitPipeline: string;
  revision: string;
  /** Outputs that travel as records only (src/plan/travel.ts): their objects are neither listed nor copied. */
  recordsOnly?: readonly { step: string; output: string }[];
  /** The location the bundle is for (air-gapped export: src/sync/export-travel.ts decided `recordsOnly` for it). */
  target?: string;
}

export async function exportHandoff(req: ExportRequest): Promise<HandoffBundle> {
  const { source, graph } = req;
  const walk = await walkCache(source, {
    graph,
    parameters: req.parameters,
    rootTasks: req.steps,
    kfpVersion: source.kfpVersion,
  });
  for (const step of req.steps) {
    const a = walk.availability[step];
    if (!a?.available)
      throw new HandoffError(
        `cannot hand off ${step} from ${source.name}: it is not available there (${a?.reason ?? 'not walked'})`,
      );
  }
  const wanted = new Set(req.steps);
  const executions: BundleExecution[] = [];
  const artifactIds = new Set<number>();
  const carried = new Set<number>();
  const importerIds = new Set<number>();
  const perEntry: {
    entryKey: string;
    execution: Execution;
    path: string[];
    iteration: number[];
    outputs: { name: string; id: number }[];
    inputs: { name: string; ids: number[] }[];
    fp?: string;
  }[] = [];
  for (const entry of walk.entries.values()) {
    if (!wanted.has(entry.call.path[0]!)) continue;
    if (entry.importedArtifactId !== undefined) {
      importerIds.add(entry.importedArtifactId);
      artifactIds.add(entry.importedArtifactId);
      continue;
    }
    if (!entry.lookup?.hit) continue;
    const outputs = entry.lookup.artifacts.map((o) => ({ name: o.output, id: o.artifact.id! }));
    const inputs = Object.entries(entry.call.inputs.artifacts).map(([name, refs]) => ({
      name,
      ids: refs.map((r) => Number(r.id)),
    }));
    for (const o of outputs) {
      artifactIds.add(o.id);
      carried.add(o.id);
    }
    for (const i of inputs) for (const id of i.ids) artifactIds.add(id);
    const item = {
      entryKey: entry.key,
      execution: entry.lookup.execution,
      path: entry.call.path,
      iteration: entry.call.iteration,
      outputs,
      inputs,
    } as (typeof perEntry)[number];
    if (entry.fingerprint) item.fp = entry.fingerprint;
    perEntry.push(item);
  }
  // The walk's lookups read every output artifact already; only the rest (importers' artifacts,
  // inputs produced outside the handed-off steps) is read, with list calls of 100 ids.
  const artifacts = new Map<number, Artifact>();
  for (const entry of walk.entries.values())
    if (entry.lookup?.hit)
      for (const { artifact } of entry.lookup.artifacts)
        if (artifactIds.has(artifact.id!)) artifacts.set(artifact.id!, artifact);
  const ids = [...artifactIds].filter((id) => !artifacts.has(id));
  for (let i = 0; i < ids.length; i += IDS_PER_READ)
    for (const a of await source.mlmd.getArtifactsByID(ids.slice(i, i + IDS_PER_READ))) artifacts.set(a.id!, a);
  const gidOfArtifact = (id: number) => {
    const a = artifacts.get(id);
    if (!a)
      throw new HandoffError(`artifact ${id} at ${source.name} disappeared during the export; run the handoff again`);
    return globalIdOf(source.name, 'artifact', a);
  };
  for (const e of perEntry) {
    const be: BundleExecution = {
      globalId: globalIdOf(source.name, 'execution', e.execution),
      kind: e.execution.type === 'system.ImporterExecution' ? 'importer' : 'container',
      parameters: parametersOf(e.execution),
      properties: plainProperties(e.execution.customProperties, ['outputs']),
      path: e.path,
      iteration: e.iteration,
      outputs: e.outputs.map((o) => ({ name: o.name, artifact: gidOfArtifact(o.id) })),
      inputs: e.inputs.map((i) => ({ name: i.name, artifacts: i.ids.map(gidOfArtifact) })),
    };
    if (e.fp) be.sourceFingerprint = e.fp;
    executions.push(be);
  }
  const root = source.pipelineRoot.replace(/\/+$/, '');
  // What a handoff recorded here of the objects it wrote (a record of the importing execution).
  const recorded = new Map<number, RecordedObject[] | undefined>();
  for (const e of perEntry) {
    const record = recordedOutputs(e.execution);
    for (const o of e.outputs) {
      const a = artifacts.get(o.id);
      if (a && !recorded.has(o.id)) recorded.set(o.id, recordedObjectsOf(record, o.name, a));
    }
  }
  await refuseOutsideRoot(source, perEntry, artifacts, importerIds);
  const recordsOnly = recordsOnlyArtifacts(graph, perEntry, req.recordsOnly);
  const bundleArtifacts: BundleArtifact[] = [];
  const objects = await objectsOf(
    source.store,
    source.name,
    [...artifacts]
      .filter(
        ([id, a]) =>
          carried.has(id) && (a.uri ?? '').startsWith(`${root}/`) && !importerIds.has(id) && !recordsOnly.has(id),
      )
      .map(([, a]) => a),
    recorded,
  );
  for (const [id, a] of artifacts) {
    const uri = a.uri ?? '';
    const ba: BundleArtifact = {
      globalId: gidOfArtifact(id),
      type: a.type ?? 'system.Artifact',
      uri,
      metadata: plainProperties(a.customProperties),
      objects: [],
    };
    if (!importerIds.has(id) && uri.startsWith(`${root}/`)) ba.relativePath = uri.slice(root.length + 1);
    if (carried.has(id) && ba.relativePath !== undefined) ba.objects = objects.get(id) ?? [];
    if (recordsOnly.has(id) && ba.relativePath !== undefined) ba.travels = 'records';
    bundleArtifacts.push(ba);
  }
  bundleArtifacts.sort((x, y) => x.globalId.localeCompare(y.globalId));
  const carriedGids = new Set([...carried].map(gidOfArtifact));
  const importerGids = new Set([...importerIds].map(gidOfArtifact));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    splitPipeline: req.splitPipeline,
    revision: req.revision,
    pipelineName: graph.name,
    source: { location: source.name, kfpVersion: source.kfpVersion, pipelineRoot: source.pipelineRoot },
    ...(req.target !== undefined ? { target: req.target } : {}),
    steps: graph.rootOrder.filter((k) => wanted.has(k)),
    executions,
    artifacts: bundleArtifacts,
    consumedOnly: bundleArtifacts
      .filter((a) => !carriedGids.has(a.globalId) && !importerGids.has(a.globalId))
      .map((a) => a.globalId),
    importerArtifacts: [...importerGids],
    createdAt: new Date().toISOString(),
    bytesIncluded: false,
  };
}

/**
 * A carried artifact is an output of a handed-off step, so KFP wrote it under the pipeline root of
 * the run that produced it. One outside the configured root means that run used another root (KFP's
 * default, when a run does not pin its own: `2.17.0:backend/src/v2/driver/root_dag.go:97-113`): its
 * bytes cannot be placed under the target's root by their path, so the handoff stops and says which
 * root KFP used, read from the producing run's context.
 */
async function refuseOutsideRoot(
  source: ExportRequest['source'],
  entries: { execution: Execution; outputs: { name: string; id: number }[] }[],
  artifacts: Map<number, Artifact>,
  importerIds: Set<number>,
): Promise<void> {
  const root = source.pipelineRoot.replace(/\/+$/, '');
  for (const e of entries) {
    for (const o of e.outputs) {
      const a = artifacts.get(o.id);
      const uri = a?.uri ?? '';
      if (!a || importerIds.has(o.id) || uri.startsWith(`${root}/`)) continue;
      const runs = e.execution.id !== undefined ? await kfpRootsOfExecution(source.mlmd, e.execution.id) : [];
      const other = runs.find((r) => !sameRoot(r.root, source.pipelineRoot));
      const why = other
        ? `; KFP wrote it under ${other.root}, the pipeline root of run ${other.runId} there: ` +
          rootMismatchAdvice(source.name, source.pipelineRoot, other.root)
        : '; the runs there write under another root than the file configures: ' +
          `set spec.locations[${source.name}].objectStore.pipelineRoot to KFP's root there, ` +
          'or run those steps there again with split-pipelines (its runs pin the configured root)';
      throw new HandoffError(
        `cannot hand off from ${source.name}: artifact ${uri} (output ${o.name} of execution ${e.execution.id}) ` +
          `is outside the pipeline root ${source.pipelineRoot} configured for ${source.name}${why}`,
      );
    }
  }
}

/** An execution's output parameters: its `outputs` struct, as KFP's driver reads a cached one. */
function parametersOf(e: Execution): Record<string, JsonValue> {
  const s = e.customProperties?.['outputs']?.structValue;
  return s ? fromStruct(s) : {};
}
