/**
 * KFP REST shapes as the API server writes them (proto field names, `EmitUnpopulated: false`, so
 * any field may be absent). Checked against `backend/api/v2beta1/swagger/*.swagger.json` and
 * `backend/api/v1beta1/swagger/task.swagger.json` (KFP 2.17.0).
 */
import type { KfpFilter } from './filter.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type KfpRuntimeState =
  | 'RUNTIME_STATE_UNSPECIFIED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'SKIPPED'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED'
  | 'PAUSED';
export type KfpStorageState = 'STORAGE_STATE_UNSPECIFIED' | 'AVAILABLE' | 'ARCHIVED';

/** `google.rpc.Status`. */
export interface KfpStatus {
  code?: number;
  message?: string;
  details?: JsonObject[];
}

export interface KfpPipeline {
  pipeline_id: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  tags?: Record<string, string>;
  error?: KfpStatus;
}

export interface KfpPipelineVersion {
  pipeline_id?: string;
  pipeline_version_id: string;
  name?: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  package_url?: { pipeline_url?: string };
  code_source_url?: string;
  /** The PipelineSpec, or `{pipeline_spec, platform_spec}` when the package has a platform spec. */
  pipeline_spec?: JsonObject;
  error?: KfpStatus;
  tags?: Record<string, string>;
}

export interface KfpExperiment {
  experiment_id: string;
  display_name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  storage_state?: KfpStorageState;
  last_run_created_at?: string;
}

export interface KfpRuntimeConfig {
  parameters?: Record<string, JsonValue>;
  pipeline_root?: string;
}

export interface KfpRuntimeStatus {
  update_time?: string;
  state?: KfpRuntimeState;
  error?: KfpStatus;
}

export interface KfpPipelineTaskDetail {
  run_id?: string;
  task_id?: string;
  display_name?: string;
  create_time?: string;
  start_time?: string;
  end_time?: string;
  executor_detail?: {
    main_job?: string;
    pre_caching_check_job?: string;
    failed_main_jobs?: string[];
    failed_pre_caching_check_jobs?: string[];
  };
  state?: KfpRuntimeState;
  /** MLMD execution id (int64 as a decimal string). */
  execution_id?: string;
  error?: KfpStatus;
  inputs?: Record<string, { artifact_ids?: string[] }>;
  outputs?: Record<string, { artifact_ids?: string[] }>;
  parent_task_id?: string;
  state_history?: KfpRuntimeStatus[];
  pod_name?: string;
  child_tasks?: { task_id?: string; pod_name?: string }[];
}

export interface KfpRun {
  experiment_id?: string;
  run_id: string;
  display_name?: string;
  storage_state?: KfpStorageState;
  description?: string;
  pipeline_version_id?: string;
  pipeline_spec?: JsonObject;
  pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
  runtime_config?: KfpRuntimeConfig;
  service_account?: string;
  created_at?: string;
  scheduled_at?: string;
  finished_at?: string;
  state?: KfpRuntimeState;
  error?: KfpStatus;
  run_details?: {
    pipeline_context_id?: string;
    pipeline_run_context_id?: string;
    task_details?: KfpPipelineTaskDetail[];
  };
  recurring_run_id?: string;
  state_history?: KfpRuntimeStatus[];
}

/** A cache row (`backend/api/v1beta1/task.proto` `Task`): v1 names are camelCase. */
export interface KfpTask {
  id?: string;
  namespace?: string;
  pipelineName?: string;
  runId?: string;
  mlmdExecutionID?: string;
  created_at?: string;
  finished_at?: string;
  fingerprint?: string;
}

export interface KfpHealthz {
  commit_sha?: string;
  tag_name?: string;
  multi_user?: boolean;
  pipeline_store?: string;
}

/** One page of a list call. */
export interface KfpPage<T> {
  items: T[];
  totalSize: number;
  /** Absent on the last page. */
  nextPageToken?: string;
}

export interface KfpListOptions {
  filter?: KfpFilter;
  pageSize?: number;
  pageToken?: string;
  /** `"created_at desc"`, `"display_name"`, ... */
  sortBy?: string;
}
