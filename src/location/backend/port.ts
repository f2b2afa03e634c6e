/**
 * The location backend port: everything observe, verify, handoff, export/import and status need from a
 * location's *run metadata*, in the product's own terms. Two implementations:
 *
 * - `mlmd` (KFP 2.14–2.17, src/location/backend/mlmd.ts): ML Metadata executions, artifacts and events,
 *   plus the API server's cache-row table (`/apis/v1alpha1/tasks`);
 * - `native` (the next KFP, kubeflow/pipelines #13986 at 6585b5143d, src/location/backend/native.ts): the
 *   API server's run-scoped tasks, artifacts, artifact–task links and `POST /apis/v2beta1/tasks:findCached`.
 *
 * Rules of the port (docs/backend-port.md says why):
 * - Records are named by the location's own ids as **strings** (MLMD's integers in decimal; the native
 *   API's UUIDs), and by **global ids** (`split-pipelines/v1/<origin>/<kind>/<id>`) that travel unchanged
 *   along a chain of handoffs. Nothing here is an MLMD message, so the bundle format can stop depending on
 *   MLMD types.
 * - Metadata is plain JSON (`JsonObject`): what KFP hands to components as `artifact.metadata`.
 * - The port carries records only. Bytes stay with the object store (`ObjectStore`), and the byte checks
 *   (`bytesPresent`, src/observe/cache-lookup.ts) work on the URIs and recorded objects the port returns.
 * - Writes are idempotent: `importRecords` finds by global id before it creates, and the cache entry is the
 *   commit point (written last; until it exists KFP does not see the step as cached there).
 */
import type { ImporterCall } from '../../pipeline/driver/types.js';
import type { CacheKeyInput } from '../../pipeline/fingerprint/index.js';
import type { JsonObject, JsonValue } from '../../pipeline/ir.js';
import type { StageVerification } from '../../plan/observation.js';

export type BackendKind = 'mlmd' | 'native';

/** How `plan` and `status` name a location's backend, and how it was told. */
export interface BackendDescription {
  kind: BackendKind;
  /** e.g. `ML Metadata at host:8080 with the task table`, `native task and artifact API`. */
  detail: string;
}

/** Global ids (see src/sync/global-id.ts): one prefix for both backends; the id part is the origin's own id. */
export const GLOBAL_ID_PREFIX = 'split-pipelines/v1';
export type RecordKind = 'artifact' | 'execution';

/** The global id of a record whose origin is `location` (an imported record keeps the one it carries). */
export function globalIdFor(location: string, kind: RecordKind, localId: string): string {
  return `${GLOBAL_ID_PREFIX}/${location}/${kind}/${localId}`;
}

/** Origin, kind and the origin's local id of a global id (MLMD: decimal; native: a UUID), or undefined. */
export function parseAnyGlobalId(gid: string): { origin: string; kind: RecordKind; localId: string } | undefined {
  const m = /^split-pipelines\/v1\/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/(artifact|execution)\/([0-9A-Za-z-]+)$/.exec(gid);
  if (!m) return undefined;
  return { origin: m[1]!, kind: m[2] as RecordKind, localId: m[3]! };
}

/** One artifact record. */
export interface ArtifactRecord {
  /** The location's own id. */
  id: string;
  globalId: string;
  /** Schema title, e.g. `system.Dataset`. */
  type: string;
  uri: string;
  /** What KFP hands to components as the artifact's metadata. */
  metadata: JsonObject;
}

/** How a task of a run ended, as the location recorded it. */
export type TaskOutcome = 'executed' | 'cached' | 'failed' | 'running' | 'canceled' | 'skipped';

/** One executable task of a run (container or importer). */
export interface TaskRecord {
  id: string;
  globalId: string;
  kind: 'container' | 'importer';
  /** The root task of the pipeline it belongs to (its path's first element), when the records tell it. */
  rootTask?: string;
  outcome: TaskOutcome;
  /** The fingerprint the location's driver computed for it. */
  fingerprint?: string;
}

/** A run's executable tasks: the executed and cached steps. `found` false: the location recorded nothing of it. */
export interface RunRecord {
  runId: string;
  found: boolean;
  tasks: TaskRecord[];
  /** Root task names with any record in the run (DAGs included), to tell "did not run" from "condition false". */
  rootTasksSeen: string[];
}

/** How the location's driver scopes its cache lookups and keys. */
export interface CacheScope {
  /** The namespace lookups use; undefined when it cannot be known yet (MLMD: nothing ran there). */
  namespace?: string;
  /** `--publish_logs`: whether keys hold an `executor-logs` output. */
  publishLogs: boolean;
  publishLogsFrom: 'file' | 'run' | 'default';
  /** Why the namespace is unknown, for messages. */
  unknownNamespace?: string;
}

/** The task a cache lookup found, with its outputs as the driver reuses them. */
export interface CacheHit {
  hit: true;
  fingerprint: string;
  /** The task (MLMD: execution) whose outputs are reused. */
  task: { id: string; globalId: string };
  parameters: Record<string, JsonValue>;
  artifacts: { output: string; artifact: ArtifactRecord }[];
  /** The handoff's record of the objects it wrote for these outputs (cache-lookup.ts OBJECTS_PROPERTY), raw. */
  recordedObjects?: string;
  /** When the location created the task (its clock, whole seconds in KFP), where the location tells. */
  createdAt?: string;
}

export interface CacheMiss {
  hit: false;
  fingerprint: string;
  reason: string;
}

export type CacheAnswer = CacheHit | CacheMiss;

/** An artifact to import (from a bundle). */
export interface ImportArtifact {
  globalId: string;
  type: string;
  /** URI at the target. */
  uri: string;
  metadata: JsonObject;
}

