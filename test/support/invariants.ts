import { expect } from 'vitest';
import type { Lab } from '../../packages/lab/src/lab.js';
import type { LabLocation } from '../../packages/lab/src/lab-config.js';
import { GLOBAL_ID_KEY, OBJECTS_KEY, nativeBackend } from '../../src/location/backend/native.js';
import { parseAnyGlobalId } from '../../src/location/backend/port.js';
import { KfpClient, type KfpRun } from '../../src/location/kfp/index.js';
import { MlmdClient, collectPages } from '../../src/location/mlmd/index.js';
import { NativeClient, type NativeTask } from '../../src/location/native/client.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { NO_BYTES_TYPES, parseRecordedOutputs, recordedOutputs } from '../../src/observe/cache-lookup.js';

export interface InvariantOptions {
  /**
   * Output artifact keys each task name must have linked when it is a cache entry at a native location (the
   * pipeline's `outputDefinitions`): a task set SUCCEEDED before its links would be a cache hit without outputs.
   */
  outputsOf?: Record<string, readonly string[]>;
}

export interface Invariants {
  /** Per location: executions (MLMD) or tasks (native) imported by a handoff. */
  importedExecutions: Record<string, number>;
  /** Per location: cache rows (MLMD) or fingerprints `findCached` answers (native). */
  cacheRows: Record<string, number>;
  /** Per location: artifacts imported by a handoff (MLMD: with an external id; native: a global id as description). */
  importedArtifacts: Record<string, number>;
  /** Per native location: imported tasks not committed yet (RUNNING: a killed import, never a cache hit). */
  importedPending: Record<string, number>;
}

/**
 * What must hold at every lab location after any sequence of (killed) applies: no record imported twice,
 * no cache entry naming a missing record or one whose output bytes are missing, and no partial object in
 * the store. ML Metadata locations are read through MLMD and the task table; locations running the next
 * KFP through the native task and artifact API.
 */
export async function checkInvariants(lab: Lab, options: InvariantOptions = {}): Promise<Invariants> {
  const out: Invariants = { importedExecutions: {}, importedArtifacts: {}, cacheRows: {}, importedPending: {} };
  for (const [name, loc] of Object.entries(lab.locations)) {
    const store = new ObjectStore({
      location: name,
      endpoint: loc.objectStore,
      pipelineRoot: loc.pipelineRoot,
      credentials: loc.credentials,
      region: loc.region,
    });
    try {
      if (loc.mlmd) await mlmdInvariants(name, loc, store, out);
      else await nativeInvariants(name, loc, store, out, options);
      for await (const o of store.list(loc.bucket, '')) expect(o.key).not.toMatch(/partial|\.tmp$/);
    } finally {
      store.close();
    }
  }
  return out;
}

