// The public shapes of the KFP v2 driver emulation: what a visitor is asked, what it answers, and
// what a whole walk returns. The walk mirrors the Argo workflow KFP 2.17.0 compiles
// (`backend/src/v2/compiler/argocompiler/dag.go`) and the drivers it runs
// (`backend/src/v2/driver/{root_dag,dag,container,k8s}.go`); see `drive.ts`.
import type { CacheKeyInput } from '../fingerprint/index.js';
import type { TaskKind, TaskNode } from '../graph.js';
import type { IrArtifactType, JsonObject, JsonValue } from '../ir.js';

/** An artifact as a driver passes it on: `RuntimeArtifact` with `name` = the MLMD artifact id. */
export interface ArtifactRef {
  /** MLMD artifact id, decimal (`backend/src/v2/metadata/converter.go` toRuntimeArtifact). */
  id: string;
  uri: string;
  schemaTitle: string;
  schemaVersion?: string;
  metadata?: JsonObject;
}

export interface TaskOutputs {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRef[]>;
}

export interface ResolvedInputs {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRef[]>;
}

/** Run-level values the driver substitutes into placeholders (`backend/src/v2/driver/resolve.go`). */
export interface DriveRunInfo {
  /** IR `pipelineInfo.name`. */
  pipelineName: string;
  pipelineRoot?: string;
  /** KFP run id: `{{$.pipeline_job_uuid}}`. */
  runId?: string;
  /** Run display name: `{{$.pipeline_job_name}}` (driver flag `run_display_name`). */
  runName?: string;
  /** Argo workflow name: `{{$.pipeline_job_resource_name}}`, final status, workspace PVC (driver flag `run_name`). */
  jobResourceName?: string;
  /** `{{$.pipeline_job_create_time_utc}}`. */
  createTimeUtc?: string;
  /** `{{$.pipeline_job_schedule_time_utc}}`. */
  scheduleTimeUtc?: string;
}

/** What the importer launcher would import (`backend/src/v2/component/importer_launcher.go`). */
export interface ImporterCall {
  /** The single output artifact name of the importer component. */
  outputName: string;
  /** Resolved from `artifactUri.constant` or the parent DAG's input named by `runtimeParameter`. */
  artifactUri: string;
  typeSchema: IrArtifactType;
  /**
   * The importer spec's metadata, as KFP 2.17.0 records it: placeholders such as
   * `{{$.inputs.parameters['x']}}` are NOT substituted by its importer launcher.
   */
  metadata?: JsonObject;
  /** `reimport: false` makes KFP reuse a matching artifact of the same pipeline (FindMatchedArtifact). */
  reimport: boolean;
  downloadToWorkspace: boolean;
}

export interface ExecutableCall<D = unknown> {
  /** Task keys from the root DAG, e.g. `['for-loop-2','print-struct']`. */
  path: string[];
  /** Loop indexes of the enclosing loops, outermost first (`[]` outside loops). */
  iteration: number[];
  node: TaskNode;
  /** The executor input's resolved inputs, as the KFP driver builds them. */
  inputs: ResolvedInputs;
  /** For container and platform-op tasks (always computed; KFP hashes it only when caching is on). */
  cacheKeyInput?: CacheKeyInput;
  /**
   * Set when KFP's key for this task holds a value that differs on every run, so it can never be a
   * cache hit (createpvc without `pvc_name`: the driver adds a random UUID-named input, driver/k8s.go).
   * `cacheKeyInput` then holds the deterministic remainder only.
   */
  neverCacheHit?: string;
  /** For importer tasks. */
  importer?: ImporterCall;
  /** `cachingOptions.enableCache`. */
  cachingEnabled: boolean;
  /** The visitor's own handle for the enclosing DAG execution. */
  parentDag: D;
  run: DriveRunInfo;
}

export type VisitResult =
  | { state: 'succeeded' | 'cached'; outputs: TaskOutputs }
  | { state: 'failed'; error: string }
  | { state: 'unavailable'; reason: string };

/**
 * Why a task did not run. 'upstream skipped': Argo's `depends: "x.Succeeded"` is false for a skipped
 * `x`. 'fail fast': Argo stops scheduling new tasks of a DAG once one failed (`failFast` defaults to
 * true). 'not selected': outside `rootTasks` (never passed to the visitor: such tasks do not exist in
 * a pruned run).
 */