/** A task to import under the marker run, and the cache entry that makes the target's driver reuse it. */
export interface ImportTask {
  globalId: string;
  /** Task path from the root DAG and loop iteration (the first element is the root task). */
  path: string[];
  iteration: number[];
  kind: 'container' | 'importer';
  /** The fingerprint the *target's* driver computes; absent: nothing to look up (no cache entry). */
  fingerprint?: string;
  parameters: Record<string, JsonValue>;
  outputs: { name: string; artifact: string }[];
  /**
   * Input artifacts by input name, with how the task got them as the driver links them (`TASK_OUTPUT_INPUT` or
   * `COMPONENT_INPUT`) and the task that produced them (the next KFP requires a producer on every link).
   */
  inputs: { name: string; artifacts: string[]; type?: string; producer?: { taskName: string; iteration?: number } }[];
  /** The handoff's record of the objects written (cache-lookup.ts OBJECTS_PROPERTY), raw. */
  recordedObjects?: string;
  /** Descriptive properties kept from the source (task name, image, …). */
  properties: JsonObject;
}

export interface ImportRequest {
  /** IR `pipelineInfo.name`. */
  pipelineName: string;
  /** The marker run that owns the imported records and cache entries. */
  markerRunId: string;
  artifacts: ImportArtifact[];
  /** Artifacts the tasks consume that must already be at the target (by global id). */
  consumedOnly: string[];
  tasks: ImportTask[];
}

export interface ImportResult {
  /** Global id → the target's id, for every artifact and task of the request. */
  artifactIds: Map<string, string>;
  taskIds: Map<string, string>;
  artifactsCreated: number;
  tasksCreated: number;
  cacheEntriesCreated: number;
}

/**
 * A location's run metadata. Every method reads or writes records only, never bytes. Implementations keep
 * their requests independent of the location's history where the API lets them (docs/backend-port.md).
 */
export interface LocationBackend {
  readonly kind: BackendKind;
  readonly location: string;
  describe(): BackendDescription;
  /** The namespace and `--publish_logs` the location's driver uses for its keys and lookups. */
  cacheScope(): Promise<CacheScope>;
  /**
   * The fingerprint this location's driver computes for a task (MLMD KFP: 2.14–2.17 keys; next: the key with
   * native input artifact ids and `__kfp_pipeline_name`). `input.inputArtifactIds` are ids at this location.
   */
  fingerprint(input: CacheKeyInput, pipelineName: string): string;
  /** The lookup the driver makes, for many fingerprints at once; records only (no byte check). */
  lookupCache(
    pipelineName: string,
    fingerprints: readonly string[],
    scope: CacheScope,
  ): Promise<Map<string, CacheAnswer>>;
  /** A run's executable tasks, to verify it through the location's own records. */
  runRecord(runId: string): Promise<RunRecord>;
  /** Artifact records by the location's ids (missing ids are left out). */
  artifacts(ids: readonly string[]): Promise<Map<string, ArtifactRecord>>;
  /** Artifact records by global id (those not here are left out). */
  findArtifacts(globalIds: readonly string[]): Promise<Map<string, ArtifactRecord>>;
  /**
   * The artifact this location's importer would reuse for the call (none with `reimport`, or when it would
   * create a new one): the downstream tasks' keys hold its id, so walks, exports and imports must pick it.
   */
  importerArtifact(call: ImporterCall, pipelineName: string): Promise<ArtifactRecord | undefined>;
}

/** An imported task before its fingerprint is known: what `openTasks` creates (not yet a cache answer). */
export type OpenTask = Omit<ImportTask, 'fingerprint' | 'outputs' | 'inputs'>;

/** An artifact to create as an output of the imported task that produced it. */
export interface ProducedArtifact extends ImportArtifact {
  producer: { taskId: string; output: string; iteration?: number };
}

/**
 * What a backend that writes records one by one provides to `importBundleWith` (src/sync/backend-import.ts), which
 * does the rest the same way for every such backend, in the kill-safe order: tasks opened (found by global id, or
 * created RUNNING: no cache answer), artifacts found by global id or created as outputs of their tasks (the next
 * KFP creates no artifact without its task, `next:backend/src/apiserver/server/artifact_server.go:804-846`), the
 * target's fingerprints computed with the target's own artifact ids, then links, and the commit last.
 */
export interface RecordWriter {
  /** Finds the tasks under the marker run by global id, or creates them RUNNING, without a fingerprint. */
  openTasks(
    markerRunId: string,
    tasks: readonly OpenTask[],
  ): Promise<{ taskIds: Map<string, string>; created: number }>;
  /** Creates these artifacts (none of them is at the location yet), each carrying its global id. */
  createArtifacts(markerRunId: string, artifacts: readonly ProducedArtifact[]): Promise<Map<string, ArtifactRecord>>;
  /**
   * Creates the artifact the location's importer would reuse for the call (as its importer creates it, so that
   * it is reused), as an output of the opened importer task `taskId` of the marker run; an equal one is reused.
   */
  createImporterArtifact(markerRunId: string, call: ImporterCall, taskId: string): Promise<ArtifactRecord>;
  /** Links the tasks' inputs and outputs, then makes each the cache answer for its fingerprint (the commit point). */
  writeTasks(
    req: ImportRequest,
    artifactIds: ReadonlyMap<string, string>,
    taskIds: ReadonlyMap<string, string>,
  ): Promise<ImportResult>;
}

/** Verifies a finished stage run from its RunRecord (the rules of src/observe/verify.ts, on domain records). */
export interface VerifyRunRequest {
  location: string;
  runId: string;
  steps: readonly string[];
  fromCache: readonly string[];
  expectedFingerprints?: Record<string, string[]>;
}

export type VerifyRun = (record: RunRecord, req: VerifyRunRequest) => StageVerification;
