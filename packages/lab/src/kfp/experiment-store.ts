/**
 * Experiments (`backend/src/apiserver/storage/experiment_store.go`) and the default experiment
 * KFP creates the first time a run arrives without one (`resource_manager.go`
 * `CreateDefaultExperiment`, `GetValidExperimentNamespacePair`).
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound } from './api-error.js';
import { getMeta, nowSeconds, setMeta, type Db } from './db.js';
import { listRows, type ListRequest, type Listable, type Page } from './listing.js';
import { emit, formatTimestamp, type JsonObject } from './proto-json.js';

export interface ExperimentRow {
  uuid: string;
  name: string;
  description: string;
  namespace: string;
  created_at: number;
  last_run_created_at: number;
  storage_state: string;
}

/** `model/experiment.go` `experimentAPIToModelFieldMap`. */
export const EXPERIMENT_LISTABLE: Listable = {
  table: 'experiments',
  model: 'Experiment',
  fields: {
    id: 'uuid',
    experiment_id: 'uuid',
    name: 'name',
    display_name: 'name',
    created_at: 'created_at',
    last_run_created_at: 'last_run_created_at',
    description: 'description',
    namespace: 'namespace',
    storage_state: 'storage_state',
  },
  defaultSortColumn: 'created_at',
};

/** `api_converter.go` `toApiExperiment`: `last_run_created_at` is always set (the epoch when no run). */
export function experimentJson(row: ExperimentRow): JsonObject {
  return emit({
    experiment_id: row.uuid,
    display_name: row.name,
    description: row.description,
    created_at: formatTimestamp(row.created_at),
    namespace: row.namespace,
    storage_state: row.storage_state,
    last_run_created_at: formatTimestamp(row.last_run_created_at),
  });
}

const DEFAULT_EXPERIMENT_KEY = 'default_experiment_id';

export class ExperimentStore {
  constructor(private readonly db: Db) {}

  create(e: { displayName: string; description?: string; namespace: string }): ExperimentRow {
    if (e.displayName === '') throw invalidArgument('Experiment must have a non-empty name');
    if (this.db.prepare('SELECT 1 FROM experiments WHERE name = ? AND namespace = ?').get(e.displayName, e.namespace)) {
      throw alreadyExists(
        `Failed to create a new experiment. The name ${e.displayName} already exists. Please specify a new name`,
      );
    }
    const row: ExperimentRow = {
      uuid: randomUUID(),
      name: e.displayName,
      description: e.description ?? '',
      namespace: e.namespace,
      created_at: nowSeconds(),
      last_run_created_at: 0,
      storage_state: 'AVAILABLE',
    };
    this.db
      .prepare(
        `INSERT INTO experiments (uuid, name, description, namespace, created_at, last_run_created_at, storage_state)
         VALUES (@uuid, @name, @description, @namespace, @created_at, @last_run_created_at, @storage_state)`,
      )
      .run(row);
    return row;
  }

  get(id: string): ExperimentRow {
    const row = this.db.prepare('SELECT * FROM experiments WHERE uuid = ?').get(id) as ExperimentRow | undefined;
    if (!row) throw notFound(`Experiment ${id} not found`);
    return row;
  }

  list(req: ListRequest, namespace: string | undefined): Page<ExperimentRow> {
    const conditions = namespace === undefined ? [] : [{ sql: 'namespace = ?', params: [namespace] }];
    return listRows<ExperimentRow>(this.db, EXPERIMENT_LISTABLE, req, 'v2beta1', conditions);
  }

  /** The default experiment's id, creating "Default" on first use. */
  defaultExperimentId(namespace: string): string {
    const known = getMeta(this.db, DEFAULT_EXPERIMENT_KEY);
    if (known && this.db.prepare('SELECT 1 FROM experiments WHERE uuid = ?').get(known)) return known;
    const existing = this.db
      .prepare('SELECT uuid FROM experiments WHERE name = ? AND namespace = ?')
      .get('Default', namespace) as { uuid: string } | undefined;
    const id =
      existing?.uuid ??
      this.create({
        displayName: 'Default',
        description: 'All runs created without specifying an experiment will be grouped here.',
        namespace,
      }).uuid;
    setMeta(this.db, DEFAULT_EXPERIMENT_KEY, id);
    return id;
  }

  setLastRunCreatedAt(id: string, seconds: number): void {
    this.db.prepare('UPDATE experiments SET last_run_created_at = ? WHERE uuid = ?').run(seconds, id);
  }
}
