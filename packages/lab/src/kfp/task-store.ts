/**
 * The task table's cache rows, served as the v1beta1 TaskService (`/apis/v1alpha1/tasks`).
 * Creation follows `backend/src/apiserver/server/task_server.go` `validateCreateTaskRequest` and
 * `backend/src/apiserver/resource/resource_manager.go` `CreateTask`; listing follows `ListTasksV1`
 * with v1 filters (`op`, not `operation`) and the camelCase v1 field names.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, GrpcCode, invalidArgument } from './api-error.js';
import type { Db } from './db.js';
import type { NewTaskRow, TaskQuery, TaskRow } from './executor.js';
import type { ExperimentStore } from './experiment-store.js';
import { listRows, type Condition, type ListRequest, type Listable, type Page } from './listing.js';
import { emit, formatTimestamp, type JsonObject } from './proto-json.js';
import type { RunTable } from './run-store.js';

interface TaskDbRow {
  uuid: string;
  namespace: string;
  pipeline_name: string;
  run_id: string;
  mlmd_execution_id: string;
  created_at: number;
  finished_at: number;
  fingerprint: string;
}

/** `model/task.go` `taskAPIToModelFieldMap` (v1 and v2 names), for the columns cache rows have. */
export const TASK_LISTABLE: Listable = {
  table: 'tasks',
  model: 'Task',
  fields: {
    task_id: 'uuid',
    id: 'uuid',
    namespace: 'namespace',
    pipeline_name: 'pipeline_name',
    pipelineName: 'pipeline_name',
    run_id: 'run_id',
    runId: 'run_id',
    execution_id: 'mlmd_execution_id',
    mlmdExecutionID: 'mlmd_execution_id',
    create_time: 'created_at',
    created_at: 'created_at',
    end_time: 'finished_at',
    finished_at: 'finished_at',
    fingerprint: 'fingerprint',
  },
  defaultSortColumn: 'created_at',
};

const toTaskRow = (r: TaskDbRow): TaskRow => ({
  id: r.uuid,
  namespace: r.namespace,
  pipelineName: r.pipeline_name,
  runId: r.run_id,
  mlmdExecutionID: r.mlmd_execution_id,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  fingerprint: r.fingerprint,
});

/** `api_converter.go` `toApiTaskV1`: both timestamps are always set. */
export function taskJson(t: TaskRow): JsonObject {
  return emit({
    id: t.id,
    namespace: t.namespace,
    pipelineName: t.pipelineName,
    runId: t.runId,
    mlmdExecutionID: t.mlmdExecutionID,
    created_at: formatTimestamp(t.createdAt),
    finished_at: formatTimestamp(t.finishedAt),
    fingerprint: t.fingerprint,
  });
}

/** A create request as decoded from the API (every field optional until validated). */
export interface TaskRequest {
  id?: string;
  namespace?: string;
  pipelineName?: string;
  runId?: string;
  mlmdExecutionID?: string;
  createdAt?: number;
  finishedAt?: number;
  fingerprint?: string;
}

/** `validateCreateTaskRequest`, in its order. */
function validate(t: TaskRequest): NewTaskRow {
  const mustSpecify = (what: string) => invalidArgument(`Invalid task: must specify ${what}`);
  if (t.id) throw invalidArgument('Invalid task: Id should not be set');
  const pipelineName = t.pipelineName ?? '';
  if (pipelineName === '') throw mustSpecify('PipelineName');
  if (pipelineName.startsWith('namespace/')) {
    const parts = pipelineName.split('/');
    if (parts.length < 4) {
      throw invalidArgument(
        `invalid PipelineName for namespaced pipelines, need to follow 'namespace/\${namespace}/pipeline/\${pipelineName}': ${pipelineName}`,
      );
    }
    const ns = parts[1] ?? '';
    if (t.namespace && ns !== t.namespace) {
      throw invalidArgument(
        `the namespace ${ns} extracted from pipelineName is not equal to the namespace ${t.namespace} in task`,
      );
    }
  }
  if (!t.runId) throw mustSpecify('RunID');
  if (!t.mlmdExecutionID) throw mustSpecify('MlmdExecutionID');
  if (!t.fingerprint) throw mustSpecify('FingerPrint');
  if (t.createdAt === undefined) throw mustSpecify('CreatedAt');
  return {
    pipelineName,
    runId: t.runId,
    mlmdExecutionID: t.mlmdExecutionID,
    fingerprint: t.fingerprint,
    createdAt: t.createdAt,
    ...(t.namespace ? { namespace: t.namespace } : {}),
    ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
  };
}

