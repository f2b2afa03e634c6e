// A walk of the pipeline at one location as its driver would make it, read-only, answered by the location
// backend port's cache lookup (src/location/backend/port.ts): which root tasks are available there, and
// for each executable its fingerprint and the task whose outputs serve it. The tasks ready together are
// looked up in one `lookupCache`, so the requests follow the pipeline's depth, not the location's history.
// (src/observe/cache-walk.ts is the MLMD walk the callers still use.)
import type { ArtifactRecord, CacheAnswer, CacheScope, LocationBackend } from '../location/backend/port.js';
import { driveRun, taskRecordKey } from '../pipeline/driver/index.js';
import type { ArtifactRef, DriveResult, ExecutableCall, VisitResult } from '../pipeline/driver/types.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import type { StepAvailability } from '../plan/observation.js';

export interface BackendWalkEntry {
  key: string;
  call: ExecutableCall<undefined>;
  fingerprint?: string;
  answer?: CacheAnswer;
}

export interface BackendWalk {
  drive: DriveResult;
  entries: Map<string, BackendWalkEntry>;
  availability: Record<string, StepAvailability>;
}

export interface BackendWalkOptions {
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  rootTasks: Iterable<string>;
  scope: CacheScope;
  override?: (call: ExecutableCall<undefined>, fp: string | undefined) => Promise<VisitResult | undefined>;
}

/** An artifact record as a driver passes it on (id = the location's own id). */
export function refOf(a: ArtifactRecord): ArtifactRef {
  const ref: ArtifactRef = { id: a.id, uri: a.uri, schemaTitle: a.type };
  if (Object.keys(a.metadata).length > 0) ref.metadata = a.metadata;
  return ref;
}

/**
 * Walks `rootTasks` (and their ancestors) as the location's driver would, read-only: each executable task is
 * answered by the port's cache lookup (those ready together in one `lookupCache`). Importers are not looked
 * up here (KFP's importer reuse is backend-specific): they are unavailable unless `override` decides them.
 */
export async function walkBackend(backend: LocationBackend, o: BackendWalkOptions): Promise<BackendWalk> {
  const entries = new Map<string, BackendWalkEntry>();
  let pending: { fp: string; resolve: (a: CacheAnswer) => void; reject: (e: unknown) => void }[] = [];
  const asked = new Map<string, Promise<CacheAnswer>>();
  const lookup = (fp: string): Promise<CacheAnswer> => {
    const known = asked.get(fp);
    if (known) return known;
    const p = new Promise<CacheAnswer>((resolve, reject) => {
      if (pending.length === 0)
        setImmediate(() => {
          const batch = pending;
          pending = [];
          backend
            .lookupCache(
              o.graph.name,
              batch.map((b) => b.fp),
              o.scope,
            )
            .then(
              (m) => batch.forEach((b) => b.resolve(m.get(b.fp)!)),
              (e: unknown) => batch.forEach((b) => b.reject(e)),
            );
        });
      pending.push({ fp, resolve, reject });
    });
    asked.set(fp, p);
    return p;
  };
  const drive = await driveRun<undefined>(
    o.graph,
    { parameters: o.parameters, rootTasks: o.rootTasks, concurrency: 1024, publishLogs: o.scope.publishLogs },
    {
      enterDag: async () => undefined,
      exitDag: async () => undefined,
      executable: async (call) => {
        const key = taskRecordKey(call.path, call.iteration);
        const entry: BackendWalkEntry = { key, call };
        entries.set(key, entry);
        const fp =
          call.cacheKeyInput && !call.neverCacheHit && !call.importer
            ? backend.fingerprint(call.cacheKeyInput, o.graph.name)
            : undefined;
        if (fp) entry.fingerprint = fp;
        const decided = await o.override?.(call, fp);
        if (decided) return decided;
        if (call.importer)
          return {
            state: 'unavailable',
            reason: `importer ${call.path.join('/')}: reuse at ${backend.kind} locations is not looked up yet`,
          };
        if (call.neverCacheHit) return { state: 'unavailable', reason: call.neverCacheHit };
        if (!fp) return { state: 'unavailable', reason: `${key} has no cache key` };
        const answer = await lookup(fp);
        entry.answer = answer;
        if (!answer.hit) return { state: 'unavailable', reason: answer.reason };
        const artifacts: Record<string, ArtifactRef[]> = {};
        for (const { output, artifact } of answer.artifacts) (artifacts[output] ??= []).push(refOf(artifact));
        return { state: 'cached', outputs: { parameters: answer.parameters, artifacts } };
      },
    },
  );
  const availability: Record<string, StepAvailability> = {};
  for (const rootKey of o.graph.rootOrder) {
    const rec = drive.byKey.get(rootKey);
    if (!rec || rec.skipReason === 'not selected') continue;
    const inside = [...entries.values()].filter((e) => e.call.path[0] === rootKey);
    const ids = inside.flatMap((e) => (e.answer?.hit ? [e.answer.task.id] : []));
    if (
      rec.state === 'cached' ||
      rec.state === 'succeeded' ||
      (rec.state === 'skipped' && rec.skipReason === 'condition false')
    ) {
      availability[rootKey] = {
        available: true,
        reason: `cache hit (${ids.length} task${ids.length === 1 ? '' : 's'})`,
        executionIds: ids,
      };
    } else {
      const miss = inside.find((e) => e.answer && !e.answer.hit)?.answer;
      const reason = rec.reason ?? rec.error ?? (miss && !miss.hit ? miss.reason : undefined) ?? rec.state;
      availability[rootKey] = { available: false, reason };
    }
  }
  return { drive, entries, availability };
}
