// The shape of KFP's PipelineSpec and PlatformSpec messages (`api/v2alpha1/pipeline_spec.proto` at
// 2.17.0), as far as reading a package the way protojson does needs it: which field is a message,
// an enum, a google.protobuf.Struct or Value, a list or a map. Field names are the proto names;
// their JSON names are derived as protoc derives them.
//
// The table is complete for every message protojson decodes when the API server reads a package
// (checked field by field against `api/v2alpha1/pipeline_spec.proto` at 2.14.0, 2.15.0, 2.16.0 and
// 2.17.0): protojson refuses a field it does not know (`DiscardUnknown` is false,
// 2.17.0:backend/src/apiserver/template/v2_template.go:198 and :226), so a key missing here would be
// reported as one KFP refuses. Fields and enum values that only some releases have carry the range
// (`kfp`). Below `deployment_spec` (a google.protobuf.Struct in the proto, read later by the compiler
// with DiscardUnknown) nothing is checked: the messages there are listed for their shape only.

export type ProtoType =
  | { kind: 'scalar' }
  | { kind: 'int32' }
  | { kind: 'enum'; name: string; values: readonly string[]; kfp?: Readonly<Record<string, KfpRange>> }
  | { kind: 'message'; name: string }
  /** google.protobuf.Struct: the field may be unset; nulls inside it are real NullValues. */
  | { kind: 'struct' }
  /** google.protobuf.Value: JSON null is a NullValue, never "unset". */
  | { kind: 'value' };

/** The KFP releases whose API server knows a field or an enum value: `since` on, up to (not including) `before`. */
export interface KfpRange {
  since?: string;
  before?: string;
}

export interface ProtoField {
  type: ProtoType;
  cardinality?: 'repeated' | 'map';
  /** Absent: every release from 2.14.0 through 2.17.0 knows the field. */
  kfp?: KfpRange;
  /** A google.protobuf.Struct in the proto that the product reads as a message: protojson checks no key below it. */
  opaque?: true;
}

const scalar: ProtoType = { kind: 'scalar' };
const int32: ProtoType = { kind: 'int32' };
const struct: ProtoType = { kind: 'struct' };
const value: ProtoType = { kind: 'value' };
const msg = (name: string): ProtoType => ({ kind: 'message', name });
const one = (type: ProtoType): ProtoField => ({ type });
const list = (type: ProtoType): ProtoField => ({ type, cardinality: 'repeated' });
const map = (type: ProtoType): ProtoField => ({ type, cardinality: 'map' });
const since = (version: string, field: ProtoField): ProtoField => ({ ...field, kfp: { ...field.kfp, since: version } });
const before = (version: string, field: ProtoField): ProtoField => ({
  ...field,
  kfp: { ...field.kfp, before: version },
});

// Enum values by number (every enum below is numbered 0..n without gaps).
const PARAMETER_TYPE: ProtoType = {
  kind: 'enum',
  name: 'ParameterType.ParameterTypeEnum',
  values: [
    'PARAMETER_TYPE_ENUM_UNSPECIFIED',
    'NUMBER_DOUBLE',
    'NUMBER_INTEGER',
    'STRING',
    'BOOLEAN',
    'LIST',
    'STRUCT',
    'TASK_FINAL_STATUS',
    'TASK_CONFIG',
  ],
  kfp: { TASK_CONFIG: { since: '2.15.0' } },
};
const PRIMITIVE_TYPE: ProtoType = {
  kind: 'enum',
  name: 'PrimitiveType.PrimitiveTypeEnum',
  values: ['PRIMITIVE_TYPE_UNSPECIFIED', 'INT', 'DOUBLE', 'STRING'],
};
const TRIGGER_STRATEGY: ProtoType = {
  kind: 'enum',
  name: 'PipelineTaskSpec.TriggerPolicy.TriggerStrategy',
  values: ['TRIGGER_STRATEGY_UNSPECIFIED', 'ALL_UPSTREAM_TASKS_SUCCEEDED', 'ALL_UPSTREAM_TASKS_COMPLETED'],
};
const PASSTHROUGH_TYPE: ProtoType = {
  kind: 'enum',
  name: 'TaskConfigPassthroughType.TaskConfigPassthroughTypeEnum',
  values: [
    'NONE',
    'RESOURCES',
    'ENV',
    'KUBERNETES_AFFINITY',
    'KUBERNETES_TOLERATIONS',
    'KUBERNETES_NODE_SELECTOR',
    'KUBERNETES_VOLUMES',
  ],
};

