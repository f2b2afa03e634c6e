/**
 * The `RunExecutor` of a lab location running the next KFP (kubeflow/pipelines 6585b5143d, no ML Metadata): plays
 * its Argo workflow controller, drivers and launchers for the runs its API server accepts. Its drivers and
 * launchers record tasks, artifacts and artifact–task links in the API server's native records (KFP's reach them
 * over gRPC, `ml-pipeline:8887`; the lab's in-process, as the 2.14–2.17 executor does the task table), and
 * read and write the location's object store over S3. What it does and does not: README.md here.
 */
import {
  ObjectStore,
  parsePipelineRoot,
  type ObjectStoreCredentials,
} from '../../../../src/location/objectstore/index.js';
import { driveRun, NotEmulatedError } from '../../../../src/pipeline/driver/index.js';
import { parsePipelineText } from '../../../../src/pipeline/load.js';
import { BehaviourBook, type StepBehaviours } from '../executor/behaviour.js';
import { RunStopped } from '../executor/context.js';
import { DEFAULT_PIPELINE_ROOT } from '../executor/executor.js';
import { generateOutputUri } from '../executor/outputs.js';
import { jobResourceName, packageText, rfc3339, type StopReason } from '../executor/run.js';
import { RunSupervisor } from '../executor/supervisor.js';
import { KfpLabStore, type RunContext, type StoredRun } from '../kfp/index.js';
import { NativeVisitor, type NativeRunEnv } from './native-driver.js';
import { nativeStoreOf } from './native-store.js';

export interface NativeExecutorOptions {
  /** The location's name, used in errors. */
  location: string;
  objectStore: { endpoint: string; credentials: ObjectStoreCredentials; region?: string };
  /** Used when a run names no `pipeline_root` (default `minio://mlpipeline/v2/artifacts`). */
  defaultPipelineRoot?: string;
  /** The API server's `CacheEnabled` (default true): the drivers' `--cache_disabled` when false. */
  cacheEnabled?: boolean;
  /** The API server's `PUBLISH_LOGS`, every driver's `--publish_logs` (default true). */
  publishLogs?: boolean;
  steps?: StepBehaviours;
  /** Executable tasks running at once per run (default 4). */
  concurrency?: number;
}

export class NativeExecutor extends RunSupervisor {
  private readonly objects: ObjectStore;
  private readonly behaviours: BehaviourBook;

  constructor(private readonly options: NativeExecutorOptions) {
    super();
    this.objects = new ObjectStore({
      location: options.location,
      endpoint: options.objectStore.endpoint,
      region: options.objectStore.region ?? 'us-east-1',
      credentials: options.objectStore.credentials,
      pipelineRoot: options.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT,
    });
    this.behaviours = new BehaviourBook(options.steps);
  }

  /** Replaces the step behaviours (and resets their failure counts). */
  setSteps(steps: StepBehaviours): void {
    this.behaviours.set(steps);
  }

  protected release(): void {
    this.objects.close();
  }

  /**
   * One run, start to end: RUNNING, the walk (root driver's ROOT task, DAG, container drivers and
   * launchers, native-driver.ts), then SUCCEEDED or FAILED (CANCELED when terminated). As in KFP the run's
   * state is the workflow's, reported by the persistence agent, not derived from its tasks.
   */
  protected async execute(
    run: StoredRun,
    ctx: RunContext,
    signal: AbortSignal,
    reason: () => StopReason | undefined,
  ): Promise<void> {
    const runs = ctx.store;
    if (!(runs instanceof KfpLabStore)) throw new Error('the native executor needs the lab API server’s store');
    const fail = (message: string) => runs.finish(run.runId, 'FAILED', { message });
    runs.setRunState(run.runId, 'RUNNING');
    const parsed = parsePipelineText(packageText(run), `run ${run.runId}`);
    if (!parsed.graph) {
      fail(`the pipeline spec cannot be run: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
      return;
    }
    const graph = parsed.graph;
    const pipelineRoot = run.pipelineRoot || (this.options.defaultPipelineRoot ?? DEFAULT_PIPELINE_ROOT);
    let root;
    try {
      root = parsePipelineRoot(pipelineRoot);
    } catch (err) {
      fail(`the pipeline root ${pipelineRoot} cannot be used: ${(err as Error).message}`);
      return;
    }
    const env: NativeRunEnv = {
      loc: {
        name: this.options.location,
        objects: this.objects,
        behaviours: this.behaviours,
        cacheEnabled: this.options.cacheEnabled ?? true,
      },
      store: nativeStoreOf(runs.db),
      run,
      graph,
      root,
      runRoot: generateOutputUri(pipelineRoot, [graph.name, run.runId], true),
      // The run's namespace: '' in single-user mode, where the API server drops the lookup's namespace
      // anyway (next:backend/src/apiserver/resource/resource_manager.go:2614-2620).
      namespace: run.namespace,
      jobResourceName: jobResourceName(graph.name, run.runId),
      signal,
    };
    try {
      const result = await driveRun(
        graph,
        {
          parameters: run.parameters,
          pipelineRoot,
          runId: run.runId,
          runName: run.displayName,
          jobResourceName: env.jobResourceName,
          createTimeUtc: rfc3339(run.createdAt),
          scheduleTimeUtc: rfc3339(run.createdAt),
          concurrency: this.options.concurrency ?? 4,
          publishLogs: this.options.publishLogs ?? true,
        },
        new NativeVisitor(env),
      );
      if (signal.aborted) throw new RunStopped('the run was stopped');
      if (result.state === 'succeeded') runs.finish(run.runId, 'SUCCEEDED');
      else fail(result.error ?? 'a task of the run could not run');
    } catch (err) {
      if (signal.aborted || err instanceof RunStopped) {
        if (reason() === 'terminate') runs.finish(run.runId, 'CANCELED');
        // On shutdown the run stays RUNNING; the next start of the lab resumes it.
        return;
      }
      if (err instanceof NotEmulatedError) fail(err.message);
      else
        fail(
          `the lab executor at location '${this.options.location}' failed: ${err instanceof Error ? err.message : String(err)}`,
        );
    }
  }
}
