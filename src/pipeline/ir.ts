// The subset of KFP's compiled pipeline IR (`api/v2alpha1/pipeline_spec.proto`, YAML/JSON form with
// lowerCamelCase keys) that split-pipelines reads. The documents are as KFP's API server reads them
// (protojson-read.ts: null fields unset, enum numbers named, proto field names renamed); fields not
// described here are kept untouched, and pruning copies definitions as they are, so these types only
// describe what we inspect.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface IrArtifactType {
  schemaTitle?: string;
  instanceSchema?: string;
  schemaVersion?: string;
}

export interface IrParameterSpec {
  parameterType?: string;
  defaultValue?: JsonValue;
  isOptional?: boolean;
  description?: string;
}

export interface IrArtifactSpec {
  artifactType?: IrArtifactType;
  isArtifactList?: boolean;
  isOptional?: boolean;
  description?: string;
}

export interface IrInputsSpec {
  parameters?: Record<string, IrParameterSpec>;
  artifacts?: Record<string, IrArtifactSpec>;
}

export interface IrTaskParameterInput {
  componentInputParameter?: string;
  taskOutputParameter?: { producerTask: string; outputParameterKey: string };
  runtimeValue?: { constant?: JsonValue };
  taskFinalStatus?: { producerTask: string };
  parameterExpressionSelector?: string;
}

export interface IrTaskArtifactInput {
  componentInputArtifact?: string;
  taskOutputArtifact?: { producerTask: string; outputArtifactKey: string };
}

export interface IrTask {
  taskInfo?: { name?: string };
  componentRef: { name: string };
  dependentTasks?: string[];
  cachingOptions?: { enableCache?: boolean; cacheKey?: string };
  inputs?: {
    parameters?: Record<string, IrTaskParameterInput>;
    artifacts?: Record<string, IrTaskArtifactInput>;
  };
  triggerPolicy?: { condition?: string; strategy?: string };
  parameterIterator?: { itemInput: string; items: { inputParameter?: string; raw?: string } };
  artifactIterator?: { itemInput: string; items: { inputArtifact?: string } };
  iteratorPolicy?: { parallelismLimit?: number };
  retryPolicy?: JsonObject;
}

export interface IrDag {
  tasks: Record<string, IrTask>;
  outputs?: {
    artifacts?: Record<string, { artifactSelectors?: { producerSubtask: string; outputArtifactKey: string }[] }>;
    parameters?: Record<
      string,
      {
        valueFromParameter?: { producerSubtask: string; outputParameterKey: string };
        valueFromOneof?: { parameterSelectors?: { producerSubtask: string; outputParameterKey: string }[] };
      }
    >;
  };
}

export interface IrComponent {
  executorLabel?: string;
  dag?: IrDag;
  inputDefinitions?: IrInputsSpec;
  outputDefinitions?: IrInputsSpec;
}

export interface IrContainer {
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  resources?: JsonObject;
}

export interface IrImporter {
  artifactUri?: { constant?: JsonValue; runtimeParameter?: string };
  typeSchema?: IrArtifactType;
  metadata?: JsonObject;
  reimport?: boolean;
  /** KFP >= 2.15: the importer downloads the artifact into the run's workspace PVC. */
  downloadToWorkspace?: boolean;
}

export interface IrExecutor {
  container?: IrContainer;
  importer?: IrImporter;
  resolver?: JsonObject;
}

export interface IrPipelineSpec {
  pipelineInfo: { name: string; displayName?: string; description?: string };
  schemaVersion?: string;
  sdkVersion?: string;
  defaultPipelineRoot?: string;
  components?: Record<string, IrComponent>;
  deploymentSpec?: { executors?: Record<string, IrExecutor> };
  root: IrComponent & { dag: IrDag };
}

/** `kubernetes_platform/proto/kubernetes_executor_config.proto`, the parts that affect caching. */
export interface IrKubernetesExecutorConfig {
  pvcMount?: {
    mountPath?: string;
    constant?: string;
    componentInputParameter?: string;
    taskOutputParameter?: { producerTask: string; outputParameterKey: string };
    pvcNameParameter?: IrTaskParameterInput;
  }[];
  [key: string]: JsonValue | undefined | IrKubernetesExecutorConfig['pvcMount'];
}

export interface IrPlatformSpec {
  platforms?: {
    kubernetes?: {
      deploymentSpec?: { executors?: Record<string, IrKubernetesExecutorConfig> };
      pipelineConfig?: JsonObject;
      [key: string]: unknown;
    };
    [platform: string]: unknown;
  };
}