export type SkipReason = 'condition false' | 'upstream failed' | 'upstream skipped' | 'fail fast' | 'not selected';

export interface DagCall<D> {
  path: string[];
  iteration: number[];
  /** Undefined for the root DAG. */
  node?: TaskNode;
  inputs: ResolvedInputs;
  parent?: D;
  /** Set on a ParallelFor's loop DAG (KFP's `iteration_count`). */
  iterationCount?: number;
  /** Set on one iteration of a ParallelFor (KFP's `iteration_index`); its `parent` is the loop DAG. */
  iterationIndex?: number;
  run: DriveRunInfo;
}

/** MLMD states the emulation tracks for DAG executions (`metadata/client.go` UpdateDAGExecutionsState). */
export type DagMlmdState = 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCELED';

export interface DagExit {
  state: 'succeeded' | 'failed' | 'unavailable';
  outputs: TaskOutputs;
  /** The DAG execution's MLMD state as KFP would have left it (drives `taskFinalStatus.state`). */
  mlmdState: DagMlmdState;
}

export interface SkippedCall {
  path: string[];
  iteration: number[];
  node: TaskNode;
  reason: Exclude<SkipReason, 'not selected'>;
  /** Resolved inputs, for 'condition false' (KFP still creates a CANCELED execution with them). */
  inputs?: ResolvedInputs;
}

export interface DriverVisitor<D = unknown> {
  enterDag(call: DagCall<D>): Promise<D>;
  exitDag(frame: D, result: DagExit): Promise<void>;
  executable(call: ExecutableCall<D>): Promise<VisitResult>;
  skipped?(call: SkippedCall, parent: D): Promise<void>;
  /**
   * The MLMD id of a DAG execution; only needed when a task uses `{{$.pipeline_task_uuid}}`, which
   * KFP 2.17.0 resolves to the parent DAG's execution id (resolve.go). Without it such a task fails.
   */
  dagExecutionId?(frame: D): string | undefined;
}

export interface DriveOptions {
  /** Run parameters (`runtime_config.parameters`); defaults from the root `inputDefinitions` fill the rest. */
  parameters: Record<string, JsonValue>;
  /** Only these root tasks and their ancestors, as in a pruned run (`src/pipeline/prune.ts`). */
  rootTasks?: Iterable<string>;
  pipelineRoot?: string;
  runId?: string;
  runName?: string;
  jobResourceName?: string;
  createTimeUtc?: string;
  scheduleTimeUtc?: string;
  /** Executable visits in flight at once (default 4). */
  concurrency?: number;
  /**
   * The location's `--publish_logs` (default true): whether container tasks' cache keys and outputs
   * include `executor-logs` (`2.17.0:backend/src/v2/driver/driver.go:755`). Never for platform ops.
   */
  publishLogs?: boolean;
}

export type TaskRunState = 'succeeded' | 'cached' | 'failed' | 'skipped' | 'unavailable';

export interface TaskRunRecord {
  path: string[];
  iteration: number[];
  kind: TaskKind;
  state: TaskRunState;
  outputs?: TaskOutputs;
  /** For 'failed'. */
  error?: string;
  /** For 'skipped'. */
  skipReason?: SkipReason;
  /** For 'unavailable'. */
  reason?: string;
  /** For a ParallelFor loop DAG. */
  iterationCount?: number;
  /** For DAG tasks and iterations. */
  mlmdState?: DagMlmdState;
}

export interface DriveResult {
  state: 'succeeded' | 'failed' | 'unavailable';
  /** The first failure, with the task it happened in. */
  error?: string;
  /** Every task, loop iteration and skipped task, in the order they finished. */
  tasks: TaskRunRecord[];
  /** Records by {@link taskRecordKey}. */
  byKey: Map<string, TaskRunRecord>;
  /** The root DAG's outputs (`root.dag.outputs`). */
  outputs: TaskOutputs;
}

/** `for-loop-2/print-struct@1` — the key of a record in {@link DriveResult.byKey}. */
export function taskRecordKey(path: readonly string[], iteration: readonly number[] = []): string {
  return iteration.length > 0 ? `${path.join('/')}@${iteration.join(',')}` : path.join('/');
}
