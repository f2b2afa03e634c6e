// The import half of a handoff, after the bytes: MLMD entities at the target in dependency order
// (types, contexts, artifacts, executions, events, attributions and associations), each found by
// its global id before anything is created, then the target's fingerprints, then the cache rows —
// the commit point: until a row exists, KFP at the target simply does not see the step as cached,
// and running the handoff again completes it. Nothing at the target is deleted or overwritten.
import type { Artifact, Context, Event, Execution, MlmdClient, Properties } from '../location/mlmd/index.js';
import { mlmdProperties, MlmdError, stringValue, structValue } from '../location/mlmd/index.js';
import type { LocationReaders } from '../observe/cache-lookup.js';
import { walkCache } from '../observe/cache-walk.js';
import { cacheRowNamespace } from '../observe/driver-settings.js';
import { importerProperties } from '../observe/importer-match.js';
import { recordMissingExecutorLogs } from './executor-logs.js';
import { taskRecordKey, type ArtifactRef } from '../pipeline/driver/index.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import type { BundleArtifact, BundleExecution, HandoffBundle } from './bundle.js';
import { targetUri } from './copy-bytes.js';
import { HandoffError } from './export.js';
import { writeNewestCacheRow } from './fresh-rows.js';
import { parseGlobalId } from './global-id.js';
import {
  OBJECTS_PROPERTY,
  recordedOutputsValue,
  type RecordedArtifact,
  type RecordedObject,
  type RecordedOutputs,
} from '../observe/cache-lookup.js';

export interface ImportTarget extends LocationReaders {
  kfpVersion: string;
  pipelineRoot: string;
}

export interface ImportResult {
  artifactsCreated: number;
  executionsCreated: number;
  eventsCreated: number;
  cacheRowsCreated: number;
  /** Global id → the target's execution id and fingerprint. */
  executions: { globalId: string; key: string; executionId: number; fingerprint: string }[];
}

export interface ImportRequest {
  bundle: HandoffBundle;
  target: ImportTarget;
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  markerRunId: string;
  /** How long to wait for KFP to record the marker run's context (default 30 s). */
  contextWaitMs?: number;
  /** The objects the byte phase wrote, by artifact global id (recorded so observe can detect alteration). */
  digests?: Map<string, RecordedObject[]>;
}

