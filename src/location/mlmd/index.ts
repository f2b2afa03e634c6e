export { MlmdClient } from './client.js';
export { MAX_PAGE_SIZE, collectPages } from './calls.js';
export type { ByTypeListOptions, MlmdClientOptions } from './client.js';
export { backoffDelay } from './channel.js';
export type { CallOptions, MlmdRetryOptions, MlmdTlsOptions } from './channel.js';
export { MlmdError } from './errors.js';
export type { MlmdErrorCode } from './errors.js';
export * from './messages.js';
export * from './values.js';
