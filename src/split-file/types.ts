// The loaded `split-pipeline.yaml`, as `schemas/split-pipeline.schema.json` describes it, after the
// schema's defaults were applied (so defaulted fields are never undefined).

import type { JsonValue } from '../pipeline/ir.js';
import type { LocationTransferSettings, TransferSpec } from './transfer-types.js';

export type { JsonValue };

export const API_VERSION = 'splitpipelines.dev/v1alpha1';
export const KIND = 'SplitPipeline';

export interface SplitPipelineSpec {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: SpecMetadata;
  spec: SplitPipelineBody;
}

export interface SpecMetadata {
  /** DNS-1123 label. */
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface SplitPipelineBody {
  pipeline: PipelineSpec;
  locations: LocationSpec[];
  stages: StageSpec[];
  /** Policies in CEL (src/policy); more in `policyFiles`. */
  policies?: PolicySpecInFile[];
  policyFiles?: string[];
  policyExceptions?: PolicyExceptionInFile[];
  /** Built-in default policies the file relaxes (src/policy/defaults.ts): name → enforcement and owners. */
  defaultPolicies?: Record<string, DefaultPolicySetting>;
  /** How handoff bytes are copied (src/transfer). */
  transfer?: TransferSpec;
  /** Data residency and labels of step outputs (src/plan/residency.ts). */
  data?: DataEntry[];
}

/** Step outputs (one, all of a step's, or all of a type) with labels and where their bytes may be stored. */
export interface DataEntry {
  step?: string;
  output?: string;
  type?: string;
  labels?: Record<string, string>;
  keepIn?: string[];
}

/** A policy as written (src/policy/types.ts `PolicySpec` adds positions). */
export interface PolicySpecInFile {
  name: string;
  description?: string;
  enforcement: 'advisory' | 'soft' | 'hard';
  owners?: string[];
  scope: 'handoff' | 'stage' | 'plan';
  match?: string;
  validations: { expression: string; message: string }[];
}

/** How a file sets a built-in policy: e.g. `secret-parameters: {enforcement: soft, owners: [alice]}`. */
export interface DefaultPolicySetting {
  enforcement: 'advisory' | 'soft' | 'hard';
  owners?: string[];
}

export interface PolicyExceptionInFile {
  policy: string;
  match?: string;
  why: string;
  approvedBy: string;
  until: string;
}

export interface PipelineSpec {
  /** Compiled KFP v2 pipeline (IR YAML), relative to the spec file's directory. */
  package: string;
  /** Runtime parameters of the root; `{}` when the file has none. */
  parameters: Record<string, JsonValue>;
  /** Parameters read from the environment when a location is contacted: parameter → variable name (src/split-file/secrets.ts). */
  parametersFromEnv?: Record<string, string>;
  /** KFP experiment for the runs; when absent, `metadata.name`. */
  experiment?: string;
}

export interface LocationSpec {
  /** DNS-1123 label. */
  name: string;
  kfp: KfpSpec;
  /** Absent where the location keeps no ML Metadata (the next KFP); src/location/backend/detect.ts checks it against the location. */
  mlmd?: MlmdSpec;
  objectStore: ObjectStoreSpec;
  kubernetes?: KubernetesSpec;
  region?: string;
  labels?: Record<string, string>;
  /** Transfer engines this location allows, and their settings (src/transfer). */
  transfer?: LocationTransferSettings;
}

export interface KfpSpec {
  /** http(s) base URL of the KFP API (without `/apis/…`). */
  endpoint: string;
  namespace?: string;
  auth?: KfpAuthSpec;
  userIdHeader?: UserIdHeaderSpec;
  caBundleFile?: string;
  insecureSkipTlsVerify: boolean;
  /** Overrides the version `healthz` reports (decides the cache-key algorithm). */
  version?: string;
  /**
   * The location's `PUBLISH_LOGS` (whether KFP's drivers add an `executor-logs` output to every
   * container task, and so to its cache key). Absent: detected from a finished run there, else true.
   */
  publishLogs?: boolean;
  /** Image of the handoff's marker run (one `echo`); absent: `ghcr.io/containerd/busybox`. */
  markerImage?: string;
  /** Base URL of the location's KFP UI, for links to runs (`<ui>/#/runs/details/<runId>`); never contacted. */
  ui?: string;
}

/** Exactly one member is set. */
export type KfpAuthSpec = { tokenEnv: string } | { tokenFile: string } | { serviceAccountToken: boolean };

/** Exactly one of `value` / `valueEnv` is set. */
export type UserIdHeaderSpec = { name: string } & ({ value: string } | { valueEnv: string });

export interface MlmdSpec {
  /** host:port of the gRPC service. */
  endpoint: string;
  /** Present: connect with TLS. */
  tls?: { caBundleFile?: string };
}

export interface ObjectStoreSpec {
  /** http(s) URL of the S3 API. */
  endpoint: string;
  region: string;
  /** `minio://`, `s3://` or `gs://` bucket and prefix. */
  pipelineRoot: string;
  accessKeyIdEnv?: string;
  secretAccessKeyEnv?: string;
  sessionTokenEnv?: string;
  forcePathStyle: boolean;
  caBundleFile?: string;
}

export interface KubernetesSpec {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  inCluster: boolean;
}

export type StageGate = 'auto' | 'manual';

export interface StageSpec {
  /** DNS-1123 label; when absent, stages are named by their 1-based position. */
  name?: string;
  /** Name of a declared location. */
  location: string;
  /** Top-level task names of the pipeline's root DAG. */
  steps: string[];
  gate: StageGate;
}