export async function importMetadata(req: ImportRequest): Promise<ImportResult> {
  const { bundle, target } = req;
  const mlmd = target.mlmd;
  const result: ImportResult = {
    artifactsCreated: 0,
    executionsCreated: 0,
    eventsCreated: 0,
    cacheRowsCreated: 0,
    executions: [],
  };

  // Types (KFP's are schemaless: a name is the whole type).
  const artifactTypeIds = new Map<string, number>();
  for (const t of new Set(bundle.artifacts.map((a) => a.type)))
    artifactTypeIds.set(t, await mlmd.putArtifactType({ name: t }, { canAddFields: true, canOmitFields: true }));
  const executionTypeIds = new Map<string, number>();
  for (const t of new Set(bundle.executions.map(executionTypeOf)))
    executionTypeIds.set(t, await mlmd.putExecutionType({ name: t }, { canAddFields: true, canOmitFields: true }));

  // Contexts. What is imported belongs to the pipeline's context only (named `pipelineInfo.name`, the
  // one every run of the pipeline here links to), never to a run context:
  // - a cache hit reads the cached execution through GetPipelineFromExecution, which refuses more
  //   than one system.Pipeline or system.PipelineRun context and accepts none
  //   (`2.17.0:backend/src/v2/metadata/client.go:948-981`, 2.14.0 the same); the pipeline context is
  //   one and the same for every handoff, revision and marker run, so it can never become two;
  // - KFP's importer reuses an artifact only if it is attributed to that context (FindMatchedArtifact,
  //   `client.go:1327-1347`), so importer artifacts must be there;
  // - the marker run's context belongs to the marker run: its drivers list that context's executions
  //   (GetExecutionsInDAG, `client.go:983-1077`), and its only parent is the one KFP's root driver
  //   gave it (GetPipeline refuses a second parent in every later driver, `client.go:432-445`), so
  //   the handoff only reads it (the session and namespace KFP's pods use here).
  // An execution gets its association once, in the transaction that creates it; one found by its
  // global id is never associated again.
  const pipelineContext = await getOrCreateContext(mlmd, 'system.Pipeline', bundle.pipelineName, {});
  const pipelineCtx = pipelineContext.id!;
  // The marker run's own driver records its run context with the namespace KFP's pods use there,
  // which is also the namespace of the target's cache rows in single-user mode (`launcher_v2.go`
  // writes `Namespace: l.options.Namespace`). The handoff waits for the marker run to succeed
  // before importing, so the context is there; a direct call waits for it briefly.
  const recorded = await waitForContext(mlmd, 'system.PipelineRun', req.markerRunId, req.contextWaitMs ?? 30_000);
  const sessionInfo =
    recorded?.customProperties?.['store_session_info']?.stringValue ??
    (await latestRunContextProperty(mlmd, 'store_session_info'));
  const cacheNamespace = await cacheRowNamespace(target, recorded);

  // Artifacts: find by global id; create what is carried and missing; attribute what is carried to
  // the pipeline's context before the walk below looks for importer artifacts there.
  const artifactIds = await resolveArtifacts(req, artifactTypeIds, sessionInfo, result);
  const carriedArtifactIds = bundle.artifacts
    .filter((a) => !bundle.consumedOnly.includes(a.globalId))
    .map((a) => artifactIds.get(a.globalId)!);
  if (carriedArtifactIds.length > 0)
    await mlmd.putAttributionsAndAssociations(
      carriedArtifactIds.map((artifactId) => ({ artifactId, contextId: pipelineCtx })),
      [],
    );

  // Fingerprints as the target's driver will compute them: walk the pipeline at the target, with the
  // handed-off executions answered from the bundle (mapped to the target's artifact ids).
  const byKey = new Map(bundle.executions.map((e) => [taskRecordKey(e.path, e.iteration), e]));
  const fingerprints = new Map<string, string>();
  const handed = new Set(bundle.steps);
  const walk = await walkCache(target, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: bundle.steps,
    kfpVersion: target.kfpVersion,
    override: async (call, fp) => {
      if (!handed.has(call.path[0]!)) return undefined;
      const key = taskRecordKey(call.path, call.iteration);
      const be = byKey.get(key);
      if (!be) return { state: 'unavailable', reason: `${key} is not in the bundle from ${bundle.source.location}` };
      if (fp) fingerprints.set(be.globalId, fp);
      return { state: 'cached', outputs: outputsAtTarget(be, req.bundle, artifactIds, target.pipelineRoot) };
    },
  });
  for (const step of bundle.steps) {
    const a = walk.availability[step];
    if (!a?.available) throw new HandoffError(`cannot import ${step} at ${target.name}: ${a?.reason ?? 'not walked'}`);
  }

  // Executions: one found by its global id is left as it is (only events it lacks are added); a new
  // one is created with its events and its association in one transaction.
  const existing = new Map<string, Execution>();
  const gids = bundle.executions.map((e) => e.globalId);
  for (let i = 0; i < gids.length; i += 100)
    for (const e of await mlmd.getExecutionsByExternalIds(gids.slice(i, i + 100))) existing.set(e.externalId!, e);
  const executionIds = new Map<string, number>();
  const eventsOf = (be: BundleExecution): Event[] => {
    const out: Event[] = [];
    const add = (artifactGid: string, type: 'INPUT' | 'OUTPUT', name: string) => {
      const artifactId = artifactIds.get(artifactGid);
      if (artifactId === undefined) throw new HandoffError(`artifact ${artifactGid} has no id at ${target.name}`);
      out.push({ artifactId, type, path: { steps: [{ key: name }] } });
    };
    for (const i of be.inputs) for (const a of i.artifacts) add(a, 'INPUT', i.name);
    for (const o of be.outputs) add(o.artifact, 'OUTPUT', o.name);
    return out;
  };
  for (const be of bundle.executions) {
    const found = existing.get(be.globalId);
    if (found) {
      executionIds.set(be.globalId, found.id!);
      continue;
    }
    const customProperties = withHandoffRecord(
      importedExecutionProperties(be, fingerprints.get(be.globalId)),
      be,
      bundle,
      req.digests,
      target.pipelineRoot,
    );
    const execution = {
      typeId: executionTypeIds.get(executionTypeOf(be))!,
      externalId: be.globalId,
      // An imported execution ran (at its origin): the target's driver reuses COMPLETE ones.
      lastKnownState: 'COMPLETE',
      customProperties,
    } as const;
    const events = eventsOf(be);
    try {
      const created = await mlmd.putExecution({
        execution,
        artifactEventPairs: events.map((event) => ({ event })),
        contexts: [pipelineContext],
      });
      executionIds.set(be.globalId, created.executionId);
      result.executionsCreated++;
      result.eventsCreated += events.length;
    } catch (e) {
      // Created meanwhile (a retried write that had landed, or a concurrent handoff): use that one.
      if (!(e instanceof MlmdError && e.code === 'ALREADY_EXISTS')) throw e;
      const [again] = await mlmd.getExecutionsByExternalIds([be.globalId]);
      if (again?.id === undefined) throw e;
      executionIds.set(be.globalId, again.id);
      existing.set(be.globalId, again);
    }
  }
  const found = bundle.executions.filter((be) => existing.has(be.globalId));
  if (found.length > 0) {
    const foundIds = found.map((be) => executionIds.get(be.globalId)!);
    const have = new Set(
      (await mlmd.getEventsByExecutionIDs(foundIds)).map((e) => `${e.executionId}:${e.artifactId}:${e.type}`),
    );
    const events: Event[] = [];
    for (const be of found) {
      const executionId = executionIds.get(be.globalId)!;
      for (const ev of eventsOf(be)) {
        const k = `${executionId}:${ev.artifactId}:${ev.type}`;
        if (have.has(k)) continue;
        have.add(k);
        events.push({ ...ev, executionId });
      }
    }
    if (events.length > 0) await mlmd.putEvents(events);
    result.eventsCreated += events.length;
  }

  // A task that published no logs where it ran gets the executor-logs output the target's driver demands.
  result.eventsCreated += await recordMissingExecutorLogs({
    target,
    source: bundle.source.location,
    pipelineName: bundle.pipelineName,
    markerRunId: req.markerRunId,
    executions: bundle.executions,
    executionIds,
    walk,
    pipelineContextId: pipelineCtx,
  });

  // Cache rows last: the newest row wins, so one naming our execution is all that is needed, and it
  // is made strictly newer than any other and read back (writeNewestCacheRow).
  for (const be of bundle.executions) {
    const fp = fingerprints.get(be.globalId);
    const executionId = executionIds.get(be.globalId)!;
    const key = taskRecordKey(be.path, be.iteration);
    if (!fp) continue; // importer or not cacheable: nothing for KFP to look up
    result.executions.push({ globalId: be.globalId, key, executionId, fingerprint: fp });
    const row = {
      location: target.name,
      pipelineName: bundle.pipelineName,
      fingerprint: fp,
      executionId,
      runId: req.markerRunId,
      namespace: cacheNamespace,
    };
    if (await writeNewestCacheRow(target.kfp, row)) result.cacheRowsCreated++;
  }
  return result;
}

