// What KFP's driver does to decide a cache hit at one location, read-only: the newest task-table
// row for (fingerprint, `pipeline/<pipelineInfo.name>`, namespace) names an MLMD execution, whose
// OUTPUT events name the artifacts and whose `outputs` property holds the output parameters
// (`backend/src/v2/cacheutils/cache.go` GetExecutionCache; `driver/cache.go` reuseCachedOutputs).
// Unlike KFP, we also check that the artifacts' bytes exist: KFP never does, and a cache hit on
// missing bytes fails the first task that reads them.
//
// Cost: lookups are answered in batches (lookupCacheMany, CacheLookupBatcher): per batch one
// cache-row query per 50 fingerprints (KFP), one GetExecutionsByID, GetEventsByExecutionIDs and
// GetArtifactsByID per 100 ids (MLMD's list forms), and one listing per run directory for the byte
// checks (S3), HEADs only where a listing cannot tell. None of it grows with the location's history.
import type { KfpClient, KfpTask } from '../location/kfp/index.js';
import { where, eq, oneOf } from '../location/kfp/index.js';
import type { Artifact, Execution, MlmdClient } from '../location/mlmd/index.js';
import { fromStruct, plainValue } from '../location/mlmd/index.js';
import {
  listCovering,
  sameEtag,
  type Listing,
  type ObjectRef,
  type ObjectStore,
} from '../location/objectstore/index.js';
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

/**
 * Fingerprints per batched cache-row query. Each is 64 hex characters in a URL-encoded filter (the
 * JSON is encoded twice, see the KFP client), so 50 keep the request line near 8 KiB, well under
 * what KFP's Go server and the usual gateways in front of it (Envoy: 60 KiB of headers) accept.
 */
export const FINGERPRINTS_PER_ROW_QUERY = 50;
/** KFP's largest page (`2.17.0:backend/src/apiserver/list/list.go:483-484`, maxPageSize 200). */
const ROW_PAGE_SIZE = 200;
/**
 * Ids per MLMD by-id read. MLMD takes any number (`metadata_store.cc` GetExecutionsByID passes the
 * whole list to one `id IN (...)` query), but a reply must stay well within gRPC's message limit
 * whatever the records' properties hold.
 */
export const IDS_PER_READ = 100;

/**
 * The newest row of each fingerprint, for many fingerprints at once: the same three predicates as
 * newestCacheRow with the fingerprint as an `IN` list (KFP's filter: `2.17.0:backend/src/apiserver/
 * filter/filter.go:379-383` takes IN with a list; `list.go` orders by the sort column then the
 * primary key, so the first row of a fingerprint in one `created_at desc` listing is the row a
 * one-fingerprint query with page size 1 returns). One request per 50 fingerprints; a fingerprint
 * that a full page crowded out (other fingerprints with many rows) is asked on its own, as before,
 * so the count never follows pages of old rows: at most one request per fingerprint more.
 */
export async function newestCacheRows(
  kfp: KfpClient,
  pipelineName: string,
  fingerprints: readonly string[],
  namespace: string,
): Promise<Map<string, KfpTask>> {
  const wanted = [...new Set(fingerprints)];
  const out = new Map<string, KfpTask>();
  for (let i = 0; i < wanted.length; i += FINGERPRINTS_PER_ROW_QUERY) {
    const chunk = wanted.slice(i, i + FINGERPRINTS_PER_ROW_QUERY);
    if (chunk.length === 1) {
      const row = await newestCacheRow(kfp, pipelineName, chunk[0]!, namespace);
      if (row) out.set(chunk[0]!, row);
      continue;
    }
    const preds = [
      oneOf('fingerprint', chunk),
      eq('pipelineName', cachePipelineName(pipelineName)),
      eq('namespace', namespace),
    ];
    const page = await kfp.listTasks({ filter: where(...preds), sortBy: 'created_at desc', pageSize: ROW_PAGE_SIZE });
    for (const row of page.items) if (row.fingerprint && !out.has(row.fingerprint)) out.set(row.fingerprint, row);
    // A page that is not full holds every row of these fingerprints: the others have none.
    if (!page.nextPageToken) continue;
    for (const fp of chunk) {
      if (out.has(fp)) continue;
      const row = await newestCacheRow(kfp, pipelineName, fp, namespace);
      if (row) out.set(fp, row);
    }
  }
  return out;
}

/** `loc.podNamespace`: the namespace KFP's pods run in there (driver-settings.ts), which its cache rows carry. */
export async function lookupCache(
  loc: LocationReaders & { podNamespace: string },
  pipelineName: string,
  fingerprint: string,
  checkBytes = true,
): Promise<CacheLookup> {
  return (await lookupCacheMany(loc, pipelineName, [fingerprint], checkBytes)).get(fingerprint)!;
}

/** Reads `ids` in chunks of IDS_PER_READ (none for no ids). */
async function readByIds<T>(ids: readonly number[], read: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_READ) out.push(...(await read(unique.slice(i, i + IDS_PER_READ))));
  return out;
}