/** Message name → proto field name → field. */
export const MESSAGES: Readonly<Record<string, Readonly<Record<string, ProtoField>>>> = {
  PipelineSpec: {
    pipeline_info: one(msg('PipelineInfo')),
    // A Struct in the proto, which the backend's compiler reads as PipelineDeploymentConfig
    // (2.17.0:backend/src/v2/compiler/visitor.go:176-190, protojson with DiscardUnknown).
    deployment_spec: { ...one(msg('PipelineDeploymentConfig')), opaque: true },
    sdk_version: one(scalar),
    schema_version: one(scalar),
    components: map(msg('ComponentSpec')),
    root: one(msg('ComponentSpec')),
    default_pipeline_root: one(scalar),
  },
  PipelineInfo: { name: one(scalar), display_name: one(scalar), description: one(scalar) },
  ComponentSpec: {
    input_definitions: one(msg('ComponentInputsSpec')),
    output_definitions: one(msg('ComponentOutputsSpec')),
    dag: one(msg('DagSpec')),
    executor_label: one(scalar),
    single_platform_specs: list(msg('SinglePlatformSpec')),
    task_config_passthroughs: since('2.15.0', list(msg('TaskConfigPassthrough'))),
  },
  TaskConfigPassthrough: { field: one(PASSTHROUGH_TYPE), apply_to_task: one(scalar) },
  DagSpec: { tasks: map(msg('PipelineTaskSpec')), outputs: one(msg('DagOutputsSpec')) },
  DagOutputsSpec: { artifacts: map(msg('DagOutputArtifactSpec')), parameters: map(msg('DagOutputParameterSpec')) },
  DagOutputArtifactSpec: { artifact_selectors: list(msg('ArtifactSelectorSpec')) },
  ArtifactSelectorSpec: { producer_subtask: one(scalar), output_artifact_key: one(scalar) },
  ParameterSelectorSpec: { producer_subtask: one(scalar), output_parameter_key: one(scalar) },
  ParameterSelectorsSpec: { parameter_selectors: list(msg('ParameterSelectorSpec')) },
  DagOutputParameterSpec: {
    value_from_parameter: one(msg('ParameterSelectorSpec')),
    value_from_oneof: one(msg('ParameterSelectorsSpec')),
  },
  ComponentInputsSpec: {
    artifacts: map(msg('InputArtifactDefinition')),
    parameters: map(msg('InputParameterDefinition')),
  },
  InputArtifactDefinition: {
    artifact_type: one(msg('ArtifactTypeSchema')),
    is_artifact_list: one(scalar),
    is_optional: one(scalar),
    description: one(scalar),
  },
  InputParameterDefinition: {
    type: one(PRIMITIVE_TYPE),
    parameter_type: one(PARAMETER_TYPE),
    default_value: one(value),
    is_optional: one(scalar),
    description: one(scalar),
    literals: since('2.16.0', list(value)),
  },
  ComponentOutputsSpec: {
    artifacts: map(msg('OutputArtifactDefinition')),
    parameters: map(msg('OutputParameterDefinition')),
  },
  OutputArtifactDefinition: {
    artifact_type: one(msg('ArtifactTypeSchema')),
    properties: map(msg('ValueOrRuntimeParameter')),
    custom_properties: map(msg('ValueOrRuntimeParameter')),
    metadata: one(struct),
    is_artifact_list: one(scalar),
    description: one(scalar),
  },
  OutputParameterDefinition: {
    type: one(PRIMITIVE_TYPE),
    parameter_type: one(PARAMETER_TYPE),
    description: one(scalar),
  },
  TaskInputsSpec: { parameters: map(msg('InputParameterSpec')), artifacts: map(msg('InputArtifactSpec')) },
  InputArtifactSpec: {
    task_output_artifact: one(msg('TaskOutputArtifactSpec')),
    component_input_artifact: one(scalar),
  },
  TaskOutputArtifactSpec: { producer_task: one(scalar), output_artifact_key: one(scalar) },
  InputParameterSpec: {
    task_output_parameter: one(msg('TaskOutputParameterSpec')),
    runtime_value: one(msg('ValueOrRuntimeParameter')),
    component_input_parameter: one(scalar),
    task_final_status: one(msg('TaskFinalStatus')),
    parameter_expression_selector: one(scalar),
  },
  TaskOutputParameterSpec: { producer_task: one(scalar), output_parameter_key: one(scalar) },
  TaskFinalStatus: { producer_task: one(scalar) },
  PipelineTaskSpec: {
    task_info: one(msg('PipelineTaskInfo')),
    inputs: one(msg('TaskInputsSpec')),
    dependent_tasks: list(scalar),
    caching_options: one(msg('CachingOptions')),
    component_ref: one(msg('ComponentRef')),
    trigger_policy: one(msg('TriggerPolicy')),
    artifact_iterator: one(msg('ArtifactIteratorSpec')),
    parameter_iterator: one(msg('ParameterIteratorSpec')),
    retry_policy: one(msg('RetryPolicy')),
    iterator_policy: one(msg('IteratorPolicy')),
  },
  PipelineTaskInfo: { name: one(scalar) },
  CachingOptions: { enable_cache: one(scalar), cache_key: one(scalar) },
  ComponentRef: { name: one(scalar) },
  TriggerPolicy: { condition: one(scalar), strategy: one(TRIGGER_STRATEGY) },
  RetryPolicy: {
    max_retry_count: one(int32),
    backoff_duration: one(scalar),
    backoff_factor: one(scalar),
    backoff_max_duration: one(scalar),
  },
  IteratorPolicy: { parallelism_limit: one(int32) },
  ArtifactIteratorSpec: { items: one(msg('ArtifactItemsSpec')), item_input: one(scalar) },
  ArtifactItemsSpec: { input_artifact: one(scalar) },
  ParameterIteratorSpec: { items: one(msg('ParameterItemsSpec')), item_input: one(scalar) },
  ParameterItemsSpec: { raw: one(scalar), input_parameter: one(scalar) },
  ArtifactTypeSchema: {
    schema_title: one(scalar),
    schema_uri: one(scalar),
    instance_schema: one(scalar),
    schema_version: one(scalar),
  },
  /** ml_pipelines.Value (deprecated), not google.protobuf.Value. */
  MlValue: { int_value: one(scalar), double_value: one(scalar), string_value: one(scalar) },
  ValueOrRuntimeParameter: {
    constant_value: one(msg('MlValue')),
    runtime_parameter: one(scalar),
    constant: one(value),
  },
  PipelineDeploymentConfig: { executors: map(msg('ExecutorSpec')) },
  ExecutorSpec: {
    container: one(msg('PipelineContainerSpec')),
    importer: one(msg('ImporterSpec')),
    resolver: one(msg('ResolverSpec')),
    custom_job: one(msg('AIPlatformCustomJobSpec')),
  },
  PipelineContainerSpec: {
    image: one(scalar),
    command: list(scalar),
    args: list(scalar),
    lifecycle: one(msg('Lifecycle')),
    resources: one(msg('ResourceSpec')),
    env: list(msg('EnvVar')),
  },
  Lifecycle: { pre_cache_check: one(msg('LifecycleExec')) },
  LifecycleExec: { command: list(scalar), args: list(scalar) },
  ResourceSpec: {
    cpu_limit: one(scalar),
    memory_limit: one(scalar),
    cpu_request: one(scalar),
    memory_request: one(scalar),
    resource_cpu_limit: one(scalar),
    resource_memory_limit: one(scalar),
    resource_cpu_request: one(scalar),
    resource_memory_request: one(scalar),
    accelerator: one(msg('AcceleratorConfig')),
  },
  AcceleratorConfig: { type: one(scalar), count: one(scalar), resource_type: one(scalar), resource_count: one(scalar) },
  EnvVar: { name: one(scalar), value: one(scalar) },
  ImporterSpec: {
    artifact_uri: one(msg('ValueOrRuntimeParameter')),
    type_schema: one(msg('ArtifactTypeSchema')),
    properties: map(msg('ValueOrRuntimeParameter')),
    custom_properties: map(msg('ValueOrRuntimeParameter')),
    reimport: one(scalar),
    metadata: one(struct),
    download_to_workspace: one(scalar),
  },
  ResolverSpec: { output_artifact_queries: map(msg('ArtifactQuerySpec')) },
  ArtifactQuerySpec: { filter: one(scalar), limit: one(int32) },
  AIPlatformCustomJobSpec: { custom_job: one(struct) },
  PlatformSpec: { platforms: map(msg('SinglePlatformSpec')) },
  SinglePlatformSpec: {
    deployment_spec: one(msg('PlatformDeploymentConfig')),
    platform: one(scalar),
    config: one(struct),
    pipelineConfig: one(msg('PipelineConfig')),
  },
  PlatformDeploymentConfig: { executors: map(struct) },
  PipelineConfig: {
    semaphore_key: before('2.15.0', one(scalar)),
    mutex_name: before('2.15.0', one(scalar)),
    resource_ttl: before('2.17.0', one(int32)),
    resource_ttl_on_completion: since('2.17.0', one(int32)),
    workspace: one(msg('WorkspaceConfig')),
    resource_ttl_on_success: since('2.17.0', one(int32)),
    resource_ttl_on_failure: since('2.17.0', one(int32)),
    active_deadline_seconds: since('2.17.0', one(int32)),
  },
  WorkspaceConfig: { size: one(scalar), kubernetes: one(msg('KubernetesWorkspaceConfig')) },
  KubernetesWorkspaceConfig: { pvc_spec_patch: one(struct) },
};

/** protoc's default JSON name: underscores dropped, the letter after each one upper-cased. */
export function jsonNameOf(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replaceAll('_', '');
}