/**
 * What an imported execution keeps of the source's custom properties: what KFP reads from a cached
 * execution (`outputs`, through GetParameters, `2.17.0:backend/src/v2/metadata/model.go:32-54`), what
 * describes the task (`task_name`, `display_name`, `image`, `inputs`) and the fingerprint as the
 * target computes it. CreateExecution's properties that name things at the source are dropped
 * (`2.17.0:backend/src/v2/metadata/client.go:638-705`): its parent DAG, pod, namespace, loop position
 * and the execution a cache hit there reused.
 */
export const SOURCE_ONLY = [
  'parent_dag_id',
  'pod_name',
  'pod_uid',
  'namespace',
  'cached_execution_id',
  'cache_fingerprint',
  'iteration_index',
  'iteration_count',
  'total_dag_tasks',
  'parameter_producer_task',
  'artifact_producer_task',
];

/** KFP's execution type of a handed-off task. */
function executionTypeOf(be: BundleExecution): string {
  return be.kind === 'importer' ? 'system.ImporterExecution' : 'system.ContainerExecution';
}

export function importedExecutionProperties(be: BundleExecution, fingerprint: string | undefined): Properties {
  // The output parameters are the `outputs` struct the driver reads of a cached execution (model.go:32-54).
  const props: Properties = { ...mlmdProperties(be.properties, 'integral-int'), outputs: structValue(be.parameters) };
  for (const k of SOURCE_ONLY) delete props[k];
  if (fingerprint) props['cache_fingerprint'] = stringValue(fingerprint);
  return props;
}

