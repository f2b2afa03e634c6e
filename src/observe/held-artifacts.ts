// What a location holds of each available step's output artifacts: the size of their objects, and
// whether only their records are there (a handoff carried them without bytes because nothing there
// reads them: src/plan/travel.ts). Read-only and cheap: sizes a handoff recorded are taken from its
// record; the others come from one listing of the artifacts' common directory (the listing a handoff's
// export makes), or, when that would be far too large, a HEAD (then a listing) per artifact.
import { listCovering, type ObjectRef, type ObjectStore } from '../location/objectstore/index.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { HeldArtifact, StepAvailability } from '../plan/observation.js';
import { parseRecordedOutputs, recordedOutputs, type RecordedArtifact, type RecordedOutputs } from './cache-lookup.js';
import type { CacheWalkEntry } from './cache-walk.js';
import type { BackendWalkEntry } from './backend-walk.js';
import { forEachConcurrently } from '../units/parallel.js';

interface Pending {
  ref: ObjectRef;
  bytes: number;
  /** Some object is there. */
  found: boolean;
  /** The handoff recorded it as travelling without bytes. */
  recordsOnly: boolean;
}

/** A cache hit of a walk, whichever backend answered it: the task's path, its outputs' URIs, the handoff's record. */
export interface HeldHit {
  path: readonly string[];
  artifacts: { output: string; uri: string }[];
  record: RecordedOutputs;
}

/** The hits of an ML Metadata walk (cache-walk.ts). */
export function hitsOfCacheWalk(entries: Iterable<CacheWalkEntry>): HeldHit[] {
  return [...entries].flatMap((e) =>
    e.lookup?.hit
      ? [
          {
            path: e.call.path,
            artifacts: e.lookup.artifacts.map((o) => ({ output: o.output, uri: o.artifact.uri ?? '' })),
            record: recordedOutputs(e.lookup.execution),
          },
        ]
      : [],
  );
}

/** The hits of a walk through the location backend port (backend-walk.ts). */
export function hitsOfBackendWalk(entries: Iterable<BackendWalkEntry>): HeldHit[] {
  return [...entries].flatMap((e) =>
    e.answer?.hit
      ? [
          {
            path: e.call.path,
            artifacts: e.answer.artifacts.map((o) => ({ output: o.output, uri: o.artifact.uri })),
            record: parseRecordedOutputs(e.answer.recordedObjects),
          },
        ]
      : [],
  );
}

/** Root task → its output artifacts held here, for the root tasks available here. */
export async function heldArtifacts(
  store: ObjectStore,
  graph: PipelineGraph,
  walk: { hits: readonly HeldHit[]; availability: Record<string, StepAvailability> },
): Promise<Record<string, HeldArtifact[]>> {
  const out: Record<string, HeldArtifact[]> = {};
  const pending: Pending[] = [];
  const rootOutputs = new Map<string, Map<string, HeldArtifact>>();
  for (const step of graph.rootOrder) {
    if (!walk.availability[step]?.available) continue;
    const names = Object.keys(graph.rootTasks.get(step)?.component.outputDefinitions?.artifacts ?? {});
    if (names.length === 0) continue;
    const byName = new Map<string, HeldArtifact>(names.map((output) => [output, { output, bytes: 0 }]));
    rootOutputs.set(step, byName);
    out[step] = [...byName.values()];
  }
  // Per root output: sizes known from records, and the artifacts whose objects are looked up.
  const parts = new Map<HeldArtifact, { known: number; unknown: boolean; listed: Pending[] }>();
  for (const hit of walk.hits) {
    const step = hit.path[0]!;
    const byName = rootOutputs.get(step);
    if (!byName) continue;
    const record = hit.record;
    for (const { output, uri } of hit.artifacts) {
      const artifact = { uri };
      const held = byName.get(rootOutputOf(graph, hit.path, output) ?? '');
      if (!held) continue;
      const p = parts.get(held) ?? { known: 0, unknown: false, listed: [] };
      parts.set(held, p);
      const rec: RecordedArtifact | undefined = record[output]?.find((r) => r.uri === artifact.uri);
      if (rec && rec.travels !== 'records') {
        p.known += rec.objects.reduce((n, o) => n + o.size, 0);
        continue;
      }
      if (!artifact.uri) continue;
      let ref: ObjectRef;
      try {
        ref = store.resolve(artifact.uri);
      } catch {
        p.unknown = true; // outside this store (an importer's data): not what a handoff moves
        continue;
      }
      // Recorded as records only: looked up all the same, as a later handoff may have put the bytes
      // there (it finds the execution by its global id and leaves its record as it was).
      const one: Pending = { ref, bytes: 0, found: false, recordsOnly: rec?.travels === 'records' };
      pending.push(one);
      p.listed.push(one);
    }
  }
  await sizeAll(store, pending);
  for (const [held, p] of parts) {
    const withoutBytes = p.listed.filter((l) => l.recordsOnly && !l.found);
    if (withoutBytes.length > 0 && withoutBytes.length === p.listed.length && p.known === 0) {
      held.recordsOnly = true;
      held.bytes = null;
      continue;
    }
    held.bytes = p.unknown ? null : p.known + p.listed.reduce((n, l) => n + l.bytes, 0);
  }
  // Outputs no execution here produced (a DAG output of an untaken branch): nothing known of them.
  for (const byName of rootOutputs.values()) for (const h of byName.values()) if (!parts.has(h)) h.bytes = null;
  return out;
}

/**
 * The root task's output an executable's output is: itself for a container root task, or the DAG
 * output that selects it for a task one level inside a DAG root task; undefined deeper.
 */
function rootOutputOf(graph: PipelineGraph, path: readonly string[], output: string): string | undefined {
  if (path.length === 1) return output;
  if (path.length !== 2) return undefined;
  const selectors = graph.rootTasks.get(path[0]!)?.component.dag?.outputs?.artifacts ?? {};
  for (const [name, sel] of Object.entries(selectors))
    if ((sel.artifactSelectors ?? []).some((s) => s.producerSubtask === path[1] && s.outputArtifactKey === output))
      return name;
  return undefined;
}

async function sizeAll(store: ObjectStore, pending: Pending[]): Promise<void> {
  if (pending.length === 0) return;
  const listing =
    pending.length > 1
      ? await listCovering(
          store,
          pending.map((p) => p.ref),
        )
      : undefined;
  await forEachConcurrently(pending, 8, async (p) => {
    if (listing) {
      const at = listing.at(p.ref);
      const under = at ? [] : listing.under(p.ref);
      p.found = at !== undefined || under.length > 0;
      p.bytes = at ? at.size : under.reduce((n, u) => n + u.summary.size, 0);
      return;
    }
    const head = await store.head(p.ref);
    if (head) {
      p.found = true;
      p.bytes = head.size;
      return;
    }
    for await (const o of store.list(p.ref.bucket, `${p.ref.key.replace(/\/+$/, '')}/`)) {
      p.found = true;
      p.bytes += o.size;
    }
  });
}
