/**
 * Runs (`backend/src/apiserver/storage/run_store.go`) and their API form
 * (`backend/src/apiserver/server/api_converter.go` `toApiRun`).
 */
import { randomUUID } from 'node:crypto';
import { invalidArgument, notFound } from './api-error.js';
import { nowSeconds, type Db } from './db.js';
import {
  FINAL_STATES,
  type FinalState,
  type RunError,
  type RuntimeState,
  type StoredRun,
  type TaskDetailInput,
} from './executor.js';
import { listRows, type Condition, type ListRequest, type Listable, type Page } from './listing.js';
import { packageToStruct, type PipelinePackage } from './pipeline-spec.js';
import { emit, emitMap, formatTimestamp, type JsonObject, type JsonValue } from './proto-json.js';

export interface RunRow {
  uuid: string;
  experiment_id: string;
  namespace: string;
  display_name: string;
  description: string;
  /** 'spec' when created from an inline pipeline spec, 'version' from a pipeline version. */
  source: 'spec' | 'version';
  pipeline_id: string;
  pipeline_version_id: string;
  /** JSON of the `PipelinePackage` the run executes. */
  pipeline_spec: string;
  parameters: string;
  pipeline_root: string;
  service_account: string;
  storage_state: string;
  state: RuntimeState;
  state_history: string;
  error: string | null;
  created_at: number;
  scheduled_at: number;
  finished_at: number;
  pipeline_context_id: string;
  pipeline_run_context_id: string;
  task_details: string | null;
  recurring_run_id: string;
}

export interface NewRun {
  runId?: string;
  experimentId: string;
  namespace: string;
  displayName: string;
  description?: string;
  source: 'spec' | 'version';
  pipelineId?: string;
  pipelineVersionId?: string;
  pkg: PipelinePackage;
  parameters: Record<string, JsonValue>;
  pipelineRoot?: string;
  serviceAccount?: string;
}

/** `model/run.go` `runAPIToModelFieldMap` (the columns the lab keeps). */
export const RUN_LISTABLE: Listable = {
  table: 'runs',
  model: 'Run',
  fields: {
    run_id: 'uuid',
    id: 'uuid',
    display_name: 'display_name',
    name: 'display_name',
    created_at: 'created_at',
    finished_at: 'finished_at',
    description: 'description',
    scheduled_at: 'scheduled_at',
    storage_state: 'storage_state',
    namespace: 'namespace',
    experiment_id: 'experiment_id',
    state: 'state',
    recurring_run_id: 'recurring_run_id',
  },
  defaultSortColumn: 'created_at',
};

/** KFP's default runner service account when a run names none. */
const DEFAULT_SERVICE_ACCOUNT = 'pipeline-runner';

interface HistoryEntry {
  update_time: number;
  state: RuntimeState;
  error?: RunError;
}

const statusJson = (e: RunError): JsonObject => emit({ code: e.code ?? 2, message: e.message });

const timeJson = (d: Date | undefined): string | undefined =>
  d ? formatTimestamp(Math.floor(d.getTime() / 1000)) : undefined;

const artifactLists = (m: Record<string, string[]> | undefined): JsonObject | undefined =>
  emitMap(
    Object.fromEntries(
      Object.entries(m ?? {}).map(([k, ids]): [string, JsonValue] => [k, emit({ artifact_ids: ids })]),
    ),
  );

/** A `PipelineTaskDetail` in its API form. */
function taskDetailJson(runId: string, d: TaskDetailInput): JsonObject {
  return emit({
    run_id: runId,
    task_id: d.taskId,
    display_name: d.displayName,
    create_time: timeJson(d.createTime),
    start_time: timeJson(d.startTime),
    end_time: timeJson(d.endTime),
    state: d.state === 'RUNTIME_STATE_UNSPECIFIED' ? undefined : d.state,
    execution_id: d.executionId,
    error: d.error ? statusJson(d.error) : undefined,
    inputs: artifactLists(d.inputs),
    outputs: artifactLists(d.outputs),
    parent_task_id: d.parentTaskId,
    pod_name: d.podName,
    child_tasks: d.childTasks?.map((c) => emit({ task_id: c.taskId, pod_name: c.podName })),
  });
}

