// `run_details.task_details` of a run, as KFP's persistence agent reports them from the Argo
// workflow's nodes (`backend/src/apiserver/server/api_converter.go` toModelTasks): one entry per
// task, DAG and loop iteration, with its state and times; the lab adds the MLMD execution id.
// A cache hit shows as SKIPPED, as its Argo executor node is skipped (`when: cached != true`,
// `backend/src/v2/compiler/argocompiler/container.go`); so does a task that did not run.
import { randomUUID } from 'node:crypto';
import type { RunError, RunStore, RuntimeState, TaskDetailInput } from '../kfp/index.js';

export class TaskDetails {
  private readonly entries = new Map<string, TaskDetailInput>();

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
  ) {}

  /** Starts an entry (RUNNING) and returns its task id. */
  start(key: string, displayName: string, parentKey?: string): string {
    const now = new Date();
    const entry: TaskDetailInput = {
      taskId: randomUUID(),
      displayName,
      state: 'RUNNING',
      createTime: now,
      startTime: now,
    };
    const parent = parentKey === undefined ? undefined : this.entries.get(parentKey);
    if (parent) {
      entry.parentTaskId = parent.taskId;
      parent.childTasks = [...(parent.childTasks ?? []), { taskId: entry.taskId }];
    }
    this.entries.set(key, entry);
    this.flush();
    return entry.taskId;
  }

  setExecution(key: string, executionId: number, podName?: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.executionId = String(executionId);
    if (podName) entry.podName = podName;
    this.flush();
  }

  finish(key: string, state: RuntimeState, error?: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.state = state;
    entry.endTime = new Date();
    if (error !== undefined) entry.error = { message: error } satisfies RunError;
    this.flush();
  }

  /** A task that never started (skipped): one entry, already final. */
  skipped(key: string, displayName: string, parentKey?: string, executionId?: number): void {
    this.start(key, displayName, parentKey);
    if (executionId !== undefined) this.setExecution(key, executionId);
    this.finish(key, 'SKIPPED');
  }

  /** Ends every entry still running (the run was terminated). */
  cancelRunning(): void {
    for (const entry of this.entries.values()) {
      if (entry.state === 'RUNNING' || entry.state === 'PENDING') {
        entry.state = 'CANCELED';
        entry.endTime = new Date();
      }
    }
    this.flush();
  }

  private flush(): void {
    try {
      this.store.setTaskDetails(this.runId, [...this.entries.values()]);
    } catch {
      // The store is closing (lab shutdown) or the run was deleted: nothing left to report to.
    }
  }
}
