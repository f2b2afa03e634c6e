// The import half of a handoff, after the bytes: MLMD entities at the target in dependency order
// (types, contexts, artifacts, executions, events, attributions and associations), each found by
// its global id before anything is created, then the target's fingerprints, then the cache rows —
// the commit point: until a row exists, KFP at the target simply does not see the step as cached,
// and running the handoff again completes it. Nothing at the target is deleted or overwritten.
import type { Artifact, Context, Event, Execution, MlmdClient, Properties } from '../location/mlmd/index.js';
import { MlmdError, stringValue } from '../location/mlmd/index.js';
import { cachePipelineName, newestCacheRow, type LocationReaders } from '../observe/cache-lookup.js';
import { walkCache } from '../observe/cache-walk.js';
import { taskRecordKey, type ArtifactRef } from '../pipeline/driver/index.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { fromStruct } from '../location/mlmd/index.js';
import type { BundleArtifact, BundleExecution, HandoffBundle } from './bundle.js';
import { targetUri } from './copy-bytes.js';
import { HandoffError } from './export.js';
import { parseGlobalId } from './global-id.js';
import { OBJECTS_PROPERTY, type RecordedObject } from '../observe/cache-lookup.js';

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
  const result: ImportResult = { artifactsCreated: 0, executionsCreated: 0, eventsCreated: 0, cacheRowsCreated: 0, executions: [] };

  // Types (KFP's are schemaless: a name is the whole type).
  const artifactTypeIds = new Map<string, number>();
  for (const t of new Set(bundle.artifacts.map((a) => a.type))) artifactTypeIds.set(t, await mlmd.putArtifactType({ name: t }, { canAddFields: true, canOmitFields: true }));
  const executionTypeIds = new Map<string, number>();
  for (const t of new Set(bundle.executions.map((e) => e.type))) executionTypeIds.set(t, await mlmd.putExecutionType({ name: t }, { canAddFields: true, canOmitFields: true }));

  // Contexts: the pipeline's (shared with the target's own runs) and the marker run's. The marker
  // run's own driver records its run context with the namespace KFP's pods use there, which is
  // also the namespace of the target's cache rows in single-user mode (`launcher_v2.go` writes
  // `Namespace: l.options.Namespace`): wait for it briefly instead of guessing.
  const pipelineCtx = await getOrCreateContext(mlmd, 'system.Pipeline', bundle.pipelineName, {});
  const recorded = await waitForContext(mlmd, 'system.PipelineRun', req.markerRunId, req.contextWaitMs ?? 30_000);
  const sessionInfo = recorded?.customProperties?.['store_session_info']?.stringValue ?? (await latestRunContextProperty(mlmd, 'store_session_info'));
  const cacheNamespace = target.namespace ?? recorded?.customProperties?.['namespace']?.stringValue ?? (await latestRunContextProperty(mlmd, 'namespace')) ?? '';
  let runCtx: number;
  if (recorded?.id !== undefined) runCtx = recorded.id;
  else {
    const runProps: Properties = {
      namespace: stringValue(cacheNamespace),
      resource_name: stringValue('run-resource'),
      pipeline_root: stringValue(`${target.pipelineRoot.replace(/\/+$/, '')}/${bundle.pipelineName}/${req.markerRunId}`),
    };
    if (sessionInfo) runProps['store_session_info'] = stringValue(sessionInfo);
    runCtx = await getOrCreateContext(mlmd, 'system.PipelineRun', req.markerRunId, runProps);
  }
  await mlmd.putParentContexts([{ childId: runCtx, parentId: pipelineCtx }]).catch((e: unknown) => {
    if (!(e instanceof MlmdError && e.code === 'ALREADY_EXISTS')) throw e;
  });

  // Artifacts: find by global id; create what is carried and missing.
  const artifactIds = await resolveArtifacts(req, artifactTypeIds, sessionInfo, result);

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

  // Executions, then their events, then attributions and associations.
  const existing = new Map<string, Execution>();
  const gids = bundle.executions.map((e) => e.globalId);
  for (let i = 0; i < gids.length; i += 100) for (const e of await mlmd.getExecutionsByExternalIds(gids.slice(i, i + 100))) existing.set(e.externalId!, e);
  const executionIds = new Map<string, number>();
  const toCreate: BundleExecution[] = [];
  for (const be of bundle.executions) {
    const e = existing.get(be.globalId);
    if (e) executionIds.set(be.globalId, e.id!);
    else toCreate.push(be);
  }
  if (toCreate.length > 0) {
    const ids = await mlmd.putExecutions(
      toCreate.map((be) => {
        const props: Properties = { ...be.customProperties };
        const fp = fingerprints.get(be.globalId);
        if (fp) props['cache_fingerprint'] = stringValue(fp);
        return { typeId: executionTypeIds.get(be.type)!, externalId: be.globalId, lastKnownState: be.state === 'CACHED' ? 'COMPLETE' : be.state, customProperties: props };
      }),
    );
    toCreate.forEach((be, i) => executionIds.set(be.globalId, ids[i]!));
    result.executionsCreated += ids.length;
  }
  const allExecIds = [...executionIds.values()];
  const have = new Set((allExecIds.length ? await mlmd.getEventsByExecutionIDs(allExecIds) : []).map((e) => `${e.executionId}:${e.artifactId}:${e.type}`));
  const events: Event[] = [];
  for (const be of bundle.executions) {
    const execId = executionIds.get(be.globalId)!;
    const add = (artifactGid: string, type: 'INPUT' | 'OUTPUT', name: string) => {
      const artifactId = artifactIds.get(artifactGid);
      if (artifactId === undefined) throw new HandoffError(`artifact ${artifactGid} has no id at ${target.name}`);
      const k = `${execId}:${artifactId}:${type}`;
      if (have.has(k)) return;
      have.add(k);
      events.push({ executionId: execId, artifactId, type, path: { steps: [{ key: name }] } });
    };
    for (const i of be.inputs) for (const a of i.artifacts) add(a, 'INPUT', i.name);
    for (const o of be.outputs) add(o.artifact, 'OUTPUT', o.name);
  }
  if (events.length > 0) await mlmd.putEvents(events);
  result.eventsCreated += events.length;
  const carriedArtifactIds = bundle.artifacts.filter((a) => !bundle.consumedOnly.includes(a.globalId)).map((a) => artifactIds.get(a.globalId)!);
  await mlmd.putAttributionsAndAssociations(
    carriedArtifactIds.flatMap((artifactId) => [{ artifactId, contextId: pipelineCtx }, { artifactId, contextId: runCtx }]),
    allExecIds.flatMap((executionId) => [{ executionId, contextId: pipelineCtx }, { executionId, contextId: runCtx }]),
  );

  // Cache rows last: newest row wins, so one naming our execution is all that is needed.
  for (const be of bundle.executions) {
    const fp = fingerprints.get(be.globalId);
    const executionId = executionIds.get(be.globalId)!;
    const key = taskRecordKey(be.path, be.iteration);
    if (!fp) continue; // importer or not cacheable: nothing for KFP to look up
    result.executions.push({ globalId: be.globalId, key, executionId, fingerprint: fp });
    const newest = await newestCacheRow(target.kfp, bundle.pipelineName, fp, cacheNamespace);
    if (newest?.mlmdExecutionID === String(executionId)) continue;
    const now = new Date();
    await target.kfp.createTask({
      pipelineName: cachePipelineName(bundle.pipelineName),
      runId: req.markerRunId,
      mlmdExecutionID: String(executionId),
      fingerprint: fp,
      createdAt: now,
      finishedAt: now,
      namespace: cacheNamespace,
    });
    result.cacheRowsCreated++;
  }
  return result;
}

