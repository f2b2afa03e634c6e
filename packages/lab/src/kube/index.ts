export { startKubeServer, type LabKubeServer, type StartKubeServerOptions } from './server.js';
export type { Lease, LeaseSpec, LeaseMetadata } from './lease-object.js';
export type { Status } from './status.js';
