// Emulation of how the KFP v2 driver (2.17.0) resolves and walks a run. Pure: no I/O; the visitor
// does whatever running a task means for its caller.
export { driveRun } from './drive.js';
export { NotEmulatedError } from './errors.js';
export { CelError, evaluateCondition, selectParameter } from './cel/index.js';
export { pbValueToText } from './param-text.js';
export { goFormatFloatF, goFormatG } from './go-format.js';
export { rootInputParameters } from './root-inputs.js';
export type { RootInputs } from './root-inputs.js';
export { taskRecordKey } from './types.js';
export type {
  ArtifactRef,
  DagCall,
  DagExit,
  DagMlmdState,
  DriveOptions,
  DriveResult,
  DriveRunInfo,
  DriverVisitor,
  ExecutableCall,
  ImporterCall,
  ResolvedInputs,
  SkippedCall,
  SkipReason,
  TaskOutputs,
  TaskRunRecord,
  TaskRunState,
  VisitResult,
} from './types.js';
