/**
 * The next KFP's native task and artifact records (kubeflow/pipelines 6585b5143d, the API server that runs no
 * ML Metadata): run-scoped tasks, artifacts and artifact–task links, in the location's SQLite file so a
 * restarted lab keeps them. Messages are kept as their proto-JSON (proto names), as the API returns them.
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
`;

interface BodyRow {
  body: string;
}

export class NativeStore {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  createTask(runId: string, namespace: string, task: JsonObject): JsonObject {
    const created = nowSeconds();
    const stored: JsonObject = { ...task, task_id: randomUUID(), run_id: runId, create_time: formatTimestamp(created) };
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
    return stored;
  }

  getTask(taskId: string): JsonObject | undefined {
    const row = this.db.prepare('SELECT body FROM native_tasks WHERE task_id = ?').get(taskId) as BodyRow | undefined;
    return row ? (JSON.parse(row.body) as JsonObject) : undefined;
  }

  /** Replaces the fields the update sets; ids and the creation time stay the server's. */
  updateTask(taskId: string, patch: JsonObject): JsonObject | undefined {
    const current = this.getTask(taskId);
    if (!current) return undefined;
    const next: JsonObject = { ...current, ...patch, task_id: current.task_id ?? taskId, run_id: current.run_id ?? '' };
    if (current.create_time !== undefined) next.create_time = current.create_time;
    this.db
      .prepare('UPDATE native_tasks SET cache_fingerprint = ?, state = ?, body = ? WHERE task_id = ?')
      .run(
        typeof next.cache_fingerprint === 'string' ? next.cache_fingerprint : '',
        typeof next.state === 'string' ? next.state : '',
        JSON.stringify(next),
        taskId,
      );
    return next;
  }

  listTasks(runId: string): JsonObject[] {
    const rows = this.db
      .prepare('SELECT body FROM native_tasks WHERE run_id = ? ORDER BY created_at, rowid')
      .all(runId) as BodyRow[];
    return rows.map((r) => JSON.parse(r.body) as JsonObject);
  }

  /** SUCCEEDED tasks with the fingerprint in the namespace, newest first (CACHED tasks are never hits). */
  cachedCandidates(namespace: string, fingerprint: string): JsonObject[] {
    const rows = this.db
      .prepare(
        "SELECT body FROM native_tasks WHERE cache_fingerprint = ? AND namespace = ? AND state = 'SUCCEEDED' ORDER BY created_at DESC, task_id DESC",
      )
      .all(fingerprint, namespace) as BodyRow[];
    return rows.map((r) => JSON.parse(r.body) as JsonObject);
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
    const rows = this.db.prepare('SELECT body FROM native_artifact_tasks ORDER BY rowid').all() as BodyRow[];
    const inList = (ids: string[], v: unknown): boolean => ids.length === 0 || ids.includes(str(v));
    return rows
      .map((r) => JSON.parse(r.body) as JsonObject)
      .filter(
        (l) =>
          inList(filter.taskIds, l.task_id) &&
          inList(filter.runIds, l.run_id) &&
          inList(filter.artifactIds, l.artifact_id) &&
          (filter.type === undefined || l.type === filter.type),
      );
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
