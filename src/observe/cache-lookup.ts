// What KFP's driver does to decide a cache hit at one location, read-only: the newest task-table
// row for (fingerprint, `pipeline/<pipelineInfo.name>`, namespace) names an MLMD execution, whose
// OUTPUT events name the artifacts and whose `outputs` property holds the output parameters
// (`backend/src/v2/cacheutils/cache.go` GetExecutionCache; `driver/cache.go` reuseCachedOutputs).
// Unlike KFP, we also check that the artifacts' bytes exist: KFP never does, and a cache hit on
// missing bytes fails the first task that reads them.
import type { KfpClient, KfpTask } from '../location/kfp/index.js';
import { where, eq } from '../location/kfp/index.js';
import type { Artifact, Execution, MlmdClient } from '../location/mlmd/index.js';
import { fromStruct, plainValue } from '../location/mlmd/index.js';
import { sameEtag, type ObjectStore } from '../location/objectstore/index.js';
import type { ArtifactRef, TaskOutputs } from '../pipeline/driver/types.js';
import type { JsonObject, JsonValue } from '../pipeline/ir.js';

export interface LocationReaders {
  name: string;
  kfp: KfpClient;
  mlmd: MlmdClient;
  store: ObjectStore;
  namespace?: string;
}

export type CacheLookup =
  | { hit: true; fingerprint: string; taskRowId?: string; executionId: number; execution: Execution; outputs: TaskOutputs; artifacts: OutputArtifact[] }
  | { hit: false; fingerprint: string; reason: string };

export interface OutputArtifact {
  output: string;
  artifact: Artifact;
}

/** KFP's pipelineName column for cache rows (`driver/cache.go`: `"pipeline/" + opts.PipelineName`). */
export function cachePipelineName(pipelineName: string): string {
  return `pipeline/${pipelineName}`;
}

/**
 * The row KFP's driver would use: the newest for (fingerprint, pipeline, namespace)
 * (`cacheutils/cache.go` GetExecutionCache: `SortBy: "created_at desc", PageSize: 1`). Without a
 * namespace, rows of any namespace match (single-user installations have one).
 */
export async function newestCacheRow(kfp: KfpClient, pipelineName: string, fingerprint: string, namespace?: string): Promise<KfpTask | undefined> {
  const preds = [eq('fingerprint', fingerprint), eq('pipelineName', cachePipelineName(pipelineName))];
  if (namespace !== undefined) preds.push(eq('namespace', namespace));
  return (await kfp.listTasks({ filter: where(...preds), sortBy: 'created_at desc', pageSize: 1 })).items[0];
}

export async function lookupCache(loc: LocationReaders, pipelineName: string, fingerprint: string, checkBytes = true): Promise<CacheLookup> {
  const row = await newestCacheRow(loc.kfp, pipelineName, fingerprint, loc.namespace || undefined);
  const short = fingerprint.slice(0, 12);
  if (!row || !row.mlmdExecutionID) return { hit: false, fingerprint, reason: `no cache row for fingerprint ${short}` };
  const executionId = Number(row.mlmdExecutionID);
  const [execution] = await loc.mlmd.getExecutionsByID([executionId]);
  if (!execution) return { hit: false, fingerprint, reason: `the cache row for fingerprint ${short} names MLMD execution ${executionId}, which does not exist` };
  const events = (await loc.mlmd.getEventsByExecutionIDs([executionId])).filter((e) => e.type === 'OUTPUT');
  const ids = [...new Set(events.map((e) => e.artifactId!).filter((x) => x !== undefined))];
  const arts = ids.length > 0 ? await loc.mlmd.getArtifactsByID(ids) : [];
  const byId = new Map(arts.map((a) => [a.id!, a]));
  const artifacts: OutputArtifact[] = [];
  const outArtifacts: Record<string, ArtifactRef[]> = {};
  for (const e of events) {
    const a = byId.get(e.artifactId!);
    const output = e.path?.steps?.[0]?.key;
    if (!a || output === undefined) continue;
    artifacts.push({ output, artifact: a });
    (outArtifacts[output] ??= []).push(toRef(a));
  }
  if (checkBytes) {
    for (const { output, artifact } of artifacts) {
      if (!artifact.uri) continue;
      const present = await bytesPresent(loc.store, artifact.uri, recordedObjects(artifact));
      if (!present.ok) return { hit: false, fingerprint, reason: `artifact ${output} (${artifact.uri}) of execution ${executionId}: ${present.reason}` };
    }
  }
  const outputsValue = execution.customProperties?.['outputs'];
  const parameters: Record<string, JsonValue> = outputsValue?.structValue ? (fromStruct(outputsValue.structValue) as Record<string, JsonValue>) : {};
  const result: CacheLookup = { hit: true, fingerprint, executionId, execution, outputs: { parameters, artifacts: outArtifacts }, artifacts };
  if (row.id) result.taskRowId = row.id;
  return result;
}