async function resolveArtifacts(req: ImportRequest, typeIds: Map<string, number>, sessionInfo: string | undefined, result: ImportResult): Promise<Map<string, number>> {
  const { bundle, target } = req;
  const ids = new Map<string, number>();
  const byExternal: string[] = [];
  for (const a of bundle.artifacts) {
    const parsed = parseGlobalId(a.globalId);
    if (parsed?.origin === target.name) ids.set(a.globalId, parsed.id); // native here: it came back home
    else byExternal.push(a.globalId);
  }
  for (let i = 0; i < byExternal.length; i += 100) {
    for (const found of await target.mlmd.getArtifactsByExternalIds(byExternal.slice(i, i + 100))) ids.set(found.externalId!, found.id!);
  }
  const missingConsumed = bundle.consumedOnly.filter((g) => !ids.has(g));
  if (missingConsumed.length > 0) {
    throw new HandoffError(`${target.name} lacks artifacts the handed-off steps consumed (${missingConsumed.join(', ')}): hand off the steps that produced them first`);
  }
  const consumedOnly = new Set(bundle.consumedOnly);
  const create: BundleArtifact[] = bundle.artifacts.filter((a) => !ids.has(a.globalId) && !consumedOnly.has(a.globalId));
  if (create.length > 0) {
    const created = await target.mlmd.putArtifacts(
      create.map((a): Artifact => {
        const props: Properties = { ...a.customProperties };
        // The KFP UI opens an artifact with the session of the store it is in: the target's.
        if (sessionInfo) props['store_session_info'] = stringValue(sessionInfo);
        else delete props['store_session_info'];
        // What this handoff wrote here (the source's own record, if any, describes its objects).
        delete props[OBJECTS_PROPERTY];
        const objects = req.digests?.get(a.globalId);
        if (objects && objects.length > 0 && objects.every((o) => o.sha256 || o.etag)) props[OBJECTS_PROPERTY] = stringValue(JSON.stringify(objects));
        return { typeId: typeIds.get(a.type)!, externalId: a.globalId, uri: targetUri(a, target.pipelineRoot), state: a.state, customProperties: props };
      }),
    );
    create.forEach((a, i) => ids.set(a.globalId, created[i]!));
    result.artifactsCreated += created.length;
  }
  return ids;
}