async function resolveArtifacts(
  req: ImportRequest,
  typeIds: Map<string, number>,
  sessionInfo: string | undefined,
  result: ImportResult,
): Promise<Map<string, number>> {
  const { bundle, target } = req;
  const ids = new Map<string, number>();
  const byExternal: string[] = [];
  for (const a of bundle.artifacts) {
    const parsed = parseGlobalId(a.globalId);
    if (parsed?.origin === target.name)
      ids.set(a.globalId, parsed.id); // native here: it came back home
    else byExternal.push(a.globalId);
  }
  for (let i = 0; i < byExternal.length; i += 100) {
    for (const found of await target.mlmd.getArtifactsByExternalIds(byExternal.slice(i, i + 100)))
      ids.set(found.externalId!, found.id!);
  }
  const missingConsumed = bundle.consumedOnly.filter((g) => !ids.has(g));
  if (missingConsumed.length > 0) {
    throw new HandoffError(
      `${target.name} lacks artifacts the handed-off steps consumed (${missingConsumed.join(', ')}): hand off the steps that produced them first`,
    );
  }
  const consumedOnly = new Set(bundle.consumedOnly);
  const importer = new Set(bundle.importerArtifacts);
  const create: BundleArtifact[] = bundle.artifacts.filter(
    (a) => !ids.has(a.globalId) && !consumedOnly.has(a.globalId),
  );
  if (create.length > 0) {
    const created = await target.mlmd.putArtifacts(
      create.map((a): Artifact => {
        const props: Properties = mlmdProperties(a.metadata, 'double');
        // A launcher's artifact is opened with the session of the store it is in: the target's. An
        // importer's must carry every property the target's importer would give a new one, exactly (kinds
        // included: FindMatchedArtifact compares them all; importer-match.ts): made here from the target's
        // own importer spec, as KFP's importer makes them, over what the bundle says.
        if (importer.has(a.globalId)) Object.assign(props, importerPropertiesAt(req.graph, a));
        if (!importer.has(a.globalId)) {
          if (sessionInfo) props['store_session_info'] = stringValue(sessionInfo);
          else delete props['store_session_info'];
          // The record earlier versions kept on the artifact, where KFP hands it to components as
          // metadata: the record is now the importing execution's (cache-lookup.ts OBJECTS_PROPERTY).
          delete props[OBJECTS_PROPERTY];
        }
        return {
          typeId: typeIds.get(a.type)!,
          externalId: a.globalId,
          uri: targetUri(a, target.pipelineRoot),
          state: 'LIVE',
          customProperties: props,
        };
      }),
    );
    create.forEach((a, i) => ids.set(a.globalId, created[i]!));
    result.artifactsCreated += created.length;
  }
  return ids;
}

function outputsAtTarget(be: BundleExecution, bundle: HandoffBundle, ids: Map<string, number>, targetRoot: string) {
  const parameters = be.parameters;
  const artifacts: Record<string, ArtifactRef[]> = {};
  for (const o of be.outputs) {
    const a = bundle.artifacts.find((x) => x.globalId === o.artifact)!;
    const ref: ArtifactRef = { id: String(ids.get(o.artifact)), uri: targetUri(a, targetRoot), schemaTitle: a.type };
    (artifacts[o.name] ??= []).push(ref);
  }
  return { parameters, artifacts };
}

