/**
 * The lab API server's durable state: one SQLite file per location, so a restarted lab keeps its
 * pipelines, runs and cache rows. Tables follow the API server's MySQL tables
 * (`backend/src/apiserver/model/*.go`); times are whole seconds, as KFP stores them.
 */
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pipelines (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  tags TEXT,
  UNIQUE (name, namespace)
);
CREATE TABLE IF NOT EXISTS pipeline_versions (
  uuid TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(uuid) ON DELETE CASCADE,
  name TEXT NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  code_source_url TEXT NOT NULL DEFAULT '',
  package_url TEXT NOT NULL DEFAULT '',
  pipeline_spec TEXT NOT NULL,
  tags TEXT,
  UNIQUE (pipeline_id, name)
);
CREATE TABLE IF NOT EXISTS experiments (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_run_created_at INTEGER NOT NULL DEFAULT 0,
  storage_state TEXT NOT NULL DEFAULT 'AVAILABLE',
  UNIQUE (name, namespace)
);
CREATE TABLE IF NOT EXISTS runs (
  uuid TEXT PRIMARY KEY,
  experiment_id TEXT NOT NULL,
  namespace TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  pipeline_id TEXT NOT NULL DEFAULT '',
  pipeline_version_id TEXT NOT NULL DEFAULT '',
  pipeline_spec TEXT NOT NULL,
  parameters TEXT NOT NULL DEFAULT '{}',
  pipeline_root TEXT NOT NULL DEFAULT '',
  service_account TEXT NOT NULL DEFAULT '',
  storage_state TEXT NOT NULL DEFAULT 'AVAILABLE',
  state TEXT NOT NULL,
  state_history TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  created_at INTEGER NOT NULL,
  scheduled_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER NOT NULL DEFAULT 0,
  pipeline_context_id TEXT NOT NULL DEFAULT '',
  pipeline_run_context_id TEXT NOT NULL DEFAULT '',
  task_details TEXT,
  recurring_run_id TEXT NOT NULL DEFAULT ''
);
-- KFP's tasks.RunUUID is a foreign key to run_details.UUID with ON DELETE CASCADE
-- (backend/src/apiserver/model/task.go): deleting a run deletes its cache rows.
CREATE TABLE IF NOT EXISTS tasks (
  uuid TEXT PRIMARY KEY,
  namespace TEXT NOT NULL DEFAULT '',
  pipeline_name TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(uuid) ON DELETE CASCADE,
  mlmd_execution_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL DEFAULT 0,
  fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_cache_lookup ON tasks (fingerprint, pipeline_name, namespace, created_at);
CREATE INDEX IF NOT EXISTS tasks_run ON tasks (run_id);
`;

export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  return db;
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
