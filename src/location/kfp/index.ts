/** The product's client for a location's KFP API server. */
export {
  KfpClient,
  collectAll,
  type CreateRunRequest,
  type KfpClientOptions,
  type KfpVersionInfo,
  type NewCacheRow,
} from './client.js';
export { KfpError, type KfpErrorKind } from './errors.js';
export {
  IN_CLUSTER_TOKEN_PATH,
  IN_CLUSTER_TOKEN_PATH_ENV,
  inClusterToken,
  staticToken,
  tokenFromEnv,
  tokenFromFile,
  TokenUnavailableError,
  type TokenProvider,
} from './auth.js';
export {
  contains,
  eq,
  filterJson,
  filterJsonV1,
  gt,
  lt,
  neq,
  oneOf,
  where,
  type KfpFilter,
  type KfpPredicate,
  type KfpPredicateOperation,
} from './filter.js';
export type { RetryEvent } from './http.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { FINAL_RUN_STATES, waitForRunEnd, type RunWait, type RunWaitResult } from './run-wait.js';
export type { HttpRequest, HttpResponse, Transport } from './transport.js';
export type * from './wire.js';