async function getOrCreateContext(
  mlmd: MlmdClient,
  type: string,
  name: string,
  customProperties: Properties,
): Promise<Context> {
  const found = await mlmd.getContextByTypeAndName(type, name);
  if (found?.id !== undefined) return found;
  const typeId = await mlmd.putContextType({ name: type }, { canAddFields: true, canOmitFields: true });
  try {
    await mlmd.putContexts([{ typeId, name, customProperties }]);
  } catch (e) {
    // Created meanwhile (by KFP's own driver, or a concurrent handoff): use it.
    if (!(e instanceof MlmdError && e.code === 'ALREADY_EXISTS')) throw e;
  }
  const made = await mlmd.getContextByTypeAndName(type, name);
  if (made?.id === undefined)
    throw new HandoffError(`the ${type} context ${name} is missing right after it was created`);
  return made;
}

async function waitForContext(
  mlmd: MlmdClient,
  type: string,
  name: string,
  waitMs: number,
): Promise<Context | undefined> {
  const deadline = Date.now() + waitMs;
  for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
    const found = await mlmd.getContextByTypeAndName(type, name);
    if (found?.id !== undefined || Date.now() >= deadline) return found?.id !== undefined ? found : undefined;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** A property of the target's newest run context (what its driver records), when the marker's is not there. */
async function latestRunContextProperty(mlmd: MlmdClient, key: string): Promise<string | undefined> {
  const any = await mlmd.getContextsByType('system.PipelineRun', {
    maxResultSize: 1,
    orderBy: { field: 'CREATE_TIME', isAsc: false },
  });
  return any.items[0]?.customProperties?.[key]?.stringValue;
}

/**
 * An imported execution's properties with this handoff's record of the objects it wrote for the
 * outputs (cache-lookup.ts OBJECTS_PROPERTY) in place of the source's: `[]` for an artifact carried
 * with no objects, so that the target tells "none were written" from "they were lost"; nothing for
 * an output whose objects were not all written with a SHA-256 or an ETag (then only their presence
 * is checked).
 */
function withHandoffRecord(
  props: Properties,
  be: BundleExecution,
  bundle: HandoffBundle,
  digests: Map<string, RecordedObject[]> | undefined,
  targetRoot: string,
): Properties {
  const out: Properties = { ...props };
  delete out[OBJECTS_PROPERTY];
  const record: RecordedOutputs = {};
  for (const o of be.outputs) {
    const a = bundle.artifacts.find((x) => x.globalId === o.artifact);
    if (!a || a.relativePath === undefined) continue;
    const written = digests?.get(a.globalId) ?? [];
    if (a.objects.length > 0 && (written.length !== a.objects.length || !written.every((w) => w.sha256 || w.etag)))
      continue;
    const entry: RecordedArtifact = { uri: targetUri(a, targetRoot), objects: a.objects.length === 0 ? [] : written };
    if (a.travels === 'records') entry.travels = 'records';
    (record[o.name] ??= []).push(entry);
  }
  if (Object.keys(record).length > 0) out[OBJECTS_PROPERTY] = stringValue(recordedOutputsValue(record));
  return out;
}

/**
 * The properties the target's importer gives the artifact of an importer of this pipeline whose URI is the
 * artifact's (its metadata and session, importer-match.ts), or none when no importer of the pipeline makes it:
 * an importer's metadata placeholders are not substituted by KFP (`importer_launcher.go`), so the spec says
 * them, and a constant URI, or the one the bundle carries for a runtime one, says which importer it is.
 */
function importerPropertiesAt(graph: PipelineGraph, a: BundleArtifact): Properties {
  for (const executor of Object.values(graph.executors)) {
    const spec = executor.importer;
    if (!spec || (spec.typeSchema?.schemaTitle ?? 'system.Artifact') !== a.type) continue;
    const constant = spec.artifactUri?.constant;
    if (typeof constant === 'string' && constant !== a.uri) continue;
    const built = importerProperties({
      outputName: '',
      artifactUri: a.uri,
      typeSchema: spec.typeSchema ?? {},
      reimport: spec.reimport === true,
      downloadToWorkspace: false,
      ...(spec.metadata !== undefined ? { metadata: spec.metadata } : {}),
    });
    if ('properties' in built) return built.properties;
  }
  return {};
}
