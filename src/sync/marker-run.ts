// A cache row must belong to an existing run at the target (`backend/src/apiserver/resource/
// resource_manager.go` CreateTask checks the run; deleting the run deletes its rows). So a handoff
// owns its rows through a *marker run*: a real, tiny KFP run, visible in the UI, whose description
// names the handed-off steps and their source. It runs one `echo` and nothing else.
//
// It must SUCCEED on a real KFP: every driver of it calls GetPipeline, which fails when the run's
// context has a parent other than the `split-pipelines-handoff` pipeline context its root driver
// linked, or more than one (`2.17.0:backend/src/v2/metadata/client.go:432-445`, `driver/container.go:66`,
// `driver/dag.go:62`); so the handoff never links that context to anything (import-metadata.ts).
// A failed run still owns its rows (the foreign key only needs the run row), but a failed run
// invites deleting it, and deleting it deletes the rows: apply waits for it and checks it.
import type { KfpClient, KfpRun } from '../location/kfp/index.js';
import { eq, waitForRunEnd, where } from '../location/kfp/index.js';
import { HandoffError } from './export.js';

export const MARKER_PIPELINE_NAME = 'split-pipelines-handoff';
export const DEFAULT_MARKER_IMAGE = 'ghcr.io/containerd/busybox';

function markerSpec(message: string, image: string): Record<string, unknown> {
  return {
    pipelineInfo: {
      name: MARKER_PIPELINE_NAME,
      description: 'Owns the KFP cache rows of a split-pipelines handoff. Deleting this run deletes them.',
    },
    schemaVersion: '2.1.0',
    sdkVersion: 'split-pipelines',
    components: { 'comp-handoff': { executorLabel: 'exec-handoff' } },
    deploymentSpec: { executors: { 'exec-handoff': { container: { image, command: ['echo', message] } } } },
    root: {
      dag: {
        tasks: {
          handoff: { componentRef: { name: 'comp-handoff' }, taskInfo: { name: 'handoff' }, cachingOptions: {} },
        },
      },
    },
  };
}

export interface MarkerRunRequest {
  kfp: KfpClient;
  displayName: string;
  experiment: string;
  description: string;
  /** The location's `kfp.markerImage` (default {@link DEFAULT_MARKER_IMAGE}). */
  image?: string;
  /** The location's configured pipeline root, pinned on the run (`runtime_config.pipeline_root`). */
  pipelineRoot?: string;
}

/** Finds the marker run by name, or creates it; never a second one for the same handoff. */
export async function ensureMarkerRun(req: MarkerRunRequest): Promise<KfpRun> {
  const existing = await req.kfp.listRuns({
    filter: where(eq('display_name', req.displayName)),
    pageSize: 1,
    sortBy: 'created_at desc',
  });
  const found = existing.items[0];
  if (found) return found;
  const experiment = await req.kfp.getOrCreateExperiment(req.experiment, {
    description: 'Runs of a split pipeline (split-pipelines)',
  });
  return req.kfp.createRun({
    displayName: req.displayName,
    description: req.description,
    experimentId: experiment.experiment_id,
    pipelineSpec: markerSpec(req.description, req.image ?? DEFAULT_MARKER_IMAGE) as never,
    // As every run split-pipelines creates: not kfp-launcher's default (`2.17.0:backend/src/v2/driver/root_dag.go:97-113`).
    ...(req.pipelineRoot ? { pipelineRoot: req.pipelineRoot } : {}),
  });
}

export interface MarkerWait {
  /** Location name, for messages. */
  location: string;
  /** Give up after this long (default 10 minutes: the run pulls one small image). */
  timeoutMs?: number;
  pollMs?: number;
}

/** Waits for the marker run to finish; anything but SUCCEEDED is an error that says what to do. */
export async function awaitMarkerRun(kfp: KfpClient, run: KfpRun, o: MarkerWait): Promise<KfpRun> {
  const timeoutMs = o.timeoutMs ?? 600_000;
  const {
    ended,
    run: current,
    state,
  } = await waitForRunEnd(kfp, run.run_id, { timeoutMs, pollMs: o.pollMs ?? 500, initial: run });
  if (state === 'SUCCEEDED') return current;
  if (ended) {
    const why = current.error?.message ? `: ${current.error.message}` : '';
    throw new HandoffError(
      `the handoff's marker run ${current.display_name ?? ''} (${current.run_id}) at ${o.location} ended ${state}${why}. ` +
        "It owns the handoff's KFP cache rows; check that the location can pull and run its image (kfp.markerImage), " +
        'then delete that run (its cache rows go with it) and apply again',
    );
  }
  throw new HandoffError(
    `the handoff's marker run ${current.display_name ?? ''} (${current.run_id}) at ${o.location} ` +
      `is still ${state} after ${Math.round(timeoutMs / 1000)} s: ` +
      'check that the location can schedule it and pull its image (kfp.markerImage), then apply again',
  );
}
