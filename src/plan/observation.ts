// What the reconciler learns from one location, read-only. The planner decides from this alone, so
// everything a decision needs is here: runs of this revision, and which steps are *available*
// (KFP would give a cache hit for them there and the bytes are present).

export type ObservedRunState = 'pending' | 'running' | 'succeeded' | 'failed' | 'canceled';

export interface StageVerification {
  ok: boolean;
  /** Root tasks whose every container execution ran in this run. */
  executed: string[];
  /** Root tasks whose every container execution was a cache hit in this run. */
  cached: string[];
  /** Why `ok` is false: which step, expected vs actual. */
  problems: string[];
}

export interface ObservedRun {
  stage: number;
  runId: string;
  displayName: string;
  state: ObservedRunState;
  createdAt: string;
  error?: string;
  /** Present for succeeded runs. */
  verification?: StageVerification;
}

export interface StepAvailability {
  available: boolean;
  /** Why not (no cache row for fingerprint …, artifact bytes missing at …), or where from. */
  reason: string;
  /** MLMD execution ids (at this location) that serve the step from cache. */
  executionIds?: string[];
}

/** One output artifact of a step available at a location, as held there (src/observe/held-artifacts.ts). */
export interface HeldArtifact {
  output: string;
  /** Size of its objects there; null when unknown (or when only its records are there). */
  bytes: number | null;
  /** Only its records are there: a handoff carried no bytes, as nothing there read them (src/plan/travel.ts). */
  recordsOnly?: true;
}

export interface LocationObservation {
  location: string;
  /** Reported by healthz `tag_name`, or the file's override. */
  kfpVersion: string;
  /** Where the location keeps its run metadata (src/location/backend/detect.ts), when it was detected. */
  backend?: 'mlmd' | 'native';
  multiUser: boolean;
  /** The pipeline version named after this revision is uploaded. */
  pipelineVersionUploaded: boolean;
  /** Runs of this revision, newest first. */
  runs: ObservedRun[];
  /** Root task → availability; only for the tasks the plan may need at this location. */
  availability: Record<string, StepAvailability>;
  /** Handoff marker runs of this revision at this location (they own handed-off cache rows). */
  markerRuns: { runId: string; displayName: string; stage: number; from: string }[];
  /** Root task → its output artifacts held here (sizes, records only), for the tasks available here. */
  artifacts?: Record<string, HeldArtifact[]>;
}

export interface Observation {
  revision: string;
  locations: Record<string, LocationObservation>;
}
