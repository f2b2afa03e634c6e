// The lab location's `RunExecutor`: plays KFP's Argo workflow controller, driver and launchers for
// the runs its API server accepts. It talks to its location's ML Metadata over gRPC and to its
// object store over S3, as KFP's pods do, and to the API server's store in-process for run states,
// task details and the task table (KFP's drivers reach the latter over gRPC, `ml-pipeline:8887`).
import { MlmdClient } from '../../../../src/location/mlmd/index.js';
import { ObjectStore, type ObjectStoreCredentials } from '../../../../src/location/objectstore/index.js';
import type { RunContext, StoredRun } from '../kfp/index.js';
import { BehaviourBook, type StepBehaviours } from './behaviour.js';
import type { LocationEnv } from './context.js';
import { executeRun, type StopReason } from './run.js';
import { RunSupervisor } from './supervisor.js';

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

export class LabExecutor extends RunSupervisor {
  private readonly mlmd: MlmdClient;
  private readonly objects: ObjectStore;
  private readonly behaviours: BehaviourBook;
  private readonly pvcs = new Set<string>();

  constructor(private readonly options: LabExecutorOptions) {
    super();
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

  protected execute(
    run: StoredRun,
    ctx: RunContext,
    signal: AbortSignal,
    reason: () => StopReason | undefined,
  ): Promise<void> {
    const settings = {
      defaultPipelineRoot: this.options.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT,
      namespace: this.options.namespace ?? 'kubeflow',
      multiUser: ctx.multiUser,
      publishLogs: this.options.publishLogs ?? true,
    };
    return executeRun(this.env(ctx), settings, run, signal, reason);
  }

  protected release(): void {
    this.mlmd.close();
    this.objects.close();
  }
}
