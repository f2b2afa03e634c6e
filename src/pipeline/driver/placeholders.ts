// Values the driver fills in itself (`backend/src/v2/driver/resolve.go` resolveInputParameter):
// `runtimeValue.constant` placeholders and the `taskFinalStatus` struct an exit task receives.
import type { JsonObject, JsonValue } from '../ir.js';
import type { TaskRecord } from './scope.js';
import type { DriveRunInfo } from './types.js';

/** `component.WorkspaceMountPath` (`backend/src/v2/component/constants.go`). */
export const WORKSPACE_MOUNT_PATH = '/kfp-workspace';
/** `component.WorkspaceVolumeName`; the PVC is `<run resource name>-kfp-workspace` (driver/k8s.go). */
export const WORKSPACE_VOLUME_NAME = 'kfp-workspace';

export interface ConstantContext {
  run: DriveRunInfo;
  /** The task key (the driver's `--task_name`). */
  taskName: string;
  /** The parent DAG execution's MLMD id, if the visitor can tell. */
  dagExecutionId: () => string | undefined;
}

export type Resolved = { ok: true; value: JsonValue } | { ok: false; error: string };

/**
 * A constant is used as is, except: a string containing `{{$.workspace_path}}` has it replaced, and a
 * string that *is* one of the run placeholders becomes the run's value. A placeholder inside a longer
 * string (e.g. the f-string `heads and {{$.inputs.parameters['x']}} > 5!`) is not substituted by the
 * KFP 2.17.0 driver, so it reaches the executor input, and the cache key, verbatim.
 */
export function resolveConstant(value: JsonValue, ctx: ConstantContext): Resolved {
  if (typeof value !== 'string') return { ok: true, value };
  if (value.includes('{{$.workspace_path}}'))
    return { ok: true, value: value.replaceAll('{{$.workspace_path}}', WORKSPACE_MOUNT_PATH) };
  const need = (v: string | undefined, option: string): Resolved =>
    v === undefined
      ? {
          ok: false,
          error: `the input uses ${value}, which needs the run's ${option} (pass options.${option} to driveRun)`,
        }
      : { ok: true, value: v };
  switch (value) {
    case '{{$.pipeline_job_name}}':
      return need(ctx.run.runName, 'runName');
    case '{{$.pipeline_job_resource_name}}':
      return need(ctx.run.jobResourceName, 'jobResourceName');
    case '{{$.pipeline_job_uuid}}':
      return need(ctx.run.runId, 'runId');
    case '{{$.pipeline_task_name}}':
      return { ok: true, value: ctx.taskName };
    case '{{$.pipeline_task_uuid}}': {
      // resolve.go: fmt.Sprintf("%d", opts.DAGExecutionID), the *parent DAG's* execution id.
      const id = ctx.dagExecutionId();
      return id === undefined
        ? {
            ok: false,
            error: `the input uses ${value}, the parent DAG's MLMD execution id, which the visitor does not provide (DriverVisitor.dagExecutionId)`,
          }
        : { ok: true, value: id };
    }
    case '{{$.pipeline_job_create_time_utc}}':
      return need(ctx.run.createTimeUtc, 'createTimeUtc');
    case '{{$.pipeline_job_schedule_time_utc}}':
      return need(ctx.run.scheduleTimeUtc, 'scheduleTimeUtc');
    default:
      return { ok: true, value };
  }
}

/**
 * `PipelineTaskFinalStatus` as the driver builds it: the producer is the task's *first*
 * `dependentTasks` entry (not `taskFinalStatus.producerTask`), its state is its MLMD execution's state
 * name, and `error` is an empty `google.rpc.Status` (KFP 2.17.0 leaves code and message as a TODO).
 * protojson drops empty strings, hence no `pipelineJobResourceName` without a run name.
 */
export function taskFinalStatus(
  dependentTasks: readonly string[] | undefined,
  displayName: string,
  records: ReadonlyMap<string, TaskRecord>,
  run: DriveRunInfo,
): Resolved {
  const producerKey = dependentTasks?.[0];
  if (producerKey === undefined) return { ok: false, error: `task ${displayName} has no dependent tasks` };
  const producer = records.get(producerKey);
  if (!producer?.exec) return { ok: false, error: `producer task, ${producerKey}, not in tasks` };
  if (run.jobResourceName === undefined) {
    return {
      ok: false,
      error: 'the task final status carries the run resource name (pass options.jobResourceName to driveRun)',
    };
  }
  const status: JsonObject = {
    state: producer.exec.state,
    pipelineJobResourceName: run.jobResourceName,
    pipelineTaskName: producerKey,
    error: {},
  };
  if (run.jobResourceName === '') delete status.pipelineJobResourceName;
  return { ok: true, value: status };
}
