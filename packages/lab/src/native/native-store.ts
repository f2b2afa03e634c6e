/**
 * The next KFP's native task and artifact records (kubeflow/pipelines 6585b5143d, the API server that runs no
 * ML Metadata): run-scoped tasks, artifacts and artifact–task links, in the location's SQLite file so a
 * restarted lab keeps them. Messages are kept as their proto-JSON (proto names), as the API returns them.
 *
 * A task stores its parameters only: its input and output artifacts are the artifact–task links, and a task
 * is read back "hydrated" with them (`next:backend/src/apiserver/storage/task_store.go:372-385`, the links'
 * artifacts put in `inputs`/`outputs` by IO type, `iOTypeIsOutput` :391-397; grouped by key, type, producer
 * and, for ITERATOR_OUTPUT, iteration, `next:backend/src/apiserver/server/api_converter.go:3111-3190`).
 * Artifacts sent in a task's body are not stored, as there.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../kfp/db.js';
import { nowSeconds } from '../kfp/db.js';
import { formatTimestamp, type JsonObject } from '../kfp/proto-json.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS native_tasks (
  task_id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  namespace TEXT NOT NULL DEFAULT '',
  cache_fingerprint TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS native_tasks_cache ON native_tasks (cache_fingerprint, namespace, created_at);
CREATE TABLE IF NOT EXISTS native_artifacts (
  artifact_id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS native_artifact_tasks (
  id TEXT PRIMARY KEY,
  artifact_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS native_artifact_tasks_task ON native_artifact_tasks (task_id);
CREATE INDEX IF NOT EXISTS native_artifact_tasks_artifact ON native_artifact_tasks (artifact_id);
`;

interface BodyRow {
  body: string;
}

/** IOType values in enum order (`next:backend/api/v2beta1/artifact.proto:271-311`), for the hydration's sort. */
const IO_TYPES = [
  'UNSPECIFIED',
  'COMPONENT_DEFAULT_INPUT',
  'TASK_OUTPUT_INPUT',
  'COMPONENT_INPUT',
  'RUNTIME_VALUE_INPUT',
  'COLLECTED_INPUTS',
  'ITERATOR_INPUT',
  'ITERATOR_INPUT_RAW',
  'ITERATOR_OUTPUT',
  'OUTPUT',
  'ONE_OF_OUTPUT',
  'TASK_FINAL_STATUS_OUTPUT',
];
const OUTPUT_TYPES = new Set(['OUTPUT', 'ITERATOR_OUTPUT', 'ONE_OF_OUTPUT', 'TASK_FINAL_STATUS_OUTPUT']);
export const isOutputLink = (type: unknown): boolean => OUTPUT_TYPES.has(str(type));

function withoutArtifacts(io: unknown): JsonObject | undefined {
  if (io === null || typeof io !== 'object' || Array.isArray(io)) return undefined;
  const { artifacts: _artifacts, ...rest } = io as JsonObject;
  return rest;
}

/** The task as stored: its inputs and outputs without artifacts (those are links). */
function storedBody(task: JsonObject): JsonObject {
  const out: JsonObject = { ...task };
  for (const k of ['inputs', 'outputs'] as const) {
    const io = withoutArtifacts(task[k]);
    if (io) out[k] = io;
  }
  return out;
}

const stores = new WeakMap<Db, NativeStore>();
/** The one native store of a location's database (shared by the API routes and the native executor). */
export function nativeStoreOf(db: Db): NativeStore {
  let s = stores.get(db);
  if (!s) {
    s = new NativeStore(db);
    stores.set(db, s);
  }
  return s;
}

export class NativeStore {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  createTask(runId: string, namespace: string, task: JsonObject): JsonObject {
    const created = nowSeconds();
    const stored: JsonObject = storedBody({
      ...task,
      task_id: randomUUID(),
      run_id: runId,
      create_time: formatTimestamp(created),
    });
    this.db
      .prepare(
        'INSERT INTO native_tasks (task_id, run_id, namespace, cache_fingerprint, state, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        stored.task_id,
        runId,
        namespace,
        typeof stored.cache_fingerprint === 'string' ? stored.cache_fingerprint : '',
        typeof stored.state === 'string' ? stored.state : '',
        created,
        JSON.stringify(stored),
      );
    return this.hydrate(stored);
  }