export class TaskTable {
  constructor(
    private readonly db: Db,
    private readonly runs: RunTable,
    private readonly experiments: ExperimentStore,
    private readonly multiUser: boolean,
  ) {}

  /** `TaskServer.CreateTaskV1`: validation, then `ResourceManager.CreateTask`. */
  create(request: TaskRequest): TaskRow {
    let task: NewTaskRow;
    try {
      task = validate(request);
    } catch (e) {
      throw e instanceof ApiError ? e.wrap('Failed to create a new task due to validation error') : e;
    }
    try {
      return this.insert(task);
    } catch (e) {
      throw e instanceof ApiError ? e.wrap('Failed to create a new task') : e;
    }
  }

  private insert(t: NewTaskRow): TaskRow {
    const context = `Failed to create a task in run ${t.runId}`;
    const run = this.runs.find(t.runId);
    if (!run)
      throw new ApiError(GrpcCode.NOT_FOUND, `Run ${t.runId} not found`, [
        `Failed to create a task for run ${t.runId}`,
      ]);
    const experimentNamespace = run.experiment_id ? this.experiments.get(run.experiment_id).namespace : '';
    const namespace = t.namespace || experimentNamespace;
    if (this.multiUser && namespace === '') {
      throw new ApiError(GrpcCode.INTERNAL, 'Task cannot have an empty namespace in multi-user mode', [context]);
    }
    // CheckExperimentBelongsToNamespace
    if (experimentNamespace !== '' && experimentNamespace !== namespace) {
      throw new ApiError(
        GrpcCode.INVALID_ARGUMENT,
        `Failed to validate the namespace of experiment: experiment ${run.experiment_id} belongs to namespace '${experimentNamespace}' ` +
          `(claimed a different namespace '${namespace}')`,
        [context],
      );
    }
    const row: TaskDbRow = {
      uuid: randomUUID(),
      namespace,
      pipeline_name: t.pipelineName,
      run_id: t.runId,
      mlmd_execution_id: t.mlmdExecutionID,
      created_at: t.createdAt,
      finished_at: t.finishedAt ?? 0,
      fingerprint: t.fingerprint,
    };
    this.db
      .prepare(
        `INSERT INTO tasks (uuid, namespace, pipeline_name, run_id, mlmd_execution_id, created_at, finished_at, fingerprint)
         VALUES (@uuid, @namespace, @pipeline_name, @run_id, @mlmd_execution_id, @created_at, @finished_at, @fingerprint)`,
      )
      .run(row);
    return toTaskRow(row);
  }

  /** `ListTasksV1`. */
  list(req: ListRequest): Page<TaskRow> {
    const page = listRows<TaskDbRow>(this.db, TASK_LISTABLE, req, 'v1beta1', []);
    return { ...page, rows: page.rows.map(toTaskRow) };
  }

  /** Rows matching every given field, newest first (the driver's cache lookup). */
  query(q: TaskQuery): TaskRow[] {
    const conditions: Condition[] = [];
    if (q.fingerprint !== undefined) conditions.push({ sql: 'fingerprint = ?', params: [q.fingerprint] });
    if (q.pipelineName !== undefined) conditions.push({ sql: 'pipeline_name = ?', params: [q.pipelineName] });
    if (q.namespace !== undefined) conditions.push({ sql: 'namespace = ?', params: [q.namespace] });
    if (q.runId !== undefined) conditions.push({ sql: 'run_id = ?', params: [q.runId] });
    const where = conditions.length > 0 ? ` WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM tasks${where} ORDER BY created_at DESC, uuid DESC`)
      .all(...conditions.flatMap((c) => c.params)) as TaskDbRow[];
    return rows.map(toTaskRow);
  }
}