export function runJson(row: RunRow): JsonObject {
  const parameters = JSON.parse(row.parameters) as Record<string, JsonValue>;
  const runtimeConfig =
    Object.keys(parameters).length > 0 || row.pipeline_root
      ? emit({ parameters: emitMap(parameters), pipeline_root: row.pipeline_root })
      : undefined;
  const taskDetails = row.task_details ? (JSON.parse(row.task_details) as JsonObject[]) : undefined;
  const runDetails =
    row.pipeline_context_id || row.pipeline_run_context_id || taskDetails
      ? emit({
          pipeline_context_id: row.pipeline_context_id,
          pipeline_run_context_id: row.pipeline_run_context_id,
          task_details: taskDetails,
        })
      : undefined;
  const history = JSON.parse(row.state_history) as HistoryEntry[];
  const pkg = JSON.parse(row.pipeline_spec) as PipelinePackage;
  return emit({
    experiment_id: row.experiment_id,
    run_id: row.uuid,
    display_name: row.display_name,
    storage_state: row.storage_state,
    description: row.description,
    pipeline_spec: row.source === 'spec' ? packageToStruct(pkg) : undefined,
    pipeline_version_reference:
      row.source === 'version'
        ? emit({ pipeline_id: row.pipeline_id, pipeline_version_id: row.pipeline_version_id })
        : undefined,
    runtime_config: runtimeConfig,
    service_account: row.service_account,
    created_at: formatTimestamp(row.created_at),
    scheduled_at: formatTimestamp(row.scheduled_at),
    finished_at: formatTimestamp(row.finished_at),
    state: row.state,
    error: row.error ? statusJson(JSON.parse(row.error) as RunError) : undefined,
    run_details: runDetails,
    recurring_run_id: row.recurring_run_id,
    state_history: history.map((h) =>
      emit({
        update_time: formatTimestamp(h.update_time),
        state: h.state,
        error: h.error ? statusJson(h.error) : undefined,
      }),
    ),
  });
}

export function storedRun(row: RunRow): StoredRun {
  const pkg = JSON.parse(row.pipeline_spec) as PipelinePackage;
  return {
    runId: row.uuid,
    experimentId: row.experiment_id,
    namespace: row.namespace,
    displayName: row.display_name,
    description: row.description,
    pipelineSpec: pkg.pipelineSpec,
    ...(pkg.platformSpec ? { platformSpec: pkg.platformSpec } : {}),
    ...(row.source === 'version' ? { pipelineId: row.pipeline_id, pipelineVersionId: row.pipeline_version_id } : {}),
    parameters: JSON.parse(row.parameters) as Record<string, JsonValue>,
    pipelineRoot: row.pipeline_root,
    serviceAccount: row.service_account,
    state: row.state,
    createdAt: row.created_at,
  };
}

export class RunTable {
  constructor(private readonly db: Db) {}

  create(r: NewRun): RunRow {
    const now = nowSeconds();
    const id = r.runId || randomUUID();
    if (this.find(id)) throw invalidArgument(`Failed to create a run: run ${id} already exists`);
    const history: HistoryEntry[] = [{ update_time: now, state: 'PENDING' }];
    const row: RunRow = {
      uuid: id,
      experiment_id: r.experimentId,
      namespace: r.namespace,
      display_name: r.displayName,
      description: r.description ?? '',
      source: r.source,
      pipeline_id: r.pipelineId ?? '',
      pipeline_version_id: r.pipelineVersionId ?? '',
      pipeline_spec: JSON.stringify(r.pkg),
      parameters: JSON.stringify(r.parameters),
      pipeline_root: r.pipelineRoot ?? '',
      service_account: r.serviceAccount || DEFAULT_SERVICE_ACCOUNT,
      storage_state: 'AVAILABLE',
      state: 'PENDING',
      state_history: JSON.stringify(history),
      error: null,
      created_at: now,
      scheduled_at: now,
      finished_at: 0,
      pipeline_context_id: '',
      pipeline_run_context_id: '',
      task_details: null,
      recurring_run_id: '',
    };
    this.db
      .prepare(
        `INSERT INTO runs (uuid, experiment_id, namespace, display_name, description, source, pipeline_id, pipeline_version_id, pipeline_spec,
           parameters, pipeline_root, service_account, storage_state, state, state_history, error, created_at, scheduled_at, finished_at,
           pipeline_context_id, pipeline_run_context_id, task_details, recurring_run_id)
         VALUES (@uuid, @experiment_id, @namespace, @display_name, @description, @source, @pipeline_id, @pipeline_version_id, @pipeline_spec,
           @parameters, @pipeline_root, @service_account, @storage_state, @state, @state_history, @error, @created_at, @scheduled_at, @finished_at,
           @pipeline_context_id, @pipeline_run_context_id, @task_details, @recurring_run_id)`,
      )
      .run(row);
    return row;
  }