function outputsAtTarget(be: BundleExecution, bundle: HandoffBundle, ids: Map<string, number>, targetRoot: string) {
  const outputsProp = be.customProperties['outputs'];
  const parameters = outputsProp?.structValue ? (fromStruct(outputsProp.structValue) as Record<string, JsonValue>) : {};
  const artifacts: Record<string, ArtifactRef[]> = {};
  for (const o of be.outputs) {
    const a = bundle.artifacts.find((x) => x.globalId === o.artifact)!;
    const ref: ArtifactRef = { id: String(ids.get(o.artifact)), uri: targetUri(a, targetRoot), schemaTitle: a.type };
    (artifacts[o.name] ??= []).push(ref);
  }
  return { parameters, artifacts };
}

async function getOrCreateContext(mlmd: MlmdClient, type: string, name: string, customProperties: Properties): Promise<number> {
  const found = await mlmd.getContextByTypeAndName(type, name);
  if (found?.id !== undefined) return found.id;
  const typeId = await mlmd.putContextType({ name: type }, { canAddFields: true, canOmitFields: true });
  try {
    const [id] = await mlmd.putContexts([{ typeId, name, customProperties }]);
    return id!;
  } catch (e) {
    // Created meanwhile (by KFP's own driver for the marker run, or a concurrent handoff): use it.
    if (e instanceof MlmdError && e.code === 'ALREADY_EXISTS') {
      const again = await mlmd.getContextByTypeAndName(type, name);
      if (again?.id !== undefined) return again.id;
    }
    throw e;
  }
}

async function waitForContext(mlmd: MlmdClient, type: string, name: string, waitMs: number): Promise<Context | undefined> {
  const deadline = Date.now() + waitMs;
  for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
    const found = await mlmd.getContextByTypeAndName(type, name);
    if (found?.id !== undefined || Date.now() >= deadline) return found?.id !== undefined ? found : undefined;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** A property of the target's newest run context (what its driver records), when the marker's is not there. */
async function latestRunContextProperty(mlmd: MlmdClient, key: string): Promise<string | undefined> {
  const any = await mlmd.getContextsByType('system.PipelineRun', { maxResultSize: 1, orderBy: { field: 'CREATE_TIME', isAsc: false } });
  return any.items[0]?.customProperties?.[key]?.stringValue;
}
