// The lab location's `RunExecutor`: plays KFP's Argo workflow controller, driver and launchers for
// the runs its API server accepts. It talks to its location's ML Metadata over gRPC and to its
// object store over S3, as KFP's pods do, and to the API server's store in-process for run states,
// task details and the task table (KFP's drivers reach the latter over gRPC, `ml-pipeline:8887`).
import { MlmdClient } from '../../../../src/location/mlmd/index.js';
import { ObjectStore, type ObjectStoreCredentials } from '../../../../src/location/objectstore/index.js';
import type { RunContext, RunExecutor, RunStore, StoredRun } from '../kfp/index.js';
import { BehaviourBook, type StepBehaviours } from './behaviour.js';
import type { LocationEnv } from './context.js';
import { executeRun, type StopReason } from './run.js';

export const DEFAULT_PIPELINE_ROOT = 'minio://mlpipeline/v2/artifacts';

export interface LabExecutorOptions {
  /** The location's name, used in errors. */
  location: string;
  /** `host:port` of the location's ML Metadata. */
  mlmdAddress: string;
  objectStore: { endpoint: string; credentials: ObjectStoreCredentials; region?: string };
  /** Used when a run names no `pipeline_root` (default `minio://mlpipeline/v2/artifacts`). */
  defaultPipelineRoot?: string;
  /** The namespace KFP's pods run in, in single-user mode (default `kubeflow`). */
  namespace?: string;
  /** The API server's `CacheEnabled` (default true). */
  cacheEnabled?: boolean;
  /** The API server's `PUBLISH_LOGS`, every driver's `--publish_logs` (default true, as KFP's flag and manifests). */
  publishLogs?: boolean;
  steps?: StepBehaviours;
  /** Executable tasks running at once per run (default 4). */
  concurrency?: number;
}

interface ActiveRun {
  controller: AbortController;
  reason?: StopReason;
  done: Promise<void>;
}

export class LabExecutor implements RunExecutor {
  private readonly mlmd: MlmdClient;
  private readonly objects: ObjectStore;
  private readonly behaviours: BehaviourBook;
  private readonly pvcs = new Set<string>();
  private readonly active = new Map<string, ActiveRun>();
  private store: RunStore | undefined;
  private closed = false;

  constructor(private readonly options: LabExecutorOptions) {
    this.mlmd = new MlmdClient({ location: options.location, address: options.mlmdAddress, retry: { attempts: 1 } });
    const region = options.objectStore.region ?? 'us-east-1';
    this.objects = new ObjectStore({
      location: options.location,
      endpoint: options.objectStore.endpoint,
      region,
      credentials: options.objectStore.credentials,
      pipelineRoot: options.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT,
    });
    this.behaviours = new BehaviourBook(options.steps);
  }

  /** Replaces the step behaviours (and resets their failure counts). */
  setSteps(steps: StepBehaviours): void {
    this.behaviours.set(steps);
  }

  private env(ctx: RunContext): LocationEnv {
    const endpoint = new URL(this.options.objectStore.endpoint);
    return {
      name: this.options.location,
      kfpVersion: ctx.kfpVersion,
      store: ctx.store,
      mlmd: this.mlmd,
      objects: this.objects,
      objectStoreHost: endpoint.host,
      region: this.options.objectStore.region ?? 'us-east-1',
      cacheEnabled: this.options.cacheEnabled ?? true,
      behaviours: this.behaviours,
      pvcs: this.pvcs,
      concurrency: this.options.concurrency ?? 4,
    };
  }

  start(run: StoredRun, ctx: RunContext): void {
    this.store = ctx.store;
    if (this.closed || this.active.has(run.runId)) return;
    if (run.state === 'CANCELING') {
      ctx.store.finish(run.runId, 'CANCELED');
      return;
    }
    const controller = new AbortController();
    const entry: ActiveRun = { controller, done: Promise.resolve() };
    const settings = {
      defaultPipelineRoot: this.options.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT,
      namespace: this.options.namespace ?? 'kubeflow',
      multiUser: ctx.multiUser,
      publishLogs: this.options.publishLogs ?? true,
    };
    this.active.set(run.runId, entry);
    entry.done = executeRun(this.env(ctx), settings, run, controller.signal, () => entry.reason)
      .catch(() => {
        // executeRun reports its own failures on the run; this only guards against a closed store.
      })
      .finally(() => this.active.delete(run.runId));
  }

  terminate(runId: string): void {
    const entry = this.active.get(runId);
    if (entry) {
      entry.reason = 'terminate';
      entry.controller.abort();
      return;
    }
    // Not running here (finished meanwhile, or never started): settle the CANCELING state.
    if (this.store?.getRun(runId)?.state === 'CANCELING') this.store.finish(runId, 'CANCELED');
  }

  /** Resolves once no run is executing (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((e) => e.done));
  }

  /** Stops every run where it is (they stay RUNNING and resume when the lab restarts) and closes the clients. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.active.values()) {
      entry.reason ??= 'shutdown';
      entry.controller.abort();
    }
    await this.idle();
    this.mlmd.close();
    this.objects.close();
  }
}
