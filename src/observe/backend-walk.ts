// A walk of the pipeline at one location as its driver would make it, read-only, answered by the location
// backend port's cache lookup (src/location/backend/port.ts): which root tasks are available there, and
// for each executable its fingerprint and the task whose outputs serve it. The tasks ready together are
// looked up in one `lookupCache`, so the requests follow the pipeline's depth, not the location's history.
// (src/observe/cache-walk.ts is the MLMD walk the callers still use.)
import type { ArtifactRecord, CacheAnswer, CacheHit, CacheScope, LocationBackend } from '../location/backend/port.js';
import type { ObjectStore } from '../location/objectstore/index.js';
import { driveRun, taskRecordKey } from '../pipeline/driver/index.js';
import type { ArtifactRef, DriveResult, ExecutableCall, VisitResult } from '../pipeline/driver/types.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import type { StepAvailability } from '../plan/observation.js';
import { bytesPresent, parseRecordedOutputs } from './cache-lookup.js';

export interface BackendWalkEntry {
  key: string;
  call: ExecutableCall<undefined>;
  fingerprint?: string;
  answer?: CacheAnswer;
  /** For importers: the artifact the location's importer would reuse. */
  importerArtifact?: ArtifactRecord;
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
  /**
   * Check the bytes of a hit's output artifacts in this store, as the MLMD walk does: a hit whose bytes are
   * missing or altered is not available (KFP would hand its URIs to the next step). Absent: records only.
   */
  store?: ObjectStore;
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
 * answered by the port's cache lookup (those ready together in one `lookupCache`), an importer by the artifact
 * the location's importer would reuse (`importerArtifact`), unless `override` decides it first.
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
        if (call.importer) {
          const imp = call.importer;
          const where = call.path.join('/');
          if (imp.reimport)
            return {
              state: 'unavailable',
              reason: `importer ${where} sets reimport, so every run creates a new artifact`,
            };
          const found = await backend.importerArtifact(imp, o.graph.name);
          const title = imp.typeSchema.schemaTitle ?? 'system.Artifact';
          if (!found)
            return {
              state: 'unavailable',
              reason: `no ${title} artifact for ${imp.artifactUri} at ${backend.location} that its importer would reuse yet`,
            };
          entry.importerArtifact = found;
          return { state: 'cached', outputs: { parameters: {}, artifacts: { [imp.outputName]: [refOf(found)] } } };
        }
        if (call.neverCacheHit) return { state: 'unavailable', reason: call.neverCacheHit };
        if (!fp) return { state: 'unavailable', reason: `${key} has no cache key` };
        const answer = await lookup(fp);
        entry.answer = answer;
        if (!answer.hit) return { state: 'unavailable', reason: answer.reason };
        if (o.store) {
          const missing = await missingBytes(o.store, answer);
          if (missing) {
            entry.answer = { hit: false, fingerprint: answer.fingerprint, reason: missing };
            return { state: 'unavailable', reason: missing };
          }
        }
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

/** Why a hit's bytes are not usable here (the rules of cache-lookup.ts bytesPresent), or undefined. */
async function missingBytes(store: ObjectStore, hit: CacheHit): Promise<string | undefined> {
  const record = parseRecordedOutputs(hit.recordedObjects);
  for (const { output, artifact } of hit.artifacts) {
    if (!artifact.uri) continue;
    const recorded = record[output]?.find((r) => r.uri === artifact.uri)?.objects;
    const present = await bytesPresent(store, artifact.uri, recorded, artifact.type);
    if (!present.ok) return `artifact ${output} (${artifact.uri}) of task ${hit.task.id}: ${present.reason}`;
  }
  return undefined;
}
