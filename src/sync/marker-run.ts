// A cache row must belong to an existing run at the target (`backend/src/apiserver/resource/
// resource_manager.go` CreateTask checks the run; deleting the run deletes its rows). So a handoff
// owns its rows through a *marker run*: a real, tiny KFP run, visible in the UI, whose description
// names the handed-off steps and their source. It runs one `echo` and nothing else.
import type { KfpClient, KfpRun } from '../location/kfp/index.js';
import { eq, where } from '../location/kfp/index.js';

export const MARKER_PIPELINE_NAME = 'split-pipelines-handoff';

function markerSpec(message: string): Record<string, unknown> {
  return {
    pipelineInfo: { name: MARKER_PIPELINE_NAME, description: 'Owns the KFP cache rows of a split-pipelines handoff. Deleting this run deletes them.' },
    schemaVersion: '2.1.0',
    sdkVersion: 'split-pipelines',
    components: { 'comp-handoff': { executorLabel: 'exec-handoff' } },
    deploymentSpec: { executors: { 'exec-handoff': { container: { image: 'ghcr.io/containerd/busybox', command: ['echo', message] } } } },
    root: { dag: { tasks: { handoff: { componentRef: { name: 'comp-handoff' }, taskInfo: { name: 'handoff' }, cachingOptions: {} } } } },
  };
}

export interface MarkerRunRequest {
  kfp: KfpClient;
  displayName: string;
  experiment: string;
  description: string;
}

/** Finds the marker run by name, or creates it; never a second one for the same handoff. */
export async function ensureMarkerRun(req: MarkerRunRequest): Promise<KfpRun> {
  const existing = await req.kfp.listRuns({ filter: where(eq('display_name', req.displayName)), pageSize: 1, sortBy: 'created_at desc' });
  const found = existing.items[0];
  if (found) return found;
  const experiment = await req.kfp.getOrCreateExperiment(req.experiment, { description: 'Runs of a split pipeline (split-pipelines)' });
  return req.kfp.createRun({
    displayName: req.displayName,
    description: req.description,
    experimentId: experiment.experiment_id,
    pipelineSpec: markerSpec(req.description) as never,
  });
}
