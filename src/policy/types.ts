// Policies as code (issue 12): rules written in CEL that git review can hold, evaluated once per item
// of their scope (a handoff, a stage, the whole plan), in the style of Kubernetes'
// ValidatingAdmissionPolicy (`validations: [{expression, message}]`) with HCP Terraform's levels.

/** advisory: shown only; soft: blocks unless an owner overrides it; hard: always blocks. */
export type Enforcement = 'advisory' | 'soft' | 'hard';
export type PolicyScope = 'handoff' | 'stage' | 'plan';

/** Where a piece of text came from, so a broken expression is reported at `FILE:LINE:COL`. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface PolicyValidation {
  expression: string;
  message: string;
  /** Position of the expression's first character in its file, when known. */
  at?: SourcePosition;
}

export interface PolicySpec {
  name: string;
  description?: string;
  enforcement: Enforcement;
  /** GitHub users (`octocat`) or teams (`org/team`) who may override a soft failure. */
  owners?: string[];
  scope: PolicyScope;
  /** A CEL expression: the policy applies to an item only when it is true. */
  match?: string;
  matchAt?: SourcePosition;
  validations: PolicyValidation[];
  /** Built-in default policies say why they exist. */
  reason?: string;
  at?: SourcePosition;
}

/** An exception in the repository: policy, for what, why, approved by whom, until when. */
export interface PolicyException {
  policy: string;
  /** CEL over the same variables as the policy: the exception covers the items where it is true. Absent: every item. */
  match?: string;
  matchAt?: SourcePosition;
  why: string;
  approvedBy: string;
  /** ISO date or date-time; the exception no longer applies after it. */
  until: string;
  at?: SourcePosition;
}

/** A soft failure overridden on the command line (`--override-policy NAME --reason TEXT`) or by an owner's approval. */
export interface PolicyOverride {
  policy: string;
  reason: string;
  actor: string;
}

export interface LocationInput {
  name: string;
  region: string;
  labels: Record<string, string>;
}

export interface ArtifactInput {
  step: string;
  output: string;
  type: string;
  labels: Record<string, string>;
  /**
   * Size in bytes at the source; absent when the plan does not know it (`plan --offline`, or the
   * source does not hold the artifact yet), so `has(a.bytes)` tells. Never 0 for "unknown": a size
   * policy must not pass on data it knows nothing about (comparing an absent size fails the policy).
   */
  bytes?: number;
  travels: 'bytes' | 'records';
}

export interface HandoffInput {
  from: LocationInput;
  to: LocationInput;
  steps: string[];
  artifacts: ArtifactInput[];
  /** Total size of what travels as bytes; absent when the size of one of them is unknown. */
  bytes?: number;
}

export interface StageInput {
  index: number;
  location: LocationInput;
  steps: string[];
  images: string[];
}

/** A runtime parameter the runs are created with: never its value, only where it comes from. */
export interface ParameterInput {
  name: string;
  /** `file`: under spec.pipeline.parameters; `env`: read from an environment variable (spec.pipeline.parametersFromEnv). */
  from: 'file' | 'env';
  /** The name looks like a secret (`password`, `api_key`, `mlpipeline_minio_artifact_secret`). */
  secret: boolean;
}

export interface PlanInput {
  stages: StageInput[];
  handoffs: HandoffInput[];
  revision: string;
  /** The runtime parameters the file gives (names and where from, never values). */
  parameters: ParameterInput[];
}

export interface PolicyInputs {
  plan: PlanInput;
}

export interface PolicyContext {
  command: 'plan' | 'apply' | 'reconcile';
  trigger: 'pull_request' | 'push' | 'schedule' | 'cli';
  actor: string;
  /** ISO date-time; a CEL timestamp in expressions. */
  now: string;
  /** Paths changed by the change under review (empty when unknown). */
  changed: string[];
}

export interface PolicyResult {
  policy: string;
  enforcement: Enforcement;
  scope: PolicyScope;
  /** The item evaluated, in words: `plan`, `stage 2 (c)`, `handoff a → b (stage 2)`. */
  item: string;
  passed: boolean;
  /** Messages of the failed validations (or the evaluation error). */
  messages: string[];
  /** The exception that covered this failure, if any (then `passed` stays false but it does not block). */
  exception?: PolicyException;
  /** Soft failures only: owners may override them. */
  overridable: boolean;
  owners: string[];
  override?: PolicyOverride;
  /** True when this result stops `plan` (exit 1) and `apply` (refuses). */
  blocking: boolean;
}

export interface PolicyReport {
  results: PolicyResult[];
  /** Exceptions that covered at least one failure. */
  exceptionsUsed: number;
  /** Exceptions past their `until`: they no longer apply and are reported. */
  expiredExceptions: PolicyException[];
  blocking: PolicyResult[];
}
