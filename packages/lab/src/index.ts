// The lab: emulated KFP 2.x locations on loopback (API server, ML Metadata, object store,
// Kubernetes Leases, and an executor with KFP v2's caching semantics).
export {
  startLab,
  LabError,
  DEFAULT_LOCATIONS,
  DEFAULT_KFP_VERSION,
  NEXT_KFP_VERSION,
  isNativeKfp,
  type Lab,
  type LocationFaults,
  type StartLabOptions,
} from './lab.js';
export {
  LAB_KUBE_NAMESPACE,
  LAB_S3_ACCESS_KEY_ENV,
  LAB_S3_SECRET_KEY_ENV,
  kubeconfigPath,
  labFilePath,
  readLabFile,
  renderLocationsYaml,
  tokenEnvName,
  type LabFile,
  type LabLocation,
} from './lab-config.js';
export { LAB_BASE_PORT, LAB_HOST, PortInUseError, defaultPorts, type LocationPorts } from './ports.js';
export { labProblem } from './readiness.js';
export { runningLab, startDetached, stopDetached, type StopOutcome } from './lab-process.js';
export {
  LabExecutor,
  DEFAULT_PIPELINE_ROOT,
  type LabExecutorOptions,
  type StepBehaviour,
  type StepBehaviours,
} from './executor/index.js';
export { writeExampleForLab } from './example-on-lab.js';
