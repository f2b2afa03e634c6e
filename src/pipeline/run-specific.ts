// Inputs whose value differs from run to run (or from location to location) make a task's
// fingerprint differ at the next location, so it can never be a cache hit there. KFP resolves these
// placeholders into the *input parameter values*, which are part of the cache key
// (`backend/src/v2/cacheutils/cache.go` GenerateCacheKey: `InputParameterValues`). Placeholders in
// a container's command/args are not a problem: the key holds them unresolved.
// Placeholder strings: `sdk/python/kfp/dsl/__init__.py` (PIPELINE_JOB_NAME_PLACEHOLDER, ...).
import { walkTasks, type TaskNode } from './graph.js';

const RUN_SPECIFIC: Record<string, string> = {
  '{{$.pipeline_job_name}}': 'the run name (dsl.PIPELINE_JOB_NAME_PLACEHOLDER)',
  '{{$.pipeline_job_resource_name}}': 'the run resource name (dsl.PIPELINE_JOB_RESOURCE_NAME_PLACEHOLDER)',
  '{{$.pipeline_job_uuid}}': 'the run id (dsl.PIPELINE_JOB_ID_PLACEHOLDER)',
  '{{$.pipeline_task_uuid}}': 'the task id (dsl.PIPELINE_TASK_ID_PLACEHOLDER)',
  '{{$.pipeline_job_create_time_utc}}': 'the run creation time (dsl.PIPELINE_JOB_CREATE_TIME_UTC)',
  '{{$.pipeline_job_schedule_time_utc}}': 'the run schedule time (dsl.PIPELINE_JOB_SCHEDULE_TIME_UTC)',
  '{{$.pipeline_root}}':
    "the location's pipeline root (dsl.PIPELINE_ROOT_PLACEHOLDER), which differs between locations",
};

export interface RunSpecificInput {
  /** Path of the (possibly nested) task from the root DAG. */
  task: string[];
  input: string;
  what: string;
}

export function runSpecificInputs(root: TaskNode): RunSpecificInput[] {
  const found: RunSpecificInput[] = [];
  for (const t of walkTasks([root])) {
    for (const [name, p] of Object.entries(t.task.inputs?.parameters ?? {})) {
      if (p.taskFinalStatus) {
        found.push({
          task: t.path,
          input: name,
          what: `the final status of "${p.taskFinalStatus.producerTask}" in this run`,
        });
      }
      const constant = p.runtimeValue?.constant;
      if (typeof constant === 'string') {
        for (const [ph, what] of Object.entries(RUN_SPECIFIC))
          if (constant.includes(ph)) found.push({ task: t.path, input: name, what });
      }
    }
  }
  return found;
}
