/**
 * Pipelines and pipeline versions (`backend/src/apiserver/storage/pipeline_store.go`,
 * `resource_manager.go` `CreatePipeline`, `CreatePipelineAndPipelineVersion`, `CreatePipelineVersion`).
 * Names are unique per namespace (pipelines) and per pipeline (versions); a duplicate is ALREADY_EXISTS.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, invalidArgument, notFound } from './api-error.js';
import { nowSeconds, type Db } from './db.js';
import { listRows, type Condition, type ListRequest, type Listable, type Page } from './listing.js';
import { packageToStruct, type PipelinePackage } from './pipeline-spec.js';
import { emit, emitMap, formatTimestamp, type JsonObject } from './proto-json.js';

export interface PipelineRow {
  uuid: string;
  name: string;
  display_name: string;
  description: string;
  namespace: string;
  created_at: number;
  tags: string | null;
}

export interface VersionRow {
  uuid: string;
  pipeline_id: string;
  name: string;
  display_name: string;
  description: string;
  created_at: number;
  code_source_url: string;
  package_url: string;
  /** JSON of the stored `PipelinePackage`. */
  pipeline_spec: string;
  tags: string | null;
}

export interface NewPipeline {
  name: string;
  displayName?: string;
  description?: string;
  namespace: string;
  tags?: Record<string, string>;
}

export interface NewVersion {
  pipelineId: string;
  name: string;
  displayName?: string;
  description?: string;
  codeSourceUrl?: string;
  packageUrl?: string;
  pkg: PipelinePackage;
  tags?: Record<string, string>;
}

/** `model/pipeline.go` and `model/pipeline_version.go` `APIToModelFieldMap`. */
export const PIPELINE_LISTABLE: Listable = {
  table: 'pipelines',
  model: 'Pipeline',
  fields: {
    id: 'uuid',
    pipeline_id: 'uuid',
    name: 'name',
    display_name: 'display_name',
    created_at: 'created_at',
    description: 'description',
    namespace: 'namespace',
  },
  defaultSortColumn: 'created_at',
};
export const VERSION_LISTABLE: Listable = {
  table: 'pipeline_versions',
  model: 'PipelineVersion',
  fields: {
    id: 'uuid',
    pipeline_version_id: 'uuid',
    name: 'name',
    display_name: 'display_name',
    created_at: 'created_at',
    description: 'description',
  },
  defaultSortColumn: 'created_at',
};

/** `model.ValidateTags`: keys and values at most 63 characters. */
function validateTags(tags: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(tags ?? {})) {
    if (k.length === 0 || k.length > 63 || v.length > 63)
      throw invalidArgument(`Invalid tag ${JSON.stringify(k)}: keys and values are limited to 63 characters`);
  }
}

const tagsText = (tags: Record<string, string> | undefined): string | null =>
  tags && Object.keys(tags).length > 0 ? JSON.stringify(tags) : null;
const tagsOf = (text: string | null): Record<string, string> | undefined =>
  text ? (JSON.parse(text) as Record<string, string>) : undefined;

export function pipelineJson(row: PipelineRow): JsonObject {
  return emit({
    pipeline_id: row.uuid,
    name: row.name,
    display_name: row.display_name,
    description: row.description,
    created_at: formatTimestamp(row.created_at),
    namespace: row.namespace,
    tags: emitMap(tagsOf(row.tags)),
  });
}

export function versionPackage(row: VersionRow): PipelinePackage {
  return JSON.parse(row.pipeline_spec) as PipelinePackage;
}

export function versionJson(row: VersionRow): JsonObject {
  return emit({
    pipeline_id: row.pipeline_id,
    pipeline_version_id: row.uuid,
    name: row.name,
    display_name: row.display_name,
    description: row.description,
    created_at: formatTimestamp(row.created_at),
    package_url: row.package_url ? { pipeline_url: row.package_url } : undefined,
    code_source_url: row.code_source_url,
    pipeline_spec: packageToStruct(versionPackage(row)),
    tags: emitMap(tagsOf(row.tags)),
  });
}

export class PipelineStore {
  constructor(private readonly db: Db) {}

  createPipeline(p: NewPipeline): PipelineRow {
    if (p.name === '') throw invalidArgument("pipeline's name cannot be empty");
    validateTags(p.tags);
    if (this.db.prepare('SELECT 1 FROM pipelines WHERE name = ? AND namespace = ?').get(p.name, p.namespace)) {
      throw alreadyExists(
        `Failed to create a new pipeline. The name ${p.name} already exists. Please specify a new name`,
      );
    }
    const row: PipelineRow = {
      uuid: randomUUID(),
      name: p.name,
      display_name: p.displayName || p.name,
      description: p.description ?? '',
      namespace: p.namespace,
      created_at: nowSeconds(),
      tags: tagsText(p.tags),
    };
    this.db
      .prepare(
        'INSERT INTO pipelines (uuid, name, display_name, description, namespace, created_at, tags) ' +
          'VALUES (@uuid, @name, @display_name, @description, @namespace, @created_at, @tags)',
      )
      .run(row);
    return row;
  }

