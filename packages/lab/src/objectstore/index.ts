export { startObjectStore, type LabObjectStore, type StartObjectStoreOptions } from './server.js';
export type { ObjectStoreFaults, FaultStats } from './faults.js';
export type { ObjectStoreLimits } from './multipart-routes.js';
