// What the executor's pieces share: the location (its clients and settings) and one run.
import type { MlmdClient } from '../../../../src/location/mlmd/index.js';
import type { ObjectStore, PipelineRoot } from '../../../../src/location/objectstore/index.js';
import type { PipelineGraph } from '../../../../src/pipeline/graph.js';
import type { RunStore, StoredRun } from '../kfp/index.js';
import type { BehaviourBook } from './behaviour.js';
import type { KfpMetadata, PipelineHandle } from './kfp-metadata.js';
import type { TaskDetails } from './task-details.js';

/** One lab location, as its executor sees it. */
export interface LocationEnv {
  name: string;
  kfpVersion: string;
  store: RunStore;
  mlmd: MlmdClient;
  objects: ObjectStore;
  /** `host:port` of the object store, for `store_session_info`. */
  objectStoreHost: string;
  region: string;
  /** The server-level `CacheEnabled` setting (`backend/src/apiserver/config/config.json`). */
  cacheEnabled: boolean;
  behaviours: BehaviourBook;
  /** PVCs "created" by createpvc tasks (no real volume). */
  pvcs: Set<string>;
  /** Concurrent executable tasks per run. */
  concurrency: number;
}

/** One run being executed. */
export interface RunEnv {
  loc: LocationEnv;
  run: StoredRun;
  graph: PipelineGraph;
  md: KfpMetadata;
  pipeline: PipelineHandle;
  /** The run-level root recorded on the run context: `<pipeline_root>/<pipeline>/<run id>`. */
  runRoot: string;
  root: PipelineRoot;
  sessionInfo: string;
  /** The namespace KFP's pods run in: the driver's and launcher's `Namespace`, the cache row's namespace. */
  namespace: string;
  /** The Argo workflow name (`{{$.pipeline_job_resource_name}}`), used in pod names. */
  jobResourceName: string;
  details: TaskDetails;
  signal: AbortSignal;
}

/**
 * What the launcher's object-store side needs of a run: the location's store and the run's pipeline root.
 * Both executors' runs have it (`RunEnv` here, the native executor's run in native/native-run.ts).
 */
export interface ObjectsEnv {
  loc: { objects: ObjectStore };
  root: PipelineRoot;
}

/** Thrown inside a run once it is terminated or the lab shuts down. */
export class RunStopped extends Error {
  override readonly name = 'RunStopped';
}

export function ensureNotStopped(env: { signal: AbortSignal }): void {
  if (env.signal.aborted) throw new RunStopped('the run was stopped');
}

/** A step's "user code" waiting; ends early when the run is stopped. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new RunStopped('the run was stopped'));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RunStopped('the run was stopped'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
