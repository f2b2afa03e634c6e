// One run at a lab location, start to end: RUNNING, the root driver's contexts
// (`backend/src/v2/driver/root_dag.go`), the walk, then SUCCEEDED / FAILED (or CANCELED when
// terminated). The pipeline root is the run's `runtime_config.pipeline_root`, else the location's
// default, as the root driver takes it (else the `kfp-launcher` ConfigMap's, else
// `minio://mlpipeline/v2/artifacts`, `backend/src/v2/config/env.go`).
import { parsePipelineRoot, type PipelineRoot } from '../../../../src/location/objectstore/index.js';
import { driveRun, NotEmulatedError } from '../../../../src/pipeline/driver/index.js';
import { parsePipelineText } from '../../../../src/pipeline/load.js';
import type { StoredRun } from '../kfp/index.js';
import { RunStopped, type LocationEnv, type RunEnv } from './context.js';
import { DriverFailure } from './driver-pipeline.js';
import { KfpMetadata } from './kfp-metadata.js';
import { generateOutputUri } from './outputs.js';
import { storeSessionInfo } from './session-info.js';
import { TaskDetails } from './task-details.js';
import { LabVisitor } from './visitor.js';

export interface RunSettings {
  defaultPipelineRoot: string;
  /** The namespace KFP's pods run in; in multi-user mode the run's namespace is used instead. */
  namespace: string;
  multiUser: boolean;
  /** `--publish_logs` (2.17.0:backend/src/v2/cmd/driver/main.go:102): container tasks' `executor-logs` output and key. */
  publishLogs: boolean;
}

/** Why a run's signal was aborted: a terminate request, or the lab shutting down (resume later). */
export type StopReason = 'terminate' | 'shutdown';

/** Argo's generateName: the pipeline name cut to fit, and 5 characters (from the run id, so a resumed run keeps them). */
export function jobResourceName(pipelineName: string, runId: string): string {
  const base =
    pipelineName
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 57) || 'pipeline';
  const suffix = runId
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 5)
    .padEnd(5, '0');
  return `${base}-${suffix}`;
}

export const rfc3339 = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function packageText(run: StoredRun): string {
  return JSON.stringify(
    run.platformSpec ? { pipeline_spec: run.pipelineSpec, platform_spec: run.platformSpec } : run.pipelineSpec,
  );
}

export async function executeRun(
  loc: LocationEnv,
  settings: RunSettings,
  run: StoredRun,
  signal: AbortSignal,
  reason: () => StopReason | undefined,
): Promise<void> {
  const store = loc.store;
  const fail = (message: string) => store.finish(run.runId, 'FAILED', { message });
  store.setRunState(run.runId, 'RUNNING');
  const parsed = parsePipelineText(packageText(run), `run ${run.runId}`);
  if (!parsed.graph) {
    fail(`the pipeline spec cannot be run: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
    return;
  }
  const graph = parsed.graph;
  const pipelineRoot = run.pipelineRoot || settings.defaultPipelineRoot;
  let root: PipelineRoot;
  try {
    root = parsePipelineRoot(pipelineRoot);
  } catch (err) {
    fail(`the pipeline root ${pipelineRoot} cannot be used: ${(err as Error).message}`);
    return;
  }
  const details = new TaskDetails(store, run.runId);
  try {
    const md = new KfpMetadata(loc.mlmd, signal);
    const namespace = settings.multiUser ? run.namespace : settings.namespace;
    const runRoot = generateOutputUri(pipelineRoot, [graph.name, run.runId], true);
    const sessionInfo = storeSessionInfo(root.scheme, loc.objectStoreHost, loc.region);
    // TODO in KFP: "fill in run resource"; the root driver passes the literal "run-resource".
    // The root driver's GetPipeline (2.17.0:backend/src/v2/driver/root_dag.go:125); every later driver
    // checks the contexts again (driver-pipeline.ts).
    let pipeline;
    try {
      pipeline = await md.getPipeline(graph.name, run.runId, {
        namespace,
        resourceName: 'run-resource',
        pipelineRoot: runRoot,
        storeSessionInfo: sessionInfo,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      fail(
        `driver.RootDAG(pipelineName=${graph.name}, runID=${run.runId}, runtimeConfig, componentSpec) failed: ${(err as Error).message}`,
      );
      return;
    }
    store.setRunContextIds(run.runId, {
      pipelineContextId: String(pipeline.pipelineCtx.id),
      pipelineRunContextId: String(pipeline.runCtx.id),
    });
    const env: RunEnv = {
      loc,
      run,
      graph,
      md,
      pipeline,
      runRoot,
      root,
      sessionInfo,
      namespace,
      jobResourceName: jobResourceName(graph.name, run.runId),
      details,
      signal,
    };
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
        concurrency: loc.concurrency,
        // Every cache key input gets it, and the container task provisions (and so records, and demands
        // on a cache hit) `executor-logs` from publishesLogs(input).
        publishLogs: settings.publishLogs,
      },
      new LabVisitor(env),
    );
    if (signal.aborted) throw new RunStopped('the run was stopped');
    if (result.state === 'succeeded') store.finish(run.runId, 'SUCCEEDED');
    else fail(result.error ?? 'a task of the run could not run');
  } catch (err) {
    if (signal.aborted || err instanceof RunStopped) {
      if (reason() === 'terminate') {
        details.cancelRunning();
        store.finish(run.runId, 'CANCELED');
      }
      // On shutdown the run stays RUNNING; the next start of the lab resumes it.
      return;
    }
    if (err instanceof NotEmulatedError) fail(err.message);
    else if (err instanceof DriverFailure) fail(`task ${err.task} failed: ${err.message}`);
    else fail(`the lab executor at location '${loc.name}' failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
