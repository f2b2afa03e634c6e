export { KubeClient, type KubeClientConfig } from './client.js';
export { buildKubeConfig, contextNamespace, type KubeConnection } from './config.js';
export { KubeError, type KubeOperation } from './errors.js';
export {
  LeaseLock,
  type AcquireOptions,
  type AcquireResult,
  type LeaseAccess,
  type LeaseWait,
  type ReleaseResult,
  type RenewResult,
} from './lease-lock.js';
export { KubeJobClient } from './job-client.js';
