// Walks a pipeline at one location the way KFP's driver would, but read-only: every executable
// task is looked up in that location's cache instead of being run. The result says which root
// tasks are *available* there (a cache hit with its bytes present) and, for each executable, the
// fingerprint, the execution that serves it and its outputs — what a handoff exports.
//
// Cost: the walk fans out as far as the pipeline lets it (WALK_CONCURRENCY) and the lookups of the
// tasks ready together are answered by one batch of list reads (CacheLookupBatcher), so its KFP and
// MLMD requests follow the pipeline's depth, and never the location's history.
import type { DriveResult, ExecutableCall, VisitResult } from '../pipeline/driver/types.js';
import { driveRun, taskRecordKey } from '../pipeline/driver/index.js';
import { fingerprint } from '../pipeline/fingerprint/index.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { CacheLookupBatcher, toRef, type CacheLookup, type LocationReaders } from './cache-lookup.js';
import { describePodNamespace, readDriverSettings, type DriverSettings } from './driver-settings.js';
import { findMatchedArtifact, importerProperties } from './importer-match.js';
import type { StepAvailability } from '../plan/observation.js';
import type { Context } from '../location/mlmd/index.js';

export interface CacheWalkEntry {
  key: string;
  call: ExecutableCall<undefined>;
  fingerprint?: string;
  lookup?: CacheLookup;
  /** For importers: the artifact KFP's importer would reuse at this location. */
  importedArtifactId?: number;
}

export interface CacheWalkResult {
  drive: DriveResult;
  entries: Map<string, CacheWalkEntry>;
  availability: Record<string, StepAvailability>;
  /** The location's `--publish_logs` and pod namespace the walk used (driver-settings.ts). */
  settings: DriverSettings;
}

export interface CacheWalkOptions {
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  /** Root tasks to walk (their ancestors are walked too). */
  rootTasks: Iterable<string>;
  kfpVersion: string;
  /** Check artifact bytes (default true). */
  checkBytes?: boolean;
  /** The location's driver settings when the caller read them already (default: read them now). */
  settings?: DriverSettings;
  /** Decide an executable before the cache is consulted (the handoff uses it for imported steps). */
  override?: (call: ExecutableCall<undefined>, fp: string | undefined) => Promise<VisitResult | undefined>;
}

/**
 * Executable visits in flight at once. A visit here only waits for its batched lookup, so the
 * limit is what lets every task of a wave join one batch (the driver's default, 4, would cut a
 * wave of 200 tasks into 50 batches).
 */
export const WALK_CONCURRENCY = 1024;