  private rawTask(taskId: string): JsonObject | undefined {
    const row = this.db.prepare('SELECT body FROM native_tasks WHERE task_id = ?').get(taskId) as BodyRow | undefined;
    return row ? (JSON.parse(row.body) as JsonObject) : undefined;
  }

  getTask(taskId: string): JsonObject | undefined {
    const t = this.rawTask(taskId);
    return t ? this.hydrate(t) : undefined;
  }

  /** The task with its artifacts from its links, inputs and outputs apart. */
  hydrate(task: JsonObject): JsonObject {
    const links = this.listArtifactTasks({ taskIds: [str(task.task_id)], runIds: [], artifactIds: [] });
    if (links.length === 0) return task;
    const out: JsonObject = { ...task };
    for (const [field, output] of [
      ['inputs', false],
      ['outputs', true],
    ] as const) {
      const mine = links.filter((l) => isOutputLink(l.type) === output);
      if (mine.length === 0) continue;
      const groups = new Map<string, { link: JsonObject; artifacts: JsonObject[] }>();
      for (const l of mine) {
        const producer = (l.producer ?? {}) as JsonObject;
        const iteration =
          l.type === 'ITERATOR_OUTPUT' && producer.iteration !== undefined
            ? JSON.stringify(producer.iteration).replace(/"/g, '')
            : '';
        const key = JSON.stringify([str(l.key), IO_TYPES.indexOf(str(l.type)), str(producer.task_name), iteration]);
        const g = groups.get(key) ?? { link: l, artifacts: [] };
        const a = this.getArtifact(str(l.artifact_id));
        if (a) g.artifacts.push(a);
        groups.set(key, g);
      }
      const sorted = [...groups.entries()].sort(([a], [b]) => compareGroup(a, b)).map(([, g]) => g);
      const io = { ...((task[field] ?? {}) as JsonObject) };
      io.artifacts = sorted.map(({ link, artifacts }) => ({
        artifacts,
        type: link.type ?? 'UNSPECIFIED',
        artifact_key: str(link.key),
        ...(link.producer ? { producer: link.producer } : {}),
      }));
      out[field] = io;
    }
    return out;
  }

  /** Replaces the fields the update sets; ids and the creation time stay the server's. */
  updateTask(taskId: string, patch: JsonObject): JsonObject | undefined {
    const current = this.rawTask(taskId);
    if (!current) return undefined;
    const next: JsonObject = storedBody({
      ...current,
      ...patch,
      task_id: current.task_id ?? taskId,
      run_id: current.run_id ?? '',
    });
    if (current.create_time !== undefined) next.create_time = current.create_time;
    this.db
      .prepare('UPDATE native_tasks SET cache_fingerprint = ?, state = ?, body = ? WHERE task_id = ?')
      .run(
        typeof next.cache_fingerprint === 'string' ? next.cache_fingerprint : '',
        typeof next.state === 'string' ? next.state : '',
        JSON.stringify(next),
        taskId,
      );
    return this.hydrate(next);
  }

  /** The run's tasks, hydrated unless `hydrate: false` (then without their artifacts). */
  listTasks(runId: string, options: { hydrate?: boolean } = {}): JsonObject[] {
    const rows = this.db
      .prepare('SELECT body FROM native_tasks WHERE run_id = ? ORDER BY created_at, rowid')
      .all(runId) as BodyRow[];
    const tasks = rows.map((r) => JSON.parse(r.body) as JsonObject);
    return options.hydrate === false ? tasks : tasks.map((t) => this.hydrate(t));
  }

  /** SUCCEEDED tasks with the fingerprint in the namespace, newest first (CACHED tasks are never hits). */
  cachedCandidates(namespace: string, fingerprint: string): JsonObject[] {
    const rows = this.db
      .prepare(
        "SELECT body FROM native_tasks WHERE cache_fingerprint = ? AND namespace = ? AND state = 'SUCCEEDED' ORDER BY created_at DESC, task_id DESC",
      )
      .all(fingerprint, namespace) as BodyRow[];
    return rows.map((r) => this.hydrate(JSON.parse(r.body) as JsonObject));
  }

  createArtifact(namespace: string, artifact: JsonObject): JsonObject {
    const created = nowSeconds();
    const stored: JsonObject = { ...artifact, artifact_id: randomUUID(), created_at: formatTimestamp(created) };
    if (namespace) stored.namespace = namespace;
    this.db
      .prepare('INSERT INTO native_artifacts (artifact_id, namespace, created_at, body) VALUES (?, ?, ?, ?)')
      .run(stored.artifact_id, namespace, created, JSON.stringify(stored));
    return stored;
  }

  /**
   * `CreateArtifact` with a task: the artifact, linked to the task as its OUTPUT under `producer_key`
   * (`next:backend/src/apiserver/server/artifact_server.go:41`), ITERATOR_OUTPUT with the iteration when
   * the request names one.
   */
  createTaskArtifact(
    namespace: string,
    artifact: JsonObject,
    link: { runId: string; taskId: string; producerKey: string; iterationIndex?: number },
  ): JsonObject {
    const created = this.createArtifact(namespace, artifact);
    const task = this.rawTask(link.taskId);
    const iterated = link.iterationIndex !== undefined;
    this.createArtifactTask({
      artifact_id: str(created.artifact_id),
      run_id: link.runId,
      task_id: link.taskId,
      type: iterated ? 'ITERATOR_OUTPUT' : 'OUTPUT',
      producer: {
        task_name: task ? str(task.name) : '',
        ...(iterated ? { iteration: String(link.iterationIndex) } : {}),
      },
      key: link.producerKey,
    });
    return created;
  }

  getArtifact(id: string): JsonObject | undefined {
    const row = this.db.prepare('SELECT body FROM native_artifacts WHERE artifact_id = ?').get(id) as
      BodyRow | undefined;
    return row ? (JSON.parse(row.body) as JsonObject) : undefined;
  }

  listArtifacts(namespace: string): JsonObject[] {
    const rows = this.db
      .prepare('SELECT body FROM native_artifacts WHERE namespace = ? ORDER BY created_at, rowid')
      .all(namespace) as BodyRow[];
    return rows.map((r) => JSON.parse(r.body) as JsonObject);
  }

  createArtifactTask(link: JsonObject): JsonObject {
    const stored: JsonObject = { ...link, id: randomUUID() };
    this.db
      .prepare('INSERT INTO native_artifact_tasks (id, artifact_id, run_id, task_id, body) VALUES (?, ?, ?, ?, ?)')
      .run(stored.id, str(link.artifact_id), str(link.run_id), str(link.task_id), JSON.stringify(stored));
    return stored;
  }

  /** Links filtered by any of the task, run and artifact ids given (each list empty = no filter), and the IO type. */
  listArtifactTasks(filter: {
    taskIds: string[];
    runIds: string[];
    artifactIds: string[];
    type?: string;
  }): JsonObject[] {
    const where: string[] = [];
    const args: string[] = [];
    for (const [column, ids] of [
      ['task_id', filter.taskIds],
      ['run_id', filter.runIds],
      ['artifact_id', filter.artifactIds],
    ] as const) {
      if (ids.length === 0) continue;
      where.push(`${column} IN (${ids.map(() => '?').join(', ')})`);
      args.push(...ids);
    }
    const sql = `SELECT body FROM native_artifact_tasks${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid`;
    const rows = this.db.prepare(sql).all(...args) as BodyRow[];
    return rows
      .map((r) => JSON.parse(r.body) as JsonObject)
      .filter((l) => filter.type === undefined || l.type === filter.type);
  }
}

function compareGroup(a: string, b: string): number {
  const [ka, ta, pa, ia] = JSON.parse(a) as [string, number, string, string];
  const [kb, tb, pb, ib] = JSON.parse(b) as [string, number, string, string];
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (ta !== tb) return ta - tb;
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (ia !== ib) return ia === '' ? -1 : ib === '' ? 1 : Number(ia) - Number(ib);
  return 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
