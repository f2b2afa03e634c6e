// Artifact/execution/context types. A type is identified by (name, version) within its kind; an
// empty version means "no version" (metadata_store.cc GetRequestTypeVersion). Re-putting a type
// follows UpsertTypes/CheckFieldsConsistent in ml_metadata/metadata_store/metadata_store.cc.
import { type Db, IN_JSON, SIMPLE_TYPES, jsonIds } from './database.js';
import { PROPERTY_TYPES, enumName, enumNumber } from './enums.js';
import { MlmdStatus, alreadyExists, invalidArgument, isUniqueViolation, notFound } from './status.js';
import { status } from '@grpc/grpc-js';
import type { WireType } from './wire.js';

interface TypeRow {
  id: number;
  name: string;
  version: string | null;
  type_kind: number;
  description: string | null;
  input_type: string | null;
  output_type: string | null;
  base_type: number | null;
  external_id: string | null;
}

interface TypePropertyRow {
  type_id: number;
  name: string;
  data_type: number;
}

export interface TypeFieldChecks {
  canAddFields: boolean;
  canOmitFields: boolean;
}

const versionOf = (version: string | undefined): string | null =>
  version === undefined || version === '' ? null : version;

function propertyTypeNumbers(type: WireType): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(type.properties ?? {})) {
    out.set(name, enumNumber(PROPERTY_TYPES, value, 'property type'));
  }
  return out;
}

function findTypeRow(db: Db, kind: number, name: string, version: string | null): TypeRow | undefined {
  return db
    .prepare('SELECT * FROM Type WHERE type_kind = ? AND name = ? AND version IS ? ORDER BY id LIMIT 1')
    .get(kind, name, version) as TypeRow | undefined;
}

function storedProperties(db: Db, typeId: number): Map<string, number> {
  const rows = db.prepare('SELECT * FROM TypeProperty WHERE type_id = ?').all(typeId) as TypePropertyRow[];
  return new Map(rows.map((row) => [row.name, row.data_type]));
}

function insertProperties(db: Db, typeId: number, properties: Map<string, number>): void {
  const insert = db.prepare('INSERT INTO TypeProperty (type_id, name, data_type) VALUES (?, ?, ?)');
  for (const [name, dataType] of properties) {
    if (dataType === 0) throw invalidArgument(`Property ${name} is UNKNOWN.`);
    insert.run(typeId, name, dataType);
  }
}

function setExternalId(db: Db, typeId: number, externalId: string): void {
  try {
    db.prepare('UPDATE Type SET external_id = ? WHERE id = ?').run(externalId, typeId);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw alreadyExists(`a type with external_id '${externalId}' already exists`);
    }
    throw error;
  }
}

