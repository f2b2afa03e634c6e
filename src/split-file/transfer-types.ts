// `spec.transfer` and a location's `transfer:` in the file: which engine copies handoff bytes and
// their settings (src/transfer implements the engines; see the schema's definitions).

import type { TransferEngineName } from '../plan/types.js';

export type { TransferEngineName };
/** `auto` (the file's default) is a choice among the engines, made per handoff. */
export type TransferEngineChoice = TransferEngineName | 'auto';
export const TRANSFER_ENGINES: readonly TransferEngineName[] = ['inline', 'server-side', 'kubernetes-job'];
/** `auto`: handoffs up to this many bytes stay inline unless the file says otherwise (64 MiB). */
export const DEFAULT_INLINE_MAX_BYTES = 64 * 1024 * 1024;
/** A finished transfer Job is deleted by Kubernetes this long after it ends unless the file says otherwise (1 day). */
export const DEFAULT_JOB_TTL_SECONDS_AFTER_FINISHED = 86_400;

/** A location's `transfer.kubernetesJob` settings (the file; see schemas/split-pipeline.schema.json). */
export interface KubernetesJobSettings {
  /** The rclone image, pinned by digest (`repo@sha256:…`). */
  image: string;
  /** Namespace the Job runs in. Default: the location's KFP namespace. */
  namespace?: string;
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  nodeSelector?: Record<string, string>;
  serviceAccountName?: string;
  /**
   * The Secrets holding this location's store credentials, in the Job's namespace: the Job reads
   * them as environment variables (never seen by the reconciler). `accessKeyIdKey` and
   * `secretAccessKeyKey` name the keys in the Secret (defaults `AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`); `sessionTokenKey` optionally.
   */
  credentialsSecret?: { name: string; accessKeyIdKey?: string; secretAccessKeyKey?: string; sessionTokenKey?: string };
  /** Give up on a Job after this long (Job `activeDeadlineSeconds`). Default 6 hours. */
  activeDeadlineSeconds?: number;
  /** Pod retries before the Job is Failed (Job `backoffLimit`). Default 2. */
  backoffLimit?: number;
  /**
   * Kubernetes deletes a finished Job (and its pods) this long after it ends (Job
   * `ttlSecondsAfterFinished`): what cleans up after an apply that never came back. The engine
   * itself deletes a Job once its copy is verified. Default 1 day (a failed Job's logs stay readable).
   */
  ttlSecondsAfterFinished?: number;
}

/** A location's `transfer:` block of the file. */
export interface LocationTransferSettings {
  /** Engines this location allows for handoffs it takes part in. Default: inline and server-side. */
  engines?: TransferEngineName[];
  /** `server-side`: objects above this size are copied in parts (UploadPartCopy). Default 5 GiB. */
  serverSideMultipartThresholdBytes?: number;
  /** `server-side`: part size of a multipart copy. Default 512 MiB (S3: 5 MiB to 5 GiB). */
  serverSidePartSizeBytes?: number;
  kubernetesJob?: KubernetesJobSettings;
}

/** `spec.transfer` of the file. */
export interface TransferSpec {
  engine: TransferEngineChoice;
  /** `auto`: handoffs of at most this many bytes stay inline even when another engine is usable. Default 64 MiB. */
  inlineMaxBytes?: number;
  /** Estimated throughputs (bytes/s) per engine, for the plan's time estimate. */
  throughputBytesPerSecond?: Partial<Record<TransferEngineName, number>>;
}
