// Why an operation is in the plan, as a stable code beside its sentence (`reasonCode` in JSON):
// scripts and policies branch on the code, people read the sentence. Codes are only ever added.

export type ReasonCode =
  /** upload-pipeline: this revision's pipeline version is not at the location yet. */
  | 'pipeline-version-missing'
  /** handoff: a stage about to run needs steps that another location has (or will have) as cache hits. */
  | 'handoff-needed'
  /** handoff: a done stage's handed-off steps are no longer available at its location (drift repair). */
  | 'handoff-repair'
  /** run-stage: no run of this revision yet. */
  | 'stage-not-run'
  /** run-stage: the last run failed. */
  | 'stage-failed'
  /** run-stage: the last run succeeded but failed verification (a handed-off step executed, or the reverse). */
  | 'stage-unverified'
  /** run-stage: a done stage runs again because a later stage needs an output no location has any more. */
  | 'rerun-lost-output'
  /** run-stage: a done stage runs again because it consumed outputs another stage regenerates. */
  | 'rerun-regenerated-input'
  /** await-stage: a run of this revision is in progress; it is awaited, never submitted twice. */
  | 'stage-running'
  /** verify-stage: every run is checked (handed-off steps were cache hits, the stage's steps executed). */
  | 'verify-run';

export const REASON_CODES: readonly ReasonCode[] = [
  'pipeline-version-missing',
  'handoff-needed',
  'handoff-repair',
  'stage-not-run',
  'stage-failed',
  'stage-unverified',
  'rerun-lost-output',
  'rerun-regenerated-input',
  'stage-running',
  'verify-run',
];
