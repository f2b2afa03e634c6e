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
import { METRICS_ARTIFACT_TYPES } from '../pipeline/metrics-types.js';

export interface LocationReaders {
  name: string;
  kfp: KfpClient;
  mlmd: MlmdClient;
  store: ObjectStore;
  /** The file's `kfp.namespace` (multi-user: the profile namespace). Cache rows use the pod namespace: see driver-settings.ts. */
  namespace?: string;
  /** The file's `kfp.publishLogs`; absent: detected from a finished run there (driver-settings.ts). */
  publishLogs?: boolean;
}

export type CacheLookup =
  | {
      hit: true;
      fingerprint: string;
      taskRowId?: string;
      executionId: number;
      execution: Execution;
      outputs: TaskOutputs;
      artifacts: OutputArtifact[];
    }
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
 * The row KFP's driver would use: the newest for (fingerprint, pipeline, namespace), always with
 * the namespace its pods run in (`2.17.0:backend/src/v2/cacheutils/cache.go:105-127` GetExecutionCache:
 * the three predicates, `SortBy: "created_at desc", PageSize: 1`; the namespace is
 * `config.InPodNamespace()`, `cmd/driver/main.go:363`), so a row of any other namespace is not
 * one KFP would find, even in single-user mode.
 */
export async function newestCacheRow(
  kfp: KfpClient,
  pipelineName: string,
  fingerprint: string,
  namespace: string,
): Promise<KfpTask | undefined> {
  const preds = [
    eq('fingerprint', fingerprint),
    eq('pipelineName', cachePipelineName(pipelineName)),
    eq('namespace', namespace),
  ];
  return (await kfp.listTasks({ filter: where(...preds), sortBy: 'created_at desc', pageSize: 1 })).items[0];
}

/** `loc.podNamespace`: the namespace KFP's pods run in there (driver-settings.ts), which its cache rows carry. */
export async function lookupCache(
  loc: LocationReaders & { podNamespace: string },
  pipelineName: string,
  fingerprint: string,
  checkBytes = true,
): Promise<CacheLookup> {
  const row = await newestCacheRow(loc.kfp, pipelineName, fingerprint, loc.podNamespace);
  const short = fingerprint.slice(0, 12);
  if (!row || !row.mlmdExecutionID) return { hit: false, fingerprint, reason: `no cache row for fingerprint ${short}` };
  const executionId = Number(row.mlmdExecutionID);
  const [execution] = await loc.mlmd.getExecutionsByID([executionId]);
  if (!execution)
    return {
      hit: false,
      fingerprint,
      reason: `the cache row for fingerprint ${short} names MLMD execution ${executionId}, which does not exist`,
    };
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
    const record = recordedOutputs(execution);
    for (const { output, artifact } of artifacts) {
      if (!artifact.uri) continue;
      const present = await bytesPresent(
        loc.store,
        artifact.uri,
        recordedObjectsOf(record, output, artifact),
        artifact.type,
      );
      if (!present.ok)
        return {
          hit: false,
          fingerprint,
          reason: `artifact ${output} (${artifact.uri}) of execution ${executionId}: ${present.reason}`,
        };
    }
  }
  const outputsValue = execution.customProperties?.['outputs'];
  const parameters: Record<string, JsonValue> = outputsValue?.structValue ? fromStruct(outputsValue.structValue) : {};
  const result: CacheLookup = {
    hit: true,
    fingerprint,
    executionId,
    execution,
    outputs: { parameters, artifacts: outArtifacts },
    artifacts,
  };
  if (row.id) result.taskRowId = row.id;
  return result;
}

export function toRef(a: Artifact): ArtifactRef {
  const metadata: JsonObject = {};
  for (const [k, v] of Object.entries(a.customProperties ?? {})) {
    if (k === 'display_name' || k === 'store_session_info') continue;
    const pv = plainValue(v);
    if (pv !== undefined) metadata[k] = pv;
  }
  const ref: ArtifactRef = { id: String(a.id), uri: a.uri ?? '', schemaTitle: a.type ?? 'system.Artifact' };
  if (Object.keys(metadata).length > 0) ref.metadata = metadata;
  return ref;
}

/**
 * The handoff's own record of what it wrote at a target: the objects of each imported output, with
 * their SHA-256, so that an object altered or lost afterwards is detected (KFP itself never looks),
 * and so that the next hop reuses the SHA-256 instead of reading the bytes again.
 *
 * It is a custom property of the imported *execution*, keyed by output name, never of the artifact:
 * KFP hands every custom property of an input artifact to the component as `artifact.metadata`
 * (`2.17.0:backend/src/v2/metadata/converter.go:181-221`, toRuntimeArtifact), so a property there
 * would show up in users' code. An execution's custom properties reach no component: the driver reads
 * only `outputs` from a cached execution (`2.17.0:backend/src/v2/metadata/model.go:32-54`), and a
 * cache lookup (ours, and the export of the next hop) finds the imported execution through the
 * cache row anyway. Artifacts imported by earlier versions carry it as an artifact property; that is
 * still read, and never written again.
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

/** One imported artifact of an output: its URI at the target and its objects (`[]`: recorded with none). */
export interface RecordedArtifact {
  uri: string;
  objects: RecordedObject[];
  /** `records`: the handoff deliberately carried no bytes (no step here reads them; src/plan/travel.ts). */
  travels?: 'records';
}

