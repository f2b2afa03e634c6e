// What the export says of each carried artifact's bytes: its objects, sizes, ETags, and the
// SHA-256 where it is known without reading them.
import { EXECUTOR_LOGS_OUTPUT } from '../pipeline/fingerprint/index.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import { listCovering, sameEtag, type ObjectRef, type ObjectStore } from '../location/objectstore/index.js';
import { NO_BYTES_TYPES, type RecordedObject } from '../observe/cache-lookup.js';
import type { BundleObject } from './bundle.js';
import { HandoffError } from './export.js';
import { forEachConcurrently } from '../units/parallel.js';

/** An artifact as either backend names it (ML Metadata's numeric ids, the native API's UUIDs). */
export interface ObjectsSubject<K> {
  id?: K;
  uri?: string;
  type?: string;
}

/**
 * The objects of each artifact (one object at its key, or a "directory" of objects under
 * `<key>/`), with size and ETag from one listing of their common directory, or, when that listing
 * would be far too large, a HEAD (then a listing) per artifact. The SHA-256 is known without
 * reading when this location received the object in a handoff that recorded it (same size and
 * ETag: still the same object); otherwise the copy computes it.
 *
 * An artifact with no object is carried as such (`[]`) when its producer wrote none: KFP records an
 * output the component never wrote (`2.17.0:backend/src/v2/component/launcher_v2.go:824-837`), and
 * the SDK's metrics types never write one. `recorded` holds what a handoff recorded here, by
 * artifact id: `[]` is "recorded with no objects", anything else that is now empty was lost.
 */
export async function objectsOf<K>(
  store: ObjectStore,
  location: string,
  list: readonly ObjectsSubject<K>[],
  recorded: Map<K, RecordedObject[] | undefined> = new Map(),
): Promise<Map<K, BundleObject[]>> {
  const refs = list.map((a) => store.resolve(a.uri ?? ''));
  const listing = list.length > 1 ? await listCovering(store, refs) : undefined;
  const out = new Map<K, BundleObject[]>();
  await forEachConcurrently(list, 8, async (a, i) => {
    const ref = refs[i]!;
    let objects: BundleObject[];
    if (listing) {
      const at = listing.at(ref);
      objects = at
        ? [withEtag({ path: '', size: at.size }, at.etag)]
        : listing.under(ref).map((u) => withEtag({ path: u.path, size: u.summary.size }, u.summary.etag));
    } else {
      objects = await objectsOne(store, ref);
    }
    const record = recorded.get(a.id!);
    if (objects.length === 0) {
      const noBytes = record?.length === 0 || (record === undefined && NO_BYTES_TYPES.has(a.type ?? ''));
      if (!noBytes)
        throw new HandoffError(
          `the bytes of ${a.uri} are missing at ${location}${record ? ' (a handoff wrote them there; they were deleted since)' : ''}`,
        );
    }
    for (const o of objects) {
      if (o.sha256) continue;
      const r = (record ?? []).find((x) => x.path === o.path);
      if (r?.sha256 && r.size === o.size && sameEtag(r.etag, o.etag)) o.sha256 = r.sha256;
    }
    out.set(a.id!, objects);
  });
  return out;
}

function withEtag(o: BundleObject, etag: string | undefined): BundleObject {
  if (etag) o.etag = etag;
  return o;
}

async function objectsOne(store: ObjectStore, ref: ObjectRef): Promise<BundleObject[]> {
  const head = await store.head(ref);
  if (head) {
    const o = withEtag({ path: '', size: head.size }, head.etag);
    if (head.sha256) o.sha256 = head.sha256;
    return [o];
  }
  const prefix = `${ref.key.replace(/\/+$/, '')}/`;
  const out: BundleObject[] = [];
  for await (const o of store.list(ref.bucket, prefix))
    out.push(withEtag({ path: o.key.slice(prefix.length), size: o.size }, o.etag));
  return out;
}

/**
 * The carried artifacts whose records travel without their bytes: the outputs the plan marked so
 * (src/plan/travel.ts). A root task that is a DAG hands off its inner tasks' outputs, which only its
 * own outputs expose to later steps: they travel as records when every output of the DAG does.
 * With the travel rule in force (`recordsOnly` given, even empty), an `executor-logs` output travels
 * as records too: it is no output a task can read (the driver provisions it beside the component's
 * outputs, `2.17.0:backend/src/v2/driver/driver.go:755-767`), and a task's log may show its data.
 */
export function recordsOnlyArtifacts<K>(
  graph: PipelineGraph,
  entries: readonly { path: readonly string[]; outputs: readonly { name: string; id: K }[] }[],
  recordsOnly: readonly { step: string; output: string }[] | undefined,
): Set<K> {
  const out = new Set<K>();
  if (recordsOnly === undefined) return out;
  for (const e of entries) for (const o of e.outputs) if (o.name === EXECUTOR_LOGS_OUTPUT) out.add(o.id);
  if (recordsOnly.length === 0) return out;
  const listed = (step: string, output: string) => recordsOnly.some((r) => r.step === step && r.output === output);
  const wholeStep = (step: string) => {
    const outputs = Object.keys(graph.rootTasks.get(step)?.component.outputDefinitions?.artifacts ?? {});
    return outputs.length > 0 && outputs.every((o) => listed(step, o));
  };
  for (const e of entries) {
    const step = e.path[0]!;
    for (const o of e.outputs) if (e.path.length === 1 ? listed(step, o.name) : wholeStep(step)) out.add(o.id);
  }
  return out;
}
