// Walks a pipeline at one location the way KFP's driver would, but read-only: every executable
// task is looked up in that location's cache instead of being run. The result says which root
// tasks are *available* there (a cache hit with its bytes present) and, for each executable, the
// fingerprint, the execution that serves it and its outputs — what a handoff exports.
import type { DriveResult, ExecutableCall, VisitResult } from '../pipeline/driver/types.js';
import { driveRun, taskRecordKey } from '../pipeline/driver/index.js';
import { fingerprint } from '../pipeline/fingerprint/index.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { lookupCache, toRef, type CacheLookup, type LocationReaders } from './cache-lookup.js';
import type { StepAvailability } from './types.js';

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
}

export interface CacheWalkOptions {
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  /** Root tasks to walk (their ancestors are walked too). */
  rootTasks: Iterable<string>;
  kfpVersion: string;
  /** Check artifact bytes (default true). */
  checkBytes?: boolean;
  /** Decide an executable before the cache is consulted (the handoff uses it for imported steps). */
  override?: (call: ExecutableCall<undefined>, fp: string | undefined) => Promise<VisitResult | undefined>;
}

export async function walkCache(loc: LocationReaders, options: CacheWalkOptions): Promise<CacheWalkResult> {
  const entries = new Map<string, CacheWalkEntry>();
  const { graph, kfpVersion } = options;
  const drive = await driveRun<undefined>(
    graph,
    { parameters: options.parameters, rootTasks: options.rootTasks, concurrency: 4 },
    {
      enterDag: async () => undefined,
      exitDag: async () => undefined,
      executable: async (call) => {
        const key = taskRecordKey(call.path, call.iteration);
        const entry: CacheWalkEntry = { key, call };
        entries.set(key, entry);
        if (call.importer) return importerAvailability(loc, call, entry);
        if (call.neverCacheHit) return { state: 'unavailable', reason: call.neverCacheHit };
        if (!call.cacheKeyInput) return { state: 'unavailable', reason: `${key} has no cache key` };
        const fp = fingerprint(call.cacheKeyInput, kfpVersion);
        entry.fingerprint = fp;
        const decided = await options.override?.(call, fp);
        if (decided) return decided;
        const lookup = await lookupCache(loc, graph.name, fp, options.checkBytes ?? true);
        entry.lookup = lookup;
        if (!lookup.hit) return { state: 'unavailable', reason: lookup.reason };
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
    if (rec.state === 'cached' || rec.state === 'succeeded' || (rec.state === 'skipped' && rec.skipReason === 'condition false')) {
      availability[rootKey] = { available: true, reason: `cache hit${executionIds.length === 1 ? ` (execution ${executionIds[0]})` : `s (${executionIds.length} executions)`}, bytes present`, executionIds };
    } else {
      const firstMissing = inside.find((e) => e.lookup && !e.lookup.hit);
      const reason = rec.reason ?? rec.error ?? (firstMissing?.lookup && !firstMissing.lookup.hit ? firstMissing.lookup.reason : undefined) ?? `${rec.state}${rec.skipReason ? ` (${rec.skipReason})` : ''}`;
      availability[rootKey] = { available: false, reason };
    }
  }
  return { drive, entries, availability };
}

/**
 * KFP's importer (`backend/src/v2/component/importer_launcher.go`) reuses an artifact with the same
 * URI and type unless `reimport` is set; that artifact's id is what downstream cache keys contain.
 */
async function importerAvailability(loc: LocationReaders, call: ExecutableCall<undefined>, entry: CacheWalkEntry): Promise<VisitResult> {
  const imp = call.importer!;
  if (imp.reimport) return { state: 'unavailable', reason: `importer ${call.path.join('/')} sets reimport, so every run creates a new artifact` };
  const title = imp.typeSchema.schemaTitle ?? 'system.Artifact';
  const found = (await loc.mlmd.getArtifactsByURI([imp.artifactUri])).filter((a) => a.type === title).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const artifact = found[0];
  if (!artifact) return { state: 'unavailable', reason: `no ${title} artifact for ${imp.artifactUri} at ${loc.name} yet` };
  entry.importedArtifactId = artifact.id!;
  return { state: 'cached', outputs: { parameters: {}, artifacts: { [imp.outputName]: [toRef(artifact)] } } };
}
