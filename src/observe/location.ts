// Reads one location into a LocationObservation: KFP version, this revision's pipeline version and
// runs, verification of finished stage runs, and which root tasks are available there. Read-only.
import { detectedBackend } from '../location/connect.js';
import type { KfpClient, KfpRun } from '../location/kfp/index.js';
import { contains, eq, where } from '../location/kfp/index.js';
import { parseRunName, pipelineVersionName, revisionRunPrefix } from '../split-file/run-names.js';
import type { StageLayout } from '../plan/layout.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { heldArtifacts } from './held-artifacts.js';
import { checkRunRoots, verifyStage, walkLocation, type BackendReaders } from './location-backend.js';
import { newestFirst } from './run-order.js';
import type { LocationObservation, ObservedRun, ObservedRunState } from '../plan/observation.js';

export interface ObserveRequest {
  /** With the configured pipeline root, checked against the root KFP used for this revision's runs. */
  location: BackendReaders & { pipelineRoot?: string };
  /** The file's override of the KFP version, if any. */
  kfpVersionOverride?: string;
  splitPipeline: string;
  revision: string;
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  layouts: StageLayout[];
}

export async function observeLocation(req: ObserveRequest): Promise<LocationObservation> {
  const { location } = req;
  const health = await location.kfp.healthz();
  const backend = await detectedBackend(location.kfp);
  const kfpVersion = req.kfpVersionOverride ?? health.version;
  const [pipelineVersionUploaded, runs] = await Promise.all([
    versionUploaded(location.kfp, req),
    revisionRuns(location.kfp, req),
  ]);
  const stageRuns: ObservedRun[] = [];
  const markerRuns: LocationObservation['markerRuns'] = [];
  // KFP's order breaks ties within a second by random UUID; the sequence in the description decides.
  for (const run of newestFirst(runs)) {
    const parsed = parseRunName(req.splitPipeline, req.revision, run.display_name ?? '');
    if (!parsed) continue;
    if (parsed.kind === 'handoff') {
      markerRuns.push({ runId: run.run_id, displayName: run.display_name!, stage: parsed.stage, from: parsed.from });
      continue;
    }
    const layout = req.layouts[parsed.stage - 1];
    if (!layout || layout.location !== location.name) continue;
    const observed: ObservedRun = {
      stage: parsed.stage,
      runId: run.run_id,
      displayName: run.display_name!,
      state: runState(run),
      createdAt: run.created_at ?? '',
    };
    if (run.error?.message) observed.error = run.error.message;
    stageRuns.push(observed);
  }
  // Only the newest run of each stage decides; verify it when it succeeded.
  const newest = new Map<number, ObservedRun>();
  for (const r of stageRuns) if (!newest.has(r.stage)) newest.set(r.stage, r);
  for (const r of newest.values()) {
    if (r.state !== 'succeeded') continue;
    const l = req.layouts[r.stage - 1]!;
    r.verification = await verifyStage(location, {
      location: location.name,
      runId: r.runId,
      steps: l.steps,
      fromCache: l.fromCache,
    });
  }
  if (location.pipelineRoot !== undefined)
    await checkRunRoots(
      location,
      location.pipelineRoot,
      [...newest.values()].map((r) => r.runId),
    );
  const walk = await walkLocation(location, {
    graph: req.graph,
    parameters: req.parameters,
    rootTasks: req.graph.rootOrder,
    kfpVersion,
  });
  return {
    location: location.name,
    kfpVersion,
    ...(backend ? { backend } : {}),
    multiUser: health.multiUser,
    pipelineVersionUploaded,
    runs: stageRuns,
    availability: walk.availability,
    markerRuns,
    artifacts: await heldArtifacts(location.store, req.graph, walk),
  };
}

function runState(run: KfpRun): ObservedRunState {
  switch (run.state) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
    case 'CANCELING':
      return 'canceled';
    case 'RUNNING':
      return 'running';
    default:
      return 'pending';
  }
}

async function revisionRuns(kfp: KfpClient, req: ObserveRequest): Promise<KfpRun[]> {
  const out: KfpRun[] = [];
  let pageToken: string | undefined;
  do {
    const page = await kfp.listRuns({
      filter: where(contains('display_name', revisionRunPrefix(req.splitPipeline, req.revision))),
      sortBy: 'created_at desc',
      pageSize: 100,
      ...(pageToken ? { pageToken } : {}),
    });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

async function versionUploaded(kfp: KfpClient, req: ObserveRequest): Promise<boolean> {
  const pipeline = await kfp.getPipelineByName(req.splitPipeline);
  if (!pipeline?.pipeline_id) return false;
  const versions = await kfp.listPipelineVersions(pipeline.pipeline_id, {
    filter: where(eq('name', pipelineVersionName(req.splitPipeline, req.revision))),
    pageSize: 1,
  });
  return versions.items.length > 0;
}