export async function walkCache(loc: LocationReaders, options: CacheWalkOptions): Promise<CacheWalkResult> {
  const entries = new Map<string, CacheWalkEntry>();
  const { graph, kfpVersion } = options;
  // The location's --publish_logs goes into every key, and lookups use its pods' namespace.
  const settings = options.settings ?? (await readDriverSettings(loc));
  const podNamespace = settings.podNamespace;
  // Said where a miss is reported: the keys took KFP's default because nothing told otherwise.
  const assumedLogs =
    settings.publishLogsFrom === 'default'
      ? ` (keys computed with publish_logs true, KFP's default: no run at ${loc.name} tells yet; set kfp.publishLogs if not)`
      : '';
  const batcher =
    podNamespace === undefined
      ? undefined
      : new CacheLookupBatcher({ ...loc, podNamespace }, graph.name, options.checkBytes ?? true);
  let pipelineContext: Promise<Context | undefined> | undefined;
  const contextOfPipeline = () => (pipelineContext ??= loc.mlmd.getContextByTypeAndName('system.Pipeline', graph.name));
  const drive = await driveRun<undefined>(
    graph,
    {
      parameters: options.parameters,
      rootTasks: options.rootTasks,
      concurrency: WALK_CONCURRENCY,
      publishLogs: settings.publishLogs,
    },
    {
      enterDag: async () => undefined,
      exitDag: async () => undefined,
      executable: async (call) => {
        const key = taskRecordKey(call.path, call.iteration);
        const entry: CacheWalkEntry = { key, call };
        entries.set(key, entry);
        if (call.importer) return importerAvailability(loc, graph.name, contextOfPipeline, call, entry);
        if (call.neverCacheHit) return { state: 'unavailable', reason: call.neverCacheHit };
        if (!call.cacheKeyInput) return { state: 'unavailable', reason: `${key} has no cache key` };
        const fp = fingerprint(call.cacheKeyInput, kfpVersion);
        entry.fingerprint = fp;
        const decided = await options.override?.(call, fp);
        if (decided) return decided;
        if (batcher === undefined)
          return {
            state: 'unavailable',
            reason: `no cache row for fingerprint ${fp.slice(0, 12)}: ${describePodNamespace(loc.name, settings)}`,
          };
        const lookup = await batcher.lookup(fp);
        entry.lookup = lookup;
        if (!lookup.hit) return { state: 'unavailable', reason: `${lookup.reason}${assumedLogs}` };
        return { state: 'cached', outputs: lookup.outputs };
      },
    },
  );
  const availability: Record<string, StepAvailability> = {};
  for (const rootKey of graph.rootOrder) {
    const rec = drive.byKey.get(rootKey);
    if (!rec || rec.skipReason === 'not selected') continue;
    const inside = [...entries.values()].filter((e) => e.call.path[0] === rootKey);
    const executionIds = inside.flatMap((e) => (e.lookup?.hit ? [String(e.lookup.executionId)] : []));
    if (
      rec.state === 'cached' ||
      rec.state === 'succeeded' ||
      (rec.state === 'skipped' && rec.skipReason === 'condition false')
    ) {
      availability[rootKey] = {
        available: true,
        reason: `cache hit${executionIds.length === 1 ? ` (execution ${executionIds[0]})` : `s (${executionIds.length} executions)`}, bytes present`,
        executionIds,
      };
    } else {
      const firstMissing = inside.find((e) => e.lookup && !e.lookup.hit);
      const reason =
        rec.reason ??
        rec.error ??
        (firstMissing?.lookup && !firstMissing.lookup.hit ? firstMissing.lookup.reason : undefined) ??
        `${rec.state}${rec.skipReason ? ` (${rec.skipReason})` : ''}`;
      availability[rootKey] = { available: false, reason };
    }
  }
  return { drive, entries, availability, settings };
}

/**
 * The artifact KFP's importer would reuse here (see importer-match.ts): the downstream cache keys
 * hold its id. Nothing matches until a run of the pipeline imported it here, or a handoff brought
 * it with its properties unchanged and attributed to the pipeline's context.
 */
async function importerAvailability(
  loc: LocationReaders,
  pipelineName: string,
  pipelineContext: () => Promise<Context | undefined>,
  call: ExecutableCall<undefined>,
  entry: CacheWalkEntry,
): Promise<VisitResult> {
  const imp = call.importer!;
  const where = call.path.join('/');
  if (imp.reimport)
    return { state: 'unavailable', reason: `importer ${where} sets reimport, so every run creates a new artifact` };
  const built = importerProperties(imp);
  if ('error' in built)
    return { state: 'unavailable', reason: `importer ${where} would fail at ${loc.name}: ${built.error}` };
  const title = imp.typeSchema.schemaTitle ?? 'system.Artifact';
  const pipelineCtx = await pipelineContext();
  const artifact =
    pipelineCtx?.id === undefined
      ? undefined
      : await findMatchedArtifact(
          loc.mlmd,
          { type: title, uri: imp.artifactUri, customProperties: built.properties },
          pipelineCtx.id,
        );
  if (!artifact)
    return {
      state: 'unavailable',
      reason: `no ${title} artifact for ${imp.artifactUri} of pipeline ${pipelineName} at ${loc.name} that KFP's importer would reuse yet`,
    };
  entry.importedArtifactId = artifact.id!;
  return { state: 'cached', outputs: { parameters: {}, artifacts: { [imp.outputName]: [toRef(artifact)] } } };
}