  createVersion(v: NewVersion): VersionRow {
    if (v.name === '') throw invalidArgument('name is required');
    validateTags(v.tags);
    this.getPipeline(v.pipelineId);
    if (
      this.db.prepare('SELECT 1 FROM pipeline_versions WHERE pipeline_id = ? AND name = ?').get(v.pipelineId, v.name)
    ) {
      throw alreadyExists(
        `Failed to create a new pipeline version. The name ${v.name} already exist. Please specify a new name`,
      );
    }
    const row: VersionRow = {
      uuid: randomUUID(),
      pipeline_id: v.pipelineId,
      name: v.name,
      display_name: v.displayName || v.name,
      description: v.description ?? '',
      created_at: nowSeconds(),
      code_source_url: v.codeSourceUrl ?? '',
      package_url: v.packageUrl ?? '',
      pipeline_spec: JSON.stringify(v.pkg),
      tags: tagsText(v.tags),
    };
    this.db
      .prepare(
        `INSERT INTO pipeline_versions (uuid, pipeline_id, name, display_name, description, created_at, code_source_url, package_url, pipeline_spec, tags)
         VALUES (@uuid, @pipeline_id, @name, @display_name, @description, @created_at, @code_source_url, @package_url, @pipeline_spec, @tags)`,
      )
      .run(row);
    return row;
  }

  /** Both rows in one transaction, as the upload endpoint does. */
  createPipelineAndVersion(
    p: NewPipeline,
    v: Omit<NewVersion, 'pipelineId'>,
  ): { pipeline: PipelineRow; version: VersionRow } {
    return this.db.transaction(() => {
      const pipeline = this.createPipeline(p);
      const version = this.createVersion({ ...v, pipelineId: pipeline.uuid });
      return { pipeline, version };
    })();
  }

  getPipeline(id: string): PipelineRow {
    const row = this.db.prepare('SELECT * FROM pipelines WHERE uuid = ?').get(id) as PipelineRow | undefined;
    if (!row) throw notFound(`Pipeline ${id} not found`);
    return row;
  }

  getPipelineByName(name: string, namespace: string): PipelineRow {
    const row = this.db.prepare('SELECT * FROM pipelines WHERE name = ? AND namespace = ?').get(name, namespace) as
      PipelineRow | undefined;
    if (!row) throw notFound(`Pipeline ${name} not found in namespace '${namespace}'`);
    return row;
  }

  listPipelines(req: ListRequest, namespace: string): Page<PipelineRow> {
    return listRows<PipelineRow>(this.db, PIPELINE_LISTABLE, req, 'v2beta1', [
      { sql: 'namespace = ?', params: [namespace] },
    ]);
  }

  getVersion(id: string): VersionRow {
    const row = this.db.prepare('SELECT * FROM pipeline_versions WHERE uuid = ?').get(id) as VersionRow | undefined;
    if (!row) throw notFound(`PipelineVersion ${id} not found`);
    return row;
  }

  latestVersion(pipelineId: string): VersionRow | undefined {
    return this.db
      .prepare('SELECT * FROM pipeline_versions WHERE pipeline_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(pipelineId) as VersionRow | undefined;
  }

  listVersions(pipelineId: string, req: ListRequest): Page<VersionRow> {
    this.getPipeline(pipelineId);
    const parent: Condition = { sql: 'pipeline_id = ?', params: [pipelineId] };
    return listRows<VersionRow>(this.db, VERSION_LISTABLE, req, 'v2beta1', [parent]);
  }

  /** `DeletePipeline`: refuses while versions exist unless `cascade`. */
  deletePipeline(id: string, cascade: boolean): void {
    this.getPipeline(id);
    const versions = (
      this.db.prepare('SELECT count(*) AS n FROM pipeline_versions WHERE pipeline_id = ?').get(id) as { n: number }
    ).n;
    if (versions > 0 && !cascade) {
      throw invalidArgument(
        `Failed to delete pipeline ${id}: it has ${versions} version(s); delete them first or set cascade=true`,
      );
    }
    this.db.prepare('DELETE FROM pipelines WHERE uuid = ?').run(id);
  }

  deleteVersion(pipelineId: string, versionId: string): void {
    const v = this.getVersion(versionId);
    if (v.pipeline_id !== pipelineId)
      throw notFound(`PipelineVersion ${versionId} not found in pipeline ${pipelineId}`);
    this.db.prepare('DELETE FROM pipeline_versions WHERE uuid = ?').run(versionId);
  }
}
