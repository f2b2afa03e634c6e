/**
 * The request messages the emulated server decodes, as declared in `backend/api/v2beta1/*.proto`
 * and `backend/api/v1beta1/{task,filter}.proto` (KFP 2.17.0). Only the shapes matter here: which
 * names exist (so an unknown field is rejected as the real server rejects it) and their types.
 */
import type { EnumSpec, FieldSpec, MessageSpec } from './proto-json.js';

const enumOf = (...names: string[]): EnumSpec => ({
  kind: 'enum',
  values: Object.fromEntries(names.map((n, i) => [n, i])),
});
const message = (name: string, fields: Record<string, FieldSpec>): MessageSpec => ({ kind: 'message', name, fields });
const S: FieldSpec = { type: 'string' };
const TS: FieldSpec = { type: 'timestamp' };

export const RuntimeStateEnum = enumOf(
  'RUNTIME_STATE_UNSPECIFIED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'SKIPPED',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'PAUSED',
);
export const StorageStateEnum = enumOf('STORAGE_STATE_UNSPECIFIED', 'AVAILABLE', 'ARCHIVED');

/** `google.rpc.Status`; `details` are `Any` values, kept as JSON. */
export const StatusMsg = message('google.rpc.Status', {
  code: { type: 'int32' },
  message: S,
  details: { type: 'value', repeated: true },
});

export const PipelineMsg = message('kubeflow.pipelines.backend.api.v2beta1.Pipeline', {
  pipeline_id: S,
  display_name: S,
  name: S,
  description: S,
  created_at: TS,
  namespace: S,
  error: { type: StatusMsg },
  tags: { type: 'string', map: true },
});

export const PipelineVersionMsg = message('kubeflow.pipelines.backend.api.v2beta1.PipelineVersion', {
  pipeline_id: S,
  pipeline_version_id: S,
  display_name: S,
  name: S,
  description: S,
  created_at: TS,
  package_url: { type: message('kubeflow.pipelines.backend.api.v2beta1.Url', { pipeline_url: S }) },
  code_source_url: S,
  pipeline_spec: { type: 'struct' },
  error: { type: StatusMsg },
  tags: { type: 'string', map: true },
});

export const ExperimentMsg = message('kubeflow.pipelines.backend.api.v2beta1.Experiment', {
  experiment_id: S,
  display_name: S,
  description: S,
  created_at: TS,
  namespace: S,
  storage_state: { type: StorageStateEnum },
  last_run_created_at: TS,
});

const RuntimeStatusMsg = message('kubeflow.pipelines.backend.api.v2beta1.RuntimeStatus', {
  update_time: TS,
  state: { type: RuntimeStateEnum },
  error: { type: StatusMsg },
});

const ArtifactListMsg = message('kubeflow.pipelines.backend.api.v2beta1.ArtifactList', {
  artifact_ids: { type: 'int64', repeated: true },
});

const PipelineTaskDetailMsg = message('kubeflow.pipelines.backend.api.v2beta1.PipelineTaskDetail', {
  run_id: S,
  task_id: S,
  display_name: S,
  create_time: TS,
  start_time: TS,
  end_time: TS,
  executor_detail: {
    type: message('kubeflow.pipelines.backend.api.v2beta1.PipelineTaskExecutorDetail', {
      main_job: S,
      pre_caching_check_job: S,
      failed_main_jobs: { type: 'string', repeated: true },
      failed_pre_caching_check_jobs: { type: 'string', repeated: true },
    }),
  },
  state: { type: RuntimeStateEnum },
  execution_id: { type: 'int64' },
  error: { type: StatusMsg },
  inputs: { type: ArtifactListMsg, map: true },
  outputs: { type: ArtifactListMsg, map: true },
  parent_task_id: S,
  state_history: { type: RuntimeStatusMsg, repeated: true },
  pod_name: S,
  child_tasks: {
    type: message('kubeflow.pipelines.backend.api.v2beta1.PipelineTaskDetail.ChildTask', { task_id: S, pod_name: S }),
    repeated: true,
  },
});

export const RunMsg = message('kubeflow.pipelines.backend.api.v2beta1.Run', {
  experiment_id: S,
  run_id: S,
  display_name: S,
  storage_state: { type: StorageStateEnum },
  description: S,
  pipeline_version_id: { type: 'string', oneof: 'pipeline_source' },
  pipeline_spec: { type: 'struct', oneof: 'pipeline_source' },
  pipeline_version_reference: {
    type: message('kubeflow.pipelines.backend.api.v2beta1.PipelineVersionReference', {
      pipeline_id: S,
      pipeline_version_id: S,
    }),
    oneof: 'pipeline_source',
  },
  runtime_config: {
    type: message('kubeflow.pipelines.backend.api.v2beta1.RuntimeConfig', {
      parameters: { type: 'value', map: true },
      pipeline_root: S,
    }),
  },
  service_account: S,
  created_at: TS,
  scheduled_at: TS,
  finished_at: TS,
  state: { type: RuntimeStateEnum },
  error: { type: StatusMsg },
  run_details: {
    type: message('kubeflow.pipelines.backend.api.v2beta1.RunDetails', {
      pipeline_context_id: { type: 'int64' },
      pipeline_run_context_id: { type: 'int64' },
      task_details: { type: PipelineTaskDetailMsg, repeated: true },
    }),
  },
  recurring_run_id: S,
  state_history: { type: RuntimeStatusMsg, repeated: true },
  plugins_input: { type: 'struct', map: true },
  plugins_output: { type: 'value', map: true },
});

/** `backend/api/v1beta1/task.proto` `Task`: its proto names are already camelCase. */
export const TaskMsg = message('api.Task', {
  id: S,
  namespace: S,
  pipelineName: S,
  runId: S,
  mlmdExecutionID: S,
  created_at: TS,
  finished_at: TS,
  fingerprint: S,
});

const OPERATIONS = {
  EQUALS: 1,
  NOT_EQUALS: 2,
  GREATER_THAN: 3,
  GREATER_THAN_EQUALS: 5,
  LESS_THAN: 6,
  LESS_THAN_EQUALS: 7,
  IN: 8,
  IS_SUBSTRING: 9,
};
const predicateValues: Record<string, FieldSpec> = {
  int_value: { type: 'int32', oneof: 'value' },
  long_value: { type: 'int64', oneof: 'value' },
  string_value: { type: 'string', oneof: 'value' },
  timestamp_value: { type: 'timestamp', oneof: 'value' },
  int_values: { type: message('IntValues', { values: { type: 'int32', repeated: true } }), oneof: 'value' },
  long_values: { type: message('LongValues', { values: { type: 'int64', repeated: true } }), oneof: 'value' },
  string_values: { type: message('StringValues', { values: { type: 'string', repeated: true } }), oneof: 'value' },
};

/** `backend/api/v2beta1/filter.proto`: the operation field is `operation`. */
export const FilterV2Msg = message('kubeflow.pipelines.backend.api.v2beta1.Filter', {
  predicates: {
    type: message('kubeflow.pipelines.backend.api.v2beta1.Predicate', {
      operation: { type: { kind: 'enum', values: { OPERATION_UNSPECIFIED: 0, ...OPERATIONS } } },
      key: S,
      ...predicateValues,
    }),
    repeated: true,
  },
});

/** `backend/api/v1beta1/filter.proto`: the operation field is `op`. */
export const FilterV1Msg = message('api.Filter', {
  predicates: {
    type: message('api.Predicate', {
      op: { type: { kind: 'enum', values: { UNKNOWN: 0, ...OPERATIONS } } },
      key: S,
      ...predicateValues,
    }),
    repeated: true,
  },
});
