/**
 * The messages of the next KFP's native task and artifact API as its API server reads them, declared as in
 * `next:backend/api/v2beta1/run.proto` (PipelineTask :410-573, the task requests :685-742) and
 * `next:backend/api/v2beta1/artifact.proto` (the requests, IOType, IOProducer, ArtifactTask, Artifact) at
 * kubeflow/pipelines 6585b5143d. Every nested message is declared, so an unknown field anywhere in a body is
 * refused (`DiscardUnknown: false`, `next:backend/src/apiserver/common/utils.go:154-167`), an enum name that
 * does not exist too, and a value of the wrong JSON type, as protojson refuses them.
 */
import { StatusMsg } from '../kfp/messages.js';
import type { EnumSpec, FieldSpec, MessageSpec } from '../kfp/proto-json.js';

const enumOf = (...names: string[]): EnumSpec => ({
  kind: 'enum',
  values: Object.fromEntries(names.map((n, i) => [n, i])),
});
const message = (name: string, fields: Record<string, FieldSpec>): MessageSpec => ({
  kind: 'message',
  name: `kubeflow.pipelines.backend.api.v2beta1.${name}`,
  fields,
});
const S: FieldSpec = { type: 'string' };
const TS: FieldSpec = { type: 'timestamp' };
const I64: FieldSpec = { type: 'int64' };

/** artifact.proto `IOType`, in enum order. */
export const IO_TYPE_NAMES = [
  'UNSPECIFIED',
  'COMPONENT_DEFAULT_INPUT',
  'TASK_OUTPUT_INPUT',
  'COMPONENT_INPUT',
  'RUNTIME_VALUE_INPUT',
  'COLLECTED_INPUTS',
  'ITERATOR_INPUT',
  'ITERATOR_INPUT_RAW',
  'ITERATOR_OUTPUT',
  'OUTPUT',
  'ONE_OF_OUTPUT',
  'TASK_FINAL_STATUS_OUTPUT',
] as const;
export const IOTypeEnum = enumOf(...IO_TYPE_NAMES);
export const TaskStateEnum = enumOf('RUNTIME_STATE_UNSPECIFIED', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'CACHED');
export const TaskTypeEnum = enumOf(
  'TASK_TYPE_UNSPECIFIED',
  'ROOT',
  'RUNTIME',
  'CONDITION_BRANCH',
  'CONDITION',
  'LOOP',
  'EXIT_HANDLER',
  'IMPORTER',
  'DAG',
);
export const ArtifactTypeEnum = enumOf(
  'TYPE_UNSPECIFIED',
  'Artifact',
  'Model',
  'Dataset',
  'HTML',
  'Markdown',
  'Metric',
  'ClassificationMetric',
  'SlicedClassificationMetric',
);

export const IOProducerMsg = message('IOProducer', { task_name: S, iteration: I64 });

/**
 * `Artifact`. `number_value` is a `double`: read as a JSON value here and checked by the handler (a number, or
 * a numeric string, "NaN" or "Infinity" as protojson takes them).
 */
export const ArtifactMsg = message('Artifact', {
  artifact_id: S,
  name: S,
  description: S,
  type: { type: ArtifactTypeEnum },
  uri: S,
  metadata: { type: 'value', map: true },
  number_value: { type: 'value' },
  created_at: TS,
  namespace: S,
});

const IOParameterMsg = message('PipelineTask.InputOutputs.IOParameter', {
  value: { type: 'value' },
  type: { type: IOTypeEnum },
  parameter_key: S,
  producer: { type: IOProducerMsg },
});
const IOArtifactMsg = message('PipelineTask.InputOutputs.IOArtifact', {
  artifacts: { type: ArtifactMsg, repeated: true },
  type: { type: IOTypeEnum },
  artifact_key: S,
  producer: { type: IOProducerMsg },
});
const InputOutputsMsg = message('PipelineTask.InputOutputs', {
  parameters: { type: IOParameterMsg, repeated: true },
  artifacts: { type: IOArtifactMsg, repeated: true },
});

export const PipelineTaskMsg = message('PipelineTask', {
  name: S,
  display_name: S,
  task_id: S,
  run_id: S,
  pods: {
    type: message('PipelineTask.TaskPod', {
      name: S,
      uid: S,
      type: { type: enumOf('UNSPECIFIED', 'DRIVER', 'EXECUTOR') },
    }),
    repeated: true,
  },
  cache_fingerprint: S,
  create_time: TS,
  end_time: TS,
  state: { type: TaskStateEnum },
  status_metadata: {
    type: message('PipelineTask.StatusMetadata', { message: S, custom_properties: { type: 'value', map: true } }),
  },
  state_history: {
    type: message('PipelineTask.TaskStatus', {
      update_time: TS,
      state: { type: TaskStateEnum },
      error: { type: StatusMsg },
    }),
    repeated: true,
  },
  type: { type: TaskTypeEnum },
  type_attributes: {
    type: message('PipelineTask.TypeAttributes', {
      iteration_index: I64,
      iteration_count: I64,
      download_to_workspace: { type: 'bool' },
    }),
  },
  parent_task_id: S,
  child_tasks: { type: message('PipelineTask.ChildTask', { task_id: S, name: S }), repeated: true },
  inputs: { type: InputOutputsMsg },
  outputs: { type: InputOutputsMsg },
  scope_path: S,
});

export const ArtifactTaskMsg = message('ArtifactTask', {
  id: S,
  artifact_id: S,
  run_id: S,
  task_id: S,
  type: { type: IOTypeEnum },
  producer: { type: IOProducerMsg },
  key: S,
});

export const CreateArtifactRequestMsg = message('CreateArtifactRequest', {
  artifact: { type: ArtifactMsg },
  run_id: S,
  task_id: S,
  producer_key: S,
  iteration_index: I64,
  reuse_if_exists: { type: 'bool' },
});
export const CreateArtifactsBulkRequestMsg = message('CreateArtifactsBulkRequest', {
  artifacts: { type: CreateArtifactRequestMsg, repeated: true },
});
export const CreateArtifactTaskRequestMsg = message('CreateArtifactTaskRequest', {
  artifact_task: { type: ArtifactTaskMsg },
});
export const CreateArtifactTasksBulkRequestMsg = message('CreateArtifactTasksBulkRequest', {
  artifact_tasks: { type: ArtifactTaskMsg, repeated: true },
});
export const FindCachedTaskRequestMsg = message('FindCachedTaskRequest', { namespace: S, cache_fingerprint: S });
/** `UpdateTasksBulkRequest` (`body: "*"`: the path's run_id may be repeated in the body). */
export const UpdateTasksBulkRequestMsg = message('UpdateTasksBulkRequest', {
  tasks: { type: PipelineTaskMsg, map: true },
  run_id: S,
});