/** The OUTPUT events and artifacts of executions, read with list calls: two per IDS_PER_READ executions (MLMD). */
export async function outputArtifactsOf(
  mlmd: MlmdClient,
  executionIds: readonly number[],
): Promise<Map<number, OutputArtifact[]>> {
  const events = (await readByIds(executionIds, (c) => mlmd.getEventsByExecutionIDs(c))).filter(
    (e) => e.type === 'OUTPUT',
  );
  const ids = events.map((e) => e.artifactId).filter((x): x is number => x !== undefined);
  const byId = new Map((await readByIds(ids, (c) => mlmd.getArtifactsByID(c))).map((a) => [a.id!, a]));
  const out = new Map<number, OutputArtifact[]>(executionIds.map((id) => [id, []]));
  for (const e of events) {
    const a = byId.get(e.artifactId!);
    const output = e.path?.steps?.[0]?.key;
    if (!a || output === undefined || e.executionId === undefined) continue;
    (out.get(e.executionId) ?? out.set(e.executionId, []).get(e.executionId)!).push({ output, artifact: a });
  }
  return out;
}

/**
 * lookupCache for many fingerprints with list reads: one cache-row query per 50 fingerprints (KFP),
 * then one GetExecutionsByID, one GetEventsByExecutionIDs and one GetArtifactsByID per 100 ids
 * (MLMD), whatever the location's history holds. Byte checks stay one per artifact (S3).
 */
export async function lookupCacheMany(
  loc: LocationReaders & { podNamespace: string },
  pipelineName: string,
  fingerprints: readonly string[],
  checkBytes = true,
): Promise<Map<string, CacheLookup>> {
  const rows = await newestCacheRows(loc.kfp, pipelineName, fingerprints, loc.podNamespace);
  const executionIds = [...rows.values()].flatMap((r) => (r.mlmdExecutionID ? [Number(r.mlmdExecutionID)] : []));
  const executions = new Map(
    (await readByIds(executionIds, (c) => loc.mlmd.getExecutionsByID(c))).map((e) => [e.id!, e]),
  );
  const outputs = await outputArtifactsOf(loc.mlmd, [...executions.keys()]);
  const listings = checkBytes ? await runListings(loc.store, outputs) : new Map<string, Listing>();
  const results = await mapLimited([...new Set(fingerprints)], BYTE_CHECKS_AT_ONCE, async (fingerprint) => {
    const row = rows.get(fingerprint);
    const executionId = Number(row?.mlmdExecutionID);
    const execution = executions.get(executionId);
    return [
      fingerprint,
      await lookupResult(loc, fingerprint, row, execution, outputs.get(executionId) ?? [], checkBytes, listings),
    ] as const;
  });
  return new Map(results);
}