function createType(db: Db, kind: number, type: WireType, properties: Map<string, number>): number {
  let id: number;
  try {
    const result = db
      .prepare(
        `INSERT INTO Type (name, version, type_kind, description, input_type, output_type,
           base_type, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        type.name,
        versionOf(type.version),
        kind,
        type.description ?? null,
        type.inputType === undefined ? null : JSON.stringify(type.inputType),
        type.outputType === undefined ? null : JSON.stringify(type.outputType),
        null,
        type.externalId ?? null,
      );
    id = Number(result.lastInsertRowid);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw alreadyExists(`a type with external_id '${type.externalId ?? ''}' already exists`);
    }
    throw error;
  }
  insertProperties(db, id, properties);
  return id;
}

/** Mirrors UpsertTypeInheritanceLink: base types can be set once, never changed or unset. */
function linkBaseType(db: Db, typeId: number, type: WireType): void {
  if (type.baseType === undefined) return;
  const wanted = typeof type.baseType === 'number' ? type.baseType : baseTypeNumber(type.baseType);
  if (wanted === 0) {
    throw new MlmdStatus(status.UNIMPLEMENTED, 'base_type deletion is not supported yet');
  }
  const row = db.prepare('SELECT base_type FROM Type WHERE id = ?').get(typeId) as {
    base_type: number | null;
  };
  if (row.base_type === null) {
    db.prepare('UPDATE Type SET base_type = ? WHERE id = ?').run(wanted, typeId);
  } else if (row.base_type !== wanted) {
    throw new MlmdStatus(status.UNIMPLEMENTED, 'base_type update is not supported yet');
  }
}

// Base type enums differ per kind but agree on numbers being small ints; names are resolved by
// the decoder, so only the name → number step is needed here.
const BASE_TYPE_NAMES = [
  ['UNSET', 0],
  ['DATASET', 1],
  ['MODEL', 2],
  ['METRICS', 3],
  ['STATISTICS', 4],
  ['TRAIN', 1],
  ['TRANSFORM', 2],
  ['PROCESS', 3],
  ['EVALUATE', 4],
  ['DEPLOY', 5],
] as const;

function baseTypeNumber(name: string): number {
  const found = BASE_TYPE_NAMES.find(([candidate]) => candidate === name);
  if (!found) throw invalidArgument(`unknown base_type '${name}'`);
  return found[1];
}

/** Inserts or reconciles one type; returns its id. */
export function putType(db: Db, kind: number, type: WireType, checks: TypeFieldChecks): number {
  if (type.name === undefined || type.name === '') {
    throw invalidArgument('No type name is specified.');
  }
  const given = propertyTypeNumbers(type);
  const stored = findTypeRow(db, kind, type.name, versionOf(type.version));
  if (!stored) {
    const id = createType(db, kind, type, given);
    linkBaseType(db, id, type);
    return id;
  }
  if (type.id !== undefined && type.id !== stored.id) {
    throw invalidArgument(`Given type id is different from the existing type: ${stored.id}`);
  }
  const storedProps = storedProperties(db, stored.id);
  let omitted = 0;
  for (const [name, dataType] of storedProps) {
    const other = given.get(name);
    if (other === undefined) omitted += 1;
    else if (other !== dataType) {
      throw alreadyExists(
        `Type already exists with different properties: Conflicting property value type found ` +
          `in stored and given types for property '${name}' of type '${type.name}'`,
      );
    }
  }
  if (omitted > 0 && !checks.canOmitFields) {
    throw alreadyExists(
      `Type already exists with different properties: can_omit_fields is false while stored ` +
        `type '${type.name}' has more properties`,
    );
  }
  const added = new Map([...given].filter(([name]) => !storedProps.has(name)));
  if (added.size > 0 && !checks.canAddFields) {
    throw alreadyExists(
      `Type already exists with different properties: can_add_fields is false while the given ` +
        `type '${type.name}' has more properties`,
    );
  }
  insertProperties(db, stored.id, added);
  if (type.externalId !== undefined && type.externalId !== stored.external_id) {
    setExternalId(db, stored.id, type.externalId);
  }
  linkBaseType(db, stored.id, type);
  return stored.id;
}

function toWire(db: Db, row: TypeRow): WireType {
  const properties: Record<string, string | number> = {};
  for (const [name, dataType] of storedProperties(db, row.id)) {
    properties[name] = enumName(PROPERTY_TYPES, dataType);
  }
  const out: WireType = { id: row.id, name: row.name, properties };
  if (row.version !== null) out.version = row.version;
  if (row.description !== null) out.description = row.description;
  if (row.external_id !== null) out.externalId = row.external_id;
  if (row.input_type !== null) out.inputType = JSON.parse(row.input_type);
  if (row.output_type !== null) out.outputType = JSON.parse(row.output_type);
  if (row.base_type !== null) out.baseType = row.base_type;
  return out;
}

/** GetArtifactType & co: NOT_FOUND when missing (metadata_access_object FindTypeImpl). */
export function getTypeByName(db: Db, kind: number, name: string, version?: string): WireType {
  const row = findTypeRow(db, kind, name, versionOf(version));
  if (!row) {
    throw notFound(`No type found for query, name: \`${name}\`, version: \`${version || 'nullopt'}\``);
  }
  return toWire(db, row);
}

/** The id of (name, version), or undefined: callers that treat a missing type as "no rows". */
export function findTypeId(db: Db, kind: number, name: string, version?: string): number | undefined {
  return findTypeRow(db, kind, name, versionOf(version))?.id;
}

export function getTypesByIds(db: Db, kind: number, ids: readonly number[]): WireType[] {
  const rows = db
    .prepare(`SELECT * FROM Type WHERE type_kind = ? AND id ${IN_JSON} ORDER BY id`)
    .all(kind, jsonIds(ids)) as TypeRow[];
  return rows.map((row) => toWire(db, row));
}

/** Every type of a kind except MLMD's system types, which "are invisible to users" (GetArtifactTypes). */
export function getAllTypes(db: Db, kind: number): WireType[] {
  const rows = db.prepare('SELECT * FROM Type WHERE type_kind = ? ORDER BY id').all(kind) as TypeRow[];
  const hidden = new Set(SIMPLE_TYPES.map(([name]) => name));
  return rows.filter((row) => !hidden.has(row.name)).map((row) => toWire(db, row));
}

/** Empty ids are rejected, and no match at all is NOT_FOUND (FindTypesByExternalIdsImpl). */
export function getTypesByExternalIds(db: Db, kind: number, externalIds: readonly string[]): WireType[] {
  if (externalIds.length === 0) return [];
  if (externalIds.some((id) => id === '')) {
    throw invalidArgument('Invalid argument because at least one empty external_id exists.');
  }
  const rows = db
    .prepare(`SELECT * FROM Type WHERE type_kind = ? AND external_id ${IN_JSON} ORDER BY id`)
    .all(kind, jsonIds(externalIds)) as TypeRow[];
  if (rows.length === 0) throw notFound('No types found for external_ids.');
  return rows.map((row) => toWire(db, row));
}

/** Type id → name, for filling the output-only `type` field of nodes. */
export function typeNames(db: Db, typeIds: readonly number[]): Map<number, string> {
  const rows = db.prepare(`SELECT id, name FROM Type WHERE id ${IN_JSON}`).all(jsonIds([...new Set(typeIds)])) as {
    id: number;
    name: string;
  }[];
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** A type of the given kind by id, with its declared properties; undefined when missing. */
export function typeProperties(db: Db, kind: number, typeId: number): Map<string, number> | undefined {
  const row = db.prepare('SELECT id FROM Type WHERE id = ? AND type_kind = ?').get(typeId, kind);
  return row ? storedProperties(db, typeId) : undefined;
}