export function toRef(a: Artifact): ArtifactRef {
  const metadata: JsonObject = {};
  for (const [k, v] of Object.entries(a.customProperties ?? {})) {
    if (k === 'display_name' || k === 'store_session_info') continue;
    const pv = plainValue(v);
    if (pv !== undefined) metadata[k] = pv as JsonValue;
  }
  const ref: ArtifactRef = { id: String(a.id), uri: a.uri ?? '', schemaTitle: a.type ?? 'system.Artifact' };
  if (Object.keys(metadata).length > 0) ref.metadata = metadata;
  return ref;
}

/**
 * Custom property a handoff writes on the artifacts it imports: the objects it wrote at the target,
 * with their SHA-256, so that an object altered afterwards is detected (KFP itself never looks).
 */
export const OBJECTS_PROPERTY = 'split_pipelines_objects';

export interface RecordedObject {
  path: string;
  size: number;
  /** Hex SHA-256 of the bytes written (also in the object's metadata when known before writing). */
  sha256?: string;
  /** The object's ETag as written: what tells a replaced object when its metadata has no sha256. */
  etag?: string;
}

/** Whether the object is still the one recorded: same size, and same sha256 or else same ETag. */
export function matchesRecord(head: { size: number; sha256: string | undefined; etag: string | undefined }, o: RecordedObject): boolean {
  if (head.size !== o.size) return false;
  if (head.sha256 !== undefined && o.sha256 !== undefined) return head.sha256 === o.sha256;
  if (o.etag !== undefined) return sameEtag(head.etag, o.etag);
  // Recorded with a digest the object does not carry: it was replaced by a plain PUT.
  return o.sha256 === undefined;
}

export function recordedObjects(a: Artifact): RecordedObject[] | undefined {
  const raw = a.customProperties?.[OBJECTS_PROPERTY]?.stringValue;
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as RecordedObject[];
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An artifact's bytes are an object at its URI, or a "directory" of objects under `<uri>/`
 * (KFP's launcher uploads a directory output recursively). Only URIs in this store's buckets are
 * checked; other URIs (e.g. an importer's external data) are outside what a handoff moves.
 */
export async function bytesPresent(store: ObjectStore, uri: string, recorded?: RecordedObject[]): Promise<{ ok: true; external?: boolean } | { ok: false; reason: string }> {
  let ref;
  try {
    ref = store.resolve(uri);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (recorded && recorded.length > 0) {
    // Imported here: every object must still be what the handoff wrote (size and our SHA-256).
    for (const o of recorded) {
      const key = o.path === '' ? ref.key : `${ref.key.replace(/\/+$/, '')}/${o.path}`;
      const head = await store.head({ bucket: ref.bucket, key });
      if (!head) return { ok: false, reason: `artifact bytes missing (${key})` };
      if (!matchesRecord(head, o)) {
        return { ok: false, reason: `artifact bytes altered (${key} is not what the handoff copied: size ${head.size}, sha256 ${head.sha256 ?? 'unknown'}, ETag ${head.etag ?? 'none'})` };
      }
    }
    return { ok: true };
  }
  const head = await store.head(ref);
  if (head) return { ok: true };
  for await (const _ of store.list(ref.bucket, `${ref.key.replace(/\/+$/, '')}/`, { pageSize: 1 })) return { ok: true };
  return { ok: false, reason: 'artifact bytes missing' };
}