/** Byte checks of a batch in flight at once (each is one or two S3 requests). */
const BYTE_CHECKS_AT_ONCE = 8;

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function lookupResult(
  loc: LocationReaders,
  fingerprint: string,
  row: KfpTask | undefined,
  execution: Execution | undefined,
  artifacts: OutputArtifact[],
  checkBytes: boolean,
  listings: Map<string, Listing>,
): Promise<CacheLookup> {
  const short = fingerprint.slice(0, 12);
  if (!row || !row.mlmdExecutionID) return { hit: false, fingerprint, reason: `no cache row for fingerprint ${short}` };
  const executionId = Number(row.mlmdExecutionID);
  if (!execution)
    return {
      hit: false,
      fingerprint,
      reason: `the cache row for fingerprint ${short} names MLMD execution ${executionId}, which does not exist`,
    };
  const outArtifacts: Record<string, ArtifactRef[]> = {};
  for (const { output, artifact } of artifacts) (outArtifacts[output] ??= []).push(toRef(artifact));
  if (checkBytes) {
    const record = recordedOutputs(execution);
    for (const { output, artifact } of artifacts) {
      if (!artifact.uri) continue;
      const recorded = recordedObjectsOf(record, output, artifact);
      const present =
        presentInListing(loc.store, listings, artifact.uri, recorded, artifact.type) ??
        (await bytesPresent(loc.store, artifact.uri, recorded, artifact.type));
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

/**
 * The directory a byte check lists instead of HEADing each object: the run's directory. KFP writes
 * every output under `<root>/<pipeline>/<run id>/<task>/<salt>/<output>` (the run's root is
 * `GenerateOutputURI(root, [pipelineName, runID])`, `2.17.0:backend/src/v2/metadata/client.go:420`;
 * the task root adds the task and a salt, `2.17.0:backend/src/v2/driver/driver.go:775-786`), and a
 * handoff keeps that relative path. A run id is a UUID, so the first UUID segment of the key closes
 * the run's directory: it holds the outputs of that run only, so its listing follows the size of
 * the run, never the history. Without one, two levels above the key. Undefined for a key too short.
 */
const UUID_SEGMENT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function runDirectoryOf(ref: ObjectRef): string | undefined {
  const parts = ref.key.replace(/\/+$/, '').split('/');
  const run = parts.findIndex((p) => UUID_SEGMENT.test(p));
  if (run >= 0 && run < parts.length - 1) return `${ref.bucket}/${parts.slice(0, run + 1).join('/')}/`;
  return parts.length >= 4 ? `${ref.bucket}/${parts.slice(0, -2).join('/')}/` : undefined;
}

/**
 * One listing per run directory holding two or more of the batch's artifacts (listCovering: one
 * request per 1,000 objects, abandoned past 4 entries per key, then each object is looked at on its
 * own as before). Keyed by run directory.
 */
async function runListings(store: ObjectStore, outputs: Map<number, OutputArtifact[]>): Promise<Map<string, Listing>> {
  const groups = new Map<string, ObjectRef[]>();
  for (const list of outputs.values())
    for (const { artifact } of list) {
      if (!artifact.uri) continue;
      let ref: ObjectRef;
      try {
        ref = store.resolve(artifact.uri);
      } catch {
        continue;
      }
      const dir = runDirectoryOf(ref);
      if (dir !== undefined) groups.set(dir, [...(groups.get(dir) ?? []), ref]);
    }
  const out = new Map<string, Listing>();
  await mapLimited(
    [...groups].filter(([, refs]) => refs.length >= 2),
    BYTE_CHECKS_AT_ONCE,
    async ([dir, refs]) => {
      const listing = await listCovering(store, refs);
      if (listing) out.set(dir, listing);
    },
  );
  return out;
}

/**
 * bytesPresent answered from a listing of the artifact's run directory, or undefined when there is
 * none or it cannot tell (a recorded object with a SHA-256 but no ETag needs its metadata: HEAD).
 * Same rules: recorded objects must be there with the recorded size and ETag; an object KFP wrote is
 * there at its key or under `<key>/`.
 */
function presentInListing(
  store: ObjectStore,
  listings: Map<string, Listing>,
  uri: string,
  recorded: RecordedObject[] | undefined,
  type: string | undefined,
): Awaited<ReturnType<typeof bytesPresent>> | undefined {
  let ref: ObjectRef;
  try {
    ref = store.resolve(uri);
  } catch {
    return undefined;
  }
  const dir = runDirectoryOf(ref);
  const listing = dir === undefined ? undefined : listings.get(dir);
  if (!listing) return undefined;
  if (recorded && recorded.length === 0) return { ok: true, noBytes: true };
  if (recorded) {
    if (recorded.some((o) => o.etag === undefined)) return undefined;
    for (const o of recorded) {
      const key = o.path === '' ? ref.key : `${ref.key.replace(/\/+$/, '')}/${o.path}`;
      const seen = listing.at({ bucket: ref.bucket, key });
      if (!seen) return { ok: false, reason: `artifact bytes missing (${key})` };
      if (!matchesRecord({ size: seen.size, sha256: undefined, etag: seen.etag }, o))
        return {
          ok: false,
          reason:
            `artifact bytes altered (${key} is not what the handoff copied: size ${seen.size}, ` +
            `ETag ${seen.etag ?? 'none'})`,
        };
    }
    return { ok: true };
  }
  if (listing.at(ref) || listing.under(ref).length > 0) return { ok: true };
  if (type !== undefined && NO_BYTES_TYPES.has(type)) return { ok: true, noBytes: true };
  return { ok: false, reason: 'artifact bytes missing' };
}

/**
 * Lookups asked for while a walk fans out, answered together: every lookup asked before the event
 * loop next turns (the tasks that became ready when the previous batch answered) goes into one
 * lookupCacheMany, and a batch answers all its lookups at once, so the next wave is asked together
 * too. A walk of a pipeline of depth D thus costs about D batches, not one set of reads per task.
 * A fingerprint asked twice in one walk is read once.
 */
export class CacheLookupBatcher {
  private readonly asked = new Map<string, Promise<CacheLookup>>();
  private pending: { fingerprint: string; resolve: (l: CacheLookup) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly loc: LocationReaders & { podNamespace: string },
    private readonly pipelineName: string,
    private readonly checkBytes = true,
  ) {}

  lookup(fingerprint: string): Promise<CacheLookup> {
    const known = this.asked.get(fingerprint);
    if (known) return known;
    const promise = new Promise<CacheLookup>((resolve, reject) => this.pending.push({ fingerprint, resolve, reject }));
    this.asked.set(fingerprint, promise);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    return promise;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const found = await lookupCacheMany(
        this.loc,
        this.pipelineName,
        batch.map((p) => p.fingerprint),
        this.checkBytes,
      );
      for (const p of batch) p.resolve(found.get(p.fingerprint)!);
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
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
  return parseRecordedOutputs(e?.customProperties?.[OBJECTS_PROPERTY]?.stringValue);
}

/** A record as stored (a JSON string; the native backend keeps it in the task's custom properties). */
export function parseRecordedOutputs(raw: string | undefined): RecordedOutputs {
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
