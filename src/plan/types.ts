// The plan as data (Terraform's model): rendered for review, printed as JSON for scripts, then
// walked by `apply`, which re-checks each operation's precondition before executing it.
import type { PlanDiagnostic } from '../diagnostics/plan-diagnostic.js';
import type { ReasonCode } from './reason-codes.js';
import type { HandoffArtifact } from './travel.js';

/** Engines that copy handoff bytes (the file's `transfer` settings name them; src/transfer implements them). */
export type TransferEngineName = 'inline' | 'server-side' | 'kubernetes-job';
export type StageState =
  /** Not observed (offline plan). */
  | 'unknown'
  /** Nothing done yet for this revision. */
  | 'pending'
  /** The stage run is in progress at its location: await it, never submit a duplicate. */
  | 'running'
  /** The stage run failed; the next apply submits it again. */
  | 'failed'
  /** The stage ran and was verified, and its outputs are available where later stages need them. */
  | 'done';

export type OperationKind =
  /** Upload the pipeline package as a version named after the revision (traceability in the KFP UI). */
  | 'upload-pipeline'
  /** Move cache state (bytes, MLMD entities, cache rows) of finished steps between locations. */
  | 'handoff'
  /** Submit the stage's pruned pipeline at its location. */
  | 'run-stage'
  /** Wait for a stage run already in progress. */
  | 'await-stage'
  /** Check that handed-off steps were cache hits and the stage's steps executed. */
  | 'verify-stage';

export interface PlannedOperation {
  /** Stable within a plan: `<kind>:<stage>[:<from>]`. */
  id: string;
  kind: OperationKind;
  stage: number;
  location: string;
  from?: string;
  steps?: string[];
  /** run-stage: steps that must execute although a (stale) cache row exists for them. */
  refresh?: string[];
  reason: string;
  /** Why, as a stable machine-readable code (reason-codes.ts); `reason` says it in words. The planner sets it on every operation. */
  reasonCode?: ReasonCode;
  /** handoff: each output artifact of its steps and whether its bytes travel or only its records (travel.ts). */
  artifacts?: HandoffArtifact[];
  /** handoff: total size of what travels as bytes; null when a size is unknown. */
  bytes?: number | null;
  /** handoff: total size (at the source) of what travels as records only, its bytes staying behind; null when unknown. */
  recordBytes?: number | null;
  /** handoff: the engine that would copy its bytes, and the estimated time (src/apply/plan-transfer.ts). */
  transfer?: PlannedTransfer;
}

/** How a handoff's bytes would be copied, as planned from the file's transfer settings and the sizes known. */
export interface PlannedTransfer {
  /** The engine; `auto` while the size is unknown (apply chooses by it). */
  engine: TransferEngineName | 'auto';
  /** Why this engine: the file's `spec.transfer.engine`, auto's reason, or why the file's choice cannot copy. */
  reason: string;
  /** Bytes to copy (the operation's `bytes`); null when a size is unknown. */
  bytes: number | null;
  /** Estimated seconds at the engine's throughput (the file's `throughputBytesPerSecond`, else a default); null when unknown. */
  estimatedSeconds: number | null;
}

export interface PlannedStage {
  index: number;
  name: string;
  location: string;
  steps: string[];
  fromCache: string[];
  state: StageState;
  runId?: string;
  /** The run's page in its location's KFP UI, when the location names its UI (`kfp.ui`). */
  runUrl?: string;
  /** Present once observed: steps that executed at the location / were cache hits. */
  executed?: string[];
  cached?: string[];
}

export interface PlanDocument {
  name: string;
  revision: string;
  revisionDigest: string;
  pipeline: { name: string; package: string };
  offline: boolean;
  inSync: boolean;
  stages: PlannedStage[];
  operations: PlannedOperation[];
  /** One line per diagnostic (`WHERE: summary`), for readers of the JSON written before `diagnostics`. */
  warnings: string[];
  /** Warnings from the file and stage-layout facts users should know (caching switched on, PVCs, …). */
  diagnostics: PlanDiagnostic[];
  /** Drift found at locations (scheduled reconciles report it). */
  drift: string[];
  /** Policy results of this plan (src/policy), when the file has policies. */
  policies?: PlanPolicies;
  /** The observed locations: KFP version and where each keeps its run metadata (src/location/backend). */
  locations?: PlannedLocation[];
}

export interface PlannedLocation {
  name: string;
  kfpVersion: string;
  /** `mlmd`: ML Metadata and the task table (KFP 2.14–2.17); `native`: the next KFP's task and artifact API. */
  backend: 'mlmd' | 'native';
}

/**
 * Policy results as a plan carries them (src/policy/types.ts PolicyReport, in its JSON form). Declared
 * here by shape because the policy folder reads plans: plan may not import it back.
 */
export interface PlanPolicies {
  results: PlanPolicyResult[];
  exceptionsUsed: number;
  expiredExceptions: PlanPolicyException[];
  blocking: { policy: string; item: string; enforcement: string }[];
}

export interface PlanPolicyException {
  policy: string;
  why: string;
  approvedBy: string;
  until: string;
  match?: string;
}

export interface PlanPolicyResult {
  policy: string;
  enforcement: 'advisory' | 'soft' | 'hard';
  scope: 'handoff' | 'stage' | 'plan';
  item: string;
  passed: boolean;
  messages: string[];
  exception?: PlanPolicyException;
  overridable: boolean;
  owners: string[];
  /** A soft failure overridden: by whom (a command-line user or an approving owner) and why. */
  override?: { policy: string; reason: string; actor: string };
  blocking: boolean;
}
