// The lab's ML Metadata: a real gRPC ml_metadata.MetadataStoreService (MLMD 1.14 semantics) on
// loopback, persisted in SQLite. See server.ts for options and faults.
export { startMlmdServer } from './server.js';
export type { MlmdFaults, MlmdServer, MlmdServerOptions } from './server.js';
