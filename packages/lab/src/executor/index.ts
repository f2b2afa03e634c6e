// The lab location's executor: runs submitted KFP v2 runs as KFP's driver and launchers would.
export { LabExecutor, DEFAULT_PIPELINE_ROOT, type LabExecutorOptions } from './executor.js';
export type { StepBehaviour, StepBehaviours } from './behaviour.js';
export { LAB_ARTIFACT_MAGIC, checkArtifactBytes, type ArtifactCheck } from './artifact-bytes.js';