async function mlmdInvariants(name: string, loc: LabLocation, store: ObjectStore, out: Invariants): Promise<void> {
  const mlmd = new MlmdClient({ location: name, address: loc.mlmd });
  const kfp = new KfpClient({ location: name, endpoint: loc.kfp });
  try {
    const executions = await collectPages((t) =>
      mlmd.getExecutions({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
    );
    const imported = executions.filter((e) => e.externalId);
    expect(new Set(imported.map((e) => e.externalId)).size).toBe(imported.length);
    out.importedExecutions[name] = imported.length;
    const artifacts = await collectPages((t) =>
      mlmd.getArtifacts({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
    );
    const importedArtifacts = artifacts.filter((a) => a.externalId);
    expect(new Set(importedArtifacts.map((a) => a.externalId)).size).toBe(importedArtifacts.length);
    out.importedArtifacts[name] = importedArtifacts.length;
    const byId = new Map(executions.map((e) => [String(e.id), e]));
    const rows = [];
    let token: string | undefined;
    do {
      const page = await kfp.listTasks({ pageSize: 100, ...(token ? { pageToken: token } : {}) });
      rows.push(...page.items);
      token = page.nextPageToken;
    } while (token);
    const cacheOnly = rows.filter((r) => r.fingerprint);
    out.cacheRows[name] = cacheOnly.length;
    for (const row of cacheOnly) {
      const exec = byId.get(row.mlmdExecutionID ?? '');
      expect(exec, `cache row ${row.id} at ${name} names execution ${row.mlmdExecutionID}`).toBeDefined();
      const outs = (await mlmd.getEventsByExecutionIDs([exec!.id!])).filter((e) => e.type === 'OUTPUT');
      const arts = outs.length ? await mlmd.getArtifactsByID(outs.map((e) => e.artifactId!)) : [];
      const record = recordedOutputs(exec);
      for (const a of arts) {
        // Metrics have no objects: the SDK only sets their metadata (cache-lookup.ts NO_BYTES_TYPES).
        if (!a.uri?.startsWith(loc.pipelineRoot) || NO_BYTES_TYPES.has(a.type ?? '')) continue;
        await expectBytes(store, name, a.uri, record, `cache row ${row.id}`);
      }
    }
  } finally {
    mlmd.close();
  }
}

/**
 * The bytes of an output: at its URI or under `<uri>/`; none at all when the handoff recorded it as
 * travelling as records only (src/plan/travel.ts: no step here reads them).
 */
async function expectBytes(
  store: ObjectStore,
  location: string,
  uri: string,
  record: ReturnType<typeof parseRecordedOutputs>,
  entry: string,
): Promise<void> {
  const ref = store.resolve(uri);
  if (Object.values(record).some((r) => r.some((x) => x.uri === uri && x.travels === 'records'))) {
    expect(await store.head(ref), `records-only ${uri} at ${location}`).toBeUndefined();
    return;
  }
  let present = (await store.head(ref)) !== undefined;
  if (!present)
    for await (const _ of store.list(ref.bucket, `${ref.key.replace(/\/+$/, '')}/`, { pageSize: 1 })) present = true;
  expect(present, `bytes of ${uri} at ${location} (${entry})`).toBe(true);
}

async function allRuns(kfp: KfpClient): Promise<KfpRun[]> {
  const runs: KfpRun[] = [];
  let token: string | undefined;
  do {
    const page = await kfp.listRuns({ pageSize: 100, ...(token ? { pageToken: token } : {}) });
    runs.push(...page.items);
    token = page.nextPageToken;
  } while (token);
  return runs;
}

/**
 * The next KFP (src/location/backend/native.ts): an imported task carries its global id in its custom
 * properties and an imported artifact in its description, each at most once at the location; a cache entry
 * is what `findCached` answers for a SUCCEEDED task's fingerprint, and it must have its OUTPUT links, their
 * artifacts' records and bytes (the import sets SUCCEEDED last, after artifacts and links).
 */
async function nativeInvariants(
  name: string,
  loc: LabLocation,
  store: ObjectStore,
  out: Invariants,
  options: InvariantOptions,
): Promise<void> {
  const native = new NativeClient({ location: name, endpoint: loc.kfp });
  const kfp = new KfpClient({ location: name, endpoint: loc.kfp });
  const backend = nativeBackend({ name, native });
  const namespace = loc.namespace ?? '';
  const tasks: NativeTask[] = [];
  for (const run of await allRuns(kfp)) tasks.push(...(await native.listTasks(run.run_id)));
  const gidOf = (t: NativeTask) => t.status_metadata?.custom_properties?.[GLOBAL_ID_KEY];
  const imported = tasks.filter((t) => typeof gidOf(t) === 'string');
  const gids = imported.map((t) => gidOf(t) as string);
  expect(
    gids.filter((g, i) => gids.indexOf(g) !== i),
    `tasks imported twice at ${name}`,
  ).toEqual([]);
  for (const g of gids) expect(parseAnyGlobalId(g), `global id ${g} at ${name}`).toBeDefined();
  out.importedExecutions[name] = imported.filter((t) => t.state === 'SUCCEEDED').length;
  out.importedPending[name] = imported.filter((t) => t.state !== 'SUCCEEDED').length;
  const artifacts = await native.listArtifacts(namespace);
  // One imported `system.Metrics` artifact is one `Metric` artifact per logged value, each named for it and all
  // carrying the global id (src/location/backend/native.ts createArtifacts): those are told apart by name.
  const described = artifacts.flatMap((a) =>
    a.description && parseAnyGlobalId(a.description)
      ? [a.type === 'Metric' ? `${a.description} (${a.name ?? ''})` : a.description]
      : [],
  );
  expect(
    described.filter((g, i) => described.indexOf(g) !== i),
    `artifacts imported twice at ${name}`,
  ).toEqual([]);
  out.importedArtifacts[name] = new Set(described.map((d) => d.split(' ')[0])).size;

  const fingerprints = new Set(
    tasks.filter((t) => t.state === 'SUCCEEDED' && t.cache_fingerprint).map((t) => t.cache_fingerprint!),
  );
  out.cacheRows[name] = fingerprints.size;
  // What a cache entry must have: its output links, their artifacts' records, and their bytes.
  const complete = async (task: NativeTask, entry: string): Promise<void> => {
    const links = (await native.listArtifactTasks({ taskId: task.task_id! })).filter(
      (l) => l.task_id === task.task_id && (l.type === 'OUTPUT' || l.type === 'ITERATOR_OUTPUT'),
    );
    const record = parseRecordedOutputs(task.status_metadata?.custom_properties?.[OBJECTS_KEY] as string | undefined);
    const linkedKeys = new Set(links.map((l) => l.key ?? ''));
    for (const key of [...(options.outputsOf?.[task.name ?? ''] ?? []), ...Object.keys(record)])
      expect(linkedKeys.has(key), `${entry} at ${name} has its output ${key} linked`).toBe(true);
    for (const l of links) {
      const a = await native.getArtifact(l.artifact_id);
      expect(a, `${entry} at ${name}: output ${l.key} names artifact ${l.artifact_id}`).toBeDefined();
      const r = backend.artifactRecord(a!);
      if (!r.uri.startsWith(loc.pipelineRoot) || NO_BYTES_TYPES.has(r.type)) continue;
      await expectBytes(store, name, r.uri, record, entry);
    }
  };
  const checked = new Set<string>();
  for (const fp of fingerprints) {
    const hit = await native.findCached(namespace, fp);
    expect(hit?.task_id, `findCached(${fp.slice(0, 12)}) at ${name} answers the SUCCEEDED task`).toBeDefined();
    expect(hit!.state, `cache entry ${hit!.task_id} at ${name}`).toBe('SUCCEEDED');
    checked.add(hit!.task_id!);
    await complete(hit!, `cache entry ${hit!.name} ${hit!.task_id}`);
  }
  // An imported task is committed (SUCCEEDED) last: one that findCached does not answer (a newer task with
  // its fingerprint won) is as complete.
  for (const t of imported)
    if (t.state === 'SUCCEEDED' && !checked.has(t.task_id!)) await complete(t, `imported task ${t.name} ${t.task_id}`);
}