  find(id: string): RunRow | undefined {
    return this.db.prepare('SELECT * FROM runs WHERE uuid = ?').get(id) as RunRow | undefined;
  }

  get(id: string): RunRow {
    const row = this.find(id);
    if (!row) throw notFound(`Run ${id} not found`);
    return row;
  }

  list(req: ListRequest, conditions: Condition[]): Page<RunRow> {
    return listRows<RunRow>(this.db, RUN_LISTABLE, req, 'v2beta1', conditions);
  }

  /** Runs an executor should (re)start after a restart. */
  unfinished(): RunRow[] {
    return this.db
      .prepare("SELECT * FROM runs WHERE state IN ('PENDING', 'RUNNING', 'CANCELING') ORDER BY created_at, uuid")
      .all() as RunRow[];
  }

  setState(id: string, state: RuntimeState, error?: RunError): void {
    const row = this.get(id);
    const now = nowSeconds();
    const history = JSON.parse(row.state_history) as HistoryEntry[];
    if (history[history.length - 1]?.state !== state || error)
      history.push({ update_time: now, state, ...(error ? { error } : {}) });
    const finishedAt = FINAL_STATES.includes(state) ? now : row.finished_at;
    this.db
      .prepare(
        'UPDATE runs SET state = ?, state_history = ?, finished_at = ?, error = COALESCE(?, error) WHERE uuid = ?',
      )
      .run(state, JSON.stringify(history), finishedAt, error ? JSON.stringify(error) : null, id);
  }

  finish(id: string, state: FinalState, error?: RunError): void {
    if (!FINAL_STATES.includes(state)) throw invalidArgument(`${String(state)} is not a final run state`);
    this.setState(id, state, error);
  }

  setTaskDetails(id: string, details: TaskDetailInput[]): void {
    this.get(id);
    this.db
      .prepare('UPDATE runs SET task_details = ? WHERE uuid = ?')
      .run(JSON.stringify(details.map((d) => taskDetailJson(id, d))), id);
  }

  setContextIds(id: string, ids: { pipelineContextId?: string; pipelineRunContextId?: string }): void {
    const row = this.get(id);
    this.db
      .prepare('UPDATE runs SET pipeline_context_id = ?, pipeline_run_context_id = ? WHERE uuid = ?')
      .run(
        ids.pipelineContextId ?? row.pipeline_context_id,
        ids.pipelineRunContextId ?? row.pipeline_run_context_id,
        id,
      );
  }

  /** `run_store.go` `TerminateRun`: only a PENDING, RUNNING, PAUSED or unspecified run can be terminated. */
  terminate(id: string): void {
    const row = this.get(id);
    if (!['PENDING', 'RUNNING', 'PAUSED', 'RUNTIME_STATE_UNSPECIFIED'].includes(row.state)) {
      throw invalidArgument(`Failed to terminate a run ${id}. Row not found`);
    }
    this.setState(id, 'CANCELING');
  }

  /** Deletes the run; its task rows go with it (foreign key ON DELETE CASCADE). */
  delete(id: string): void {
    this.get(id);
    this.db.prepare('DELETE FROM runs WHERE uuid = ?').run(id);
  }
}
