/**
 * The lab API server's state: one SQLite database behind the pipelines, experiments, runs and
 * task tables, and the `RunStore` view an executor uses.
 */
import { openDatabase, type Db } from './db.js';
import type {
  FinalState,
  NewTaskRow,
  RunError,
  RunStore,
  RuntimeState,
  StoredRun,
  TaskDetailInput,
  TaskQuery,
  TaskRow,
} from './executor.js';
import { ExperimentStore } from './experiment-store.js';
import { PipelineStore } from './pipeline-store.js';
import { RunTable, storedRun } from './run-store.js';
import { TaskTable } from './task-store.js';

export class KfpLabStore implements RunStore {
  readonly db: Db;
  readonly pipelines: PipelineStore;
  readonly experiments: ExperimentStore;
  readonly runs: RunTable;
  readonly tasks: TaskTable;

  constructor(dbPath: string, multiUser: boolean) {
    this.db = openDatabase(dbPath);
    this.pipelines = new PipelineStore(this.db);
    this.experiments = new ExperimentStore(this.db);
    this.runs = new RunTable(this.db);
    this.tasks = new TaskTable(this.db, this.runs, this.experiments, multiUser);
  }

  getRun(runId: string): StoredRun | undefined {
    const row = this.runs.find(runId);
    return row ? storedRun(row) : undefined;
  }

  setRunState(runId: string, state: RuntimeState, error?: RunError): void {
    this.runs.setState(runId, state, error);
  }

  setTaskDetails(runId: string, details: TaskDetailInput[]): void {
    this.runs.setTaskDetails(runId, details);
  }

  setRunContextIds(runId: string, ids: { pipelineContextId?: string; pipelineRunContextId?: string }): void {
    this.runs.setContextIds(runId, ids);
  }

  finish(runId: string, state: FinalState, error?: RunError): void {
    this.runs.finish(runId, state, error);
  }

  createTask(task: NewTaskRow): TaskRow {
    return this.tasks.create(task);
  }

  listTasks(query: TaskQuery): TaskRow[] {
    return this.tasks.query(query);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