/** Output name → its imported artifacts (a container output has one). */
export type RecordedOutputs = Record<string, RecordedArtifact[]>;

/** Whether the object is still the one recorded: same size, and same sha256 or else same ETag. */
export function matchesRecord(
  head: { size: number; sha256: string | undefined; etag: string | undefined },
  o: RecordedObject,
): boolean {
  if (head.size !== o.size) return false;
  if (head.sha256 !== undefined && o.sha256 !== undefined) return head.sha256 === o.sha256;
  if (o.etag !== undefined) return sameEtag(head.etag, o.etag);
  // Recorded with a digest the object does not carry: it was replaced by a plain PUT.
  return o.sha256 === undefined;
}

/** The record an imported execution carries (empty for executions KFP ran). */
export function recordedOutputs(e: Execution | undefined): RecordedOutputs {
  const raw = e?.customProperties?.[OBJECTS_PROPERTY]?.stringValue;
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as RecordedOutputs;
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** The execution property value for a record. */
export function recordedOutputsValue(record: RecordedOutputs): string {
  return JSON.stringify(record);
}

/**
 * What the handoff recorded for one output artifact: `[]` when it had no objects, undefined when
 * nothing was recorded (KFP produced it here, or the record is incomplete).
 */
export function recordedObjectsOf(record: RecordedOutputs, output: string, a: Artifact): RecordedObject[] | undefined {
  const entry = record[output]?.find((r) => r.uri === a.uri);
  if (entry && Array.isArray(entry.objects)) return entry.objects;
  return legacyRecordedObjects(a);
}

/** The artifact property earlier versions wrote. */
function legacyRecordedObjects(a: Artifact): RecordedObject[] | undefined {
  const raw = a.customProperties?.[OBJECTS_PROPERTY]?.stringValue;
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as RecordedObject[];
    return Array.isArray(v) && v.length > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Artifact types the SDK records without writing any object: `Metrics.log_metric` and the
 * classification metrics' `log_*` only set metadata (`2.17.0:sdk/python/kfp/dsl/types/
 * artifact_types.py:213-421`), the executor only creates the parent directory (`executor.py:504-505`),
 * and the launcher records an output whose file was never written ("We allow components to not
 * produce output files", `2.17.0:backend/src/v2/component/launcher_v2.go:824-837`). Any other
 * output can be left unwritten too, but where KFP produced it nothing tells that from objects
 * deleted later: for those, no object is reported as missing bytes (a run with caching off
 * produces them again), unless a handoff recorded the artifact with no objects.
 */
export const NO_BYTES_TYPES: ReadonlySet<string> = METRICS_ARTIFACT_TYPES;

/**
 * An artifact's bytes are an object at its URI, or a "directory" of objects under `<uri>/`
 * (KFP's launcher uploads a directory output recursively). Only URIs in this store's buckets are
 * checked; other URIs (e.g. an importer's external data) are outside what a handoff moves.
 */
export async function bytesPresent(
  store: ObjectStore,
  uri: string,
  recorded?: RecordedObject[],
  type?: string,
): Promise<{ ok: true; external?: boolean; noBytes?: boolean } | { ok: false; reason: string }> {
  let ref;
  try {
    ref = store.resolve(uri);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (recorded && recorded.length === 0) {
    // Imported here with no objects (its producer never wrote any): there is nothing to lose.
    return { ok: true, noBytes: true };
  }
  if (recorded) {
    // Imported here: every object must still be what the handoff wrote (size and our SHA-256).
    for (const o of recorded) {
      const key = o.path === '' ? ref.key : `${ref.key.replace(/\/+$/, '')}/${o.path}`;
      const head = await store.head({ bucket: ref.bucket, key });
      if (!head) return { ok: false, reason: `artifact bytes missing (${key})` };
      if (!matchesRecord(head, o)) {
        return {
          ok: false,
          reason:
            `artifact bytes altered (${key} is not what the handoff copied: size ${head.size}, ` +
            `sha256 ${head.sha256 ?? 'unknown'}, ETag ${head.etag ?? 'none'})`,
        };
      }
    }
    return { ok: true };
  }
  const head = await store.head(ref);
  if (head) return { ok: true };
  for await (const _ of store.list(ref.bucket, `${ref.key.replace(/\/+$/, '')}/`, { pageSize: 1 })) return { ok: true };
  if (type !== undefined && NO_BYTES_TYPES.has(type)) return { ok: true, noBytes: true };
  return { ok: false, reason: 'artifact bytes missing' };
}
