/**
 * The seam between the emulated API server and whatever executes runs.
 *
 * In KFP the API server only records a run (state PENDING) and creates an Argo workflow; the
 * workflow controller runs it and the persistence agent reports states and task details back
 * (`backend/src/apiserver/resource/resource_manager.go` `CreateRun`, `ReportWorkflowResource`).
 * In the lab a `RunExecutor` plays the controller + agent: the server hands it each new run and it
 * reports back through the `RunStore`.
 */
import type { JsonObject, JsonValue } from './proto-json.js';

/** `backend/api/v2beta1/run.proto` `RuntimeState`. There is no CACHED state in this API. */
export type RuntimeState =
  | 'RUNTIME_STATE_UNSPECIFIED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'SKIPPED'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED'
  | 'PAUSED';
export type FinalState = 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELED';

export const FINAL_STATES: readonly RuntimeState[] = ['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED'];

/** A run as the executor needs it. */
export interface StoredRun {
  runId: string;
  experimentId: string;
  /** The run's namespace (its experiment's); '' in single-user mode. */
  namespace: string;
  displayName: string;
  description: string;
  /** The PipelineSpec document (first YAML document of the package). */
  pipelineSpec: JsonObject;
  /** The PlatformSpec document, when the package has one. */
  platformSpec?: JsonObject;
  /** Set when the run was created from a pipeline version. */
  pipelineId?: string;
  pipelineVersionId?: string;
  /** `runtime_config.parameters`. */
  parameters: Record<string, JsonValue>;
  /** `runtime_config.pipeline_root`; '' when not given. */
  pipelineRoot: string;
  serviceAccount: string;
  state: RuntimeState;
  /** Seconds since the epoch. */
  createdAt: number;
}

/** The error recorded on a failed run or task (`google.rpc.Status`). */
export interface RunError {
  /** gRPC code; 2 (UNKNOWN) when not given. */
  code?: number;
  message: string;
}

/** One entry of `run_details.task_details` (`PipelineTaskDetail`), as the executor reports it. */
export interface TaskDetailInput {
  taskId: string;
  displayName: string;
  state: RuntimeState;
  createTime?: Date;
  startTime?: Date;
  endTime?: Date;
  /** MLMD execution id. */
  executionId?: string;
  error?: RunError;
  /** Input/output name → MLMD artifact ids. */
  inputs?: Record<string, string[]>;
  outputs?: Record<string, string[]>;
  parentTaskId?: string;
  podName?: string;
  childTasks?: { taskId?: string; podName?: string }[];
}

/** A cache row of the task table (`/apis/v1alpha1/tasks`). */
export interface TaskRow {
  id: string;
  namespace: string;
  /** `pipeline/<pipelineInfo.name>` or `namespace/<ns>/pipeline/<name>`. */
  pipelineName: string;
  runId: string;
  mlmdExecutionID: string;
  /** Seconds since the epoch. */
  createdAt: number;
  finishedAt: number;
  fingerprint: string;
}

export interface NewTaskRow {
  namespace?: string;
  pipelineName: string;
  runId: string;
  mlmdExecutionID: string;
  /** Seconds since the epoch; required, as the API requires `created_at`. */
  createdAt: number;
  finishedAt?: number;
  fingerprint: string;
}

export interface TaskQuery {
  fingerprint?: string;
  pipelineName?: string;
  namespace?: string;
  runId?: string;
}

/** What the executor may read and write. Every method throws `ApiError` on a bad request. */
export interface RunStore {
  getRun(runId: string): StoredRun | undefined;
  /** Records a state change (appends to `state_history`); a final state also sets `finished_at`. */
  setRunState(runId: string, state: RuntimeState, error?: RunError): void;
  /** Replaces `run_details.task_details`. */
  setTaskDetails(runId: string, details: TaskDetailInput[]): void;
  /** Sets `run_details.pipeline_context_id` / `pipeline_run_context_id` (MLMD context ids). */
  setRunContextIds(runId: string, ids: { pipelineContextId?: string; pipelineRunContextId?: string }): void;
  /** Ends a run in a final state. */
  finish(runId: string, state: FinalState, error?: RunError): void;
  /** Writes a cache row with the same rules as `POST /apis/v1alpha1/tasks`. */
  createTask(task: NewTaskRow): TaskRow;
  /** Cache rows matching every given field, newest first (`sort_by=created_at desc`). */
  listTasks(query: TaskQuery): TaskRow[];
}

export interface RunContext {
  store: RunStore;
  /** The KFP version the lab emulates (healthz `tag_name`), e.g. `2.17.0`. */
  kfpVersion: string;
  multiUser: boolean;
}

/**
 * Executes runs. `start` is called once per new run after it is stored in PENDING, and again for
 * runs still PENDING or RUNNING when a lab restarts on existing state (the executor should resume
 * them; cached steps make this cheap). `terminate` is called after the server has moved the run
 * to CANCELING; the executor ends it with `finish(runId, 'CANCELED')`.
 */
export interface RunExecutor {
  start(run: StoredRun, ctx: RunContext): void;
  terminate(runId: string): void;
}
