// The lab's MLMD database: SQLite (WAL) laid out like MLMD schema v10
// (ml_metadata/util/metadata_source_query_config.cc), with the same UNIQUE constraints, so that
// duplicates fail where a real metadata-grpc-service fails, and its secondary indices on the nodes'
// create and update times (`secondary_indices`), so that newest-first pages stay cheap with history. Differences that do not show on the
// wire: struct and proto property values are kept as JSON text, a type's base type is a column
// instead of a ParentType row, and there is no system_metadata column (MLMD has none either).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** MLMD's type_kind column values (insert_execution_type … VALUES($0, 0, …) etc.). */
export const TYPE_KIND = { execution: 0, artifact: 1, context: 2 } as const;

const SCHEMA_VERSION = 10;

const DDL = `
CREATE TABLE IF NOT EXISTS Type (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version TEXT,
  type_kind INTEGER NOT NULL,
  description TEXT,
  input_type TEXT,
  output_type TEXT,
  base_type INTEGER,
  external_id TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS idx_type_name ON Type(name);
CREATE TABLE IF NOT EXISTS TypeProperty (
  type_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  data_type INTEGER,
  PRIMARY KEY (type_id, name)
);
CREATE TABLE IF NOT EXISTS Artifact (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type_id INTEGER NOT NULL,
  uri TEXT,
  state INTEGER,
  name TEXT,
  external_id TEXT UNIQUE,
  create_time_since_epoch INTEGER NOT NULL DEFAULT 0,
  last_update_time_since_epoch INTEGER NOT NULL DEFAULT 0,
  UNIQUE (type_id, name)
);
CREATE INDEX IF NOT EXISTS idx_artifact_uri ON Artifact(uri);
CREATE TABLE IF NOT EXISTS Execution (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type_id INTEGER NOT NULL,
  last_known_state INTEGER,
  name TEXT,
  external_id TEXT UNIQUE,
  create_time_since_epoch INTEGER NOT NULL DEFAULT 0,
  last_update_time_since_epoch INTEGER NOT NULL DEFAULT 0,
  UNIQUE (type_id, name)
);
CREATE TABLE IF NOT EXISTS Context (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  external_id TEXT UNIQUE,
  create_time_since_epoch INTEGER NOT NULL DEFAULT 0,
  last_update_time_since_epoch INTEGER NOT NULL DEFAULT 0,
  UNIQUE (type_id, name)
);
${['Artifact', 'Execution', 'Context']
  .map(
    (node) => `
CREATE TABLE IF NOT EXISTS ${node}Property (
  ${node.toLowerCase()}_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  is_custom_property INTEGER NOT NULL,
  int_value INTEGER,
  double_value REAL,
  string_value TEXT,
  struct_value TEXT,
  proto_value TEXT,
  bool_value INTEGER,
  PRIMARY KEY (${node.toLowerCase()}_id, name, is_custom_property)
);`,
  )
  .join('\n')}
CREATE TABLE IF NOT EXISTS ParentContext (
  context_id INTEGER NOT NULL,
  parent_context_id INTEGER NOT NULL,
  PRIMARY KEY (context_id, parent_context_id)
);
CREATE INDEX IF NOT EXISTS idx_parentcontext_parent_context_id ON ParentContext(parent_context_id);
${['Artifact', 'Execution', 'Context']
  .map(
    (node) => `
CREATE INDEX IF NOT EXISTS idx_${node.toLowerCase()}_create_time_since_epoch ON ${node}(create_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_${node.toLowerCase()}_last_update_time_since_epoch ON ${node}(last_update_time_since_epoch);`,
  )
  .join('')}
CREATE TABLE IF NOT EXISTS Event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  artifact_id INTEGER NOT NULL,
  execution_id INTEGER NOT NULL,
  type INTEGER NOT NULL,
  milliseconds_since_epoch INTEGER,
  UNIQUE (artifact_id, execution_id, type)
);
CREATE INDEX IF NOT EXISTS idx_event_execution_id ON Event(execution_id);
CREATE TABLE IF NOT EXISTS EventPath (
  event_id INTEGER NOT NULL,
  is_index_step INTEGER NOT NULL,
  step_index INTEGER,
  step_key TEXT
);
CREATE INDEX IF NOT EXISTS idx_eventpath_event_id ON EventPath(event_id);
CREATE TABLE IF NOT EXISTS Association (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  context_id INTEGER NOT NULL,
  execution_id INTEGER NOT NULL,
  UNIQUE (context_id, execution_id)
);
CREATE INDEX IF NOT EXISTS idx_association_execution_id ON Association(execution_id);
CREATE TABLE IF NOT EXISTS Attribution (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  context_id INTEGER NOT NULL,
  artifact_id INTEGER NOT NULL,
  UNIQUE (context_id, artifact_id)
);
CREATE INDEX IF NOT EXISTS idx_attribution_artifact_id ON Attribution(artifact_id);
CREATE TABLE IF NOT EXISTS MLMDEnv (schema_version INTEGER PRIMARY KEY);
`;

/**
 * The system ("simple") types MLMD creates in every store on start-up
 * (ml_metadata/simple_types/simple_types_constants.cc, UpsertSimpleTypes in metadata_store.cc).
 * They take the first type ids and are hidden from Get*Types.
 */
export const SIMPLE_TYPES: readonly (readonly [string, number])[] = [
  ['mlmd.Dataset', TYPE_KIND.artifact],
  ['mlmd.Model', TYPE_KIND.artifact],
  ['mlmd.Metrics', TYPE_KIND.artifact],
  ['mlmd.Statistics', TYPE_KIND.artifact],
  ['mlmd.Train', TYPE_KIND.execution],
  ['mlmd.Transform', TYPE_KIND.execution],
  ['mlmd.Process', TYPE_KIND.execution],
  ['mlmd.Evaluate', TYPE_KIND.execution],
  ['mlmd.Deploy', TYPE_KIND.execution],
];

function upsertSimpleTypes(db: Db): void {
  const exists = db.prepare('SELECT 1 FROM Type WHERE name = ? AND type_kind = ? AND version IS NULL');
  const insert = db.prepare('INSERT INTO Type (name, type_kind) VALUES (?, ?)');
  for (const [name, kind] of SIMPLE_TYPES) if (!exists.get(name, kind)) insert.run(name, kind);
}

/**
 * Opens (creating if needed) the database. `dbPath` undefined means in memory: fine for a test,
 * but nothing survives close().
 */
export function openMlmdDatabase(dbPath: string | undefined): Db {
  if (dbPath !== undefined) mkdirSync(path.dirname(dbPath), { recursive: true });
  const db = new Database(dbPath ?? ':memory:');
  if (dbPath !== undefined) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(DDL);
  db.prepare('INSERT OR IGNORE INTO MLMDEnv (schema_version) VALUES (?)').run(SCHEMA_VERSION);
  db.transaction(() => upsertSimpleTypes(db))();
  return db;
}

/** `x IN (SELECT value FROM json_each(?))` takes any number of ids as one parameter. */
export const IN_JSON = 'IN (SELECT value FROM json_each(?))';
export const jsonIds = (ids: readonly (number | string)[]): string => JSON.stringify(ids);
