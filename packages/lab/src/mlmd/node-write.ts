// Writing artifacts, executions and contexts: insert, update by id (optionally under an
// update_mask). Mirrors CreateNodeImpl / UpdateNodeImpl / RunNodeUpdate / ModifyProperties in
// ml_metadata/metadata_store/rdbms_metadata_access_object.cc.
import type { Db } from './database.js';
import { enumNumber } from './enums.js';
import type { NodeKind } from './node-kinds.js';
import { propertyRows } from './node-read.js';
import { type PropertyColumns, type PropertyRow, sameColumns, valueHasType, valueToColumns } from './property-codec.js';
import { alreadyExists, invalidArgument, isUniqueViolation, notFound } from './status.js';
import { typeProperties } from './type-store.js';
import type { WireNode, WireValue } from './wire.js';

/** Top-level columns an update may change, per kind (RunNodeUpdate's UPDATE statements). */
const UPDATABLE: Record<NodeKind['table'], readonly string[]> = {
  Artifact: ['type_id', 'uri', 'state', 'external_id'],
  Execution: ['type_id', 'last_known_state', 'external_id'],
  Context: ['type_id', 'name', 'external_id'],
};

function uniqueViolation(kind: NodeKind, node: WireNode, error: unknown): Error {
  if (!isUniqueViolation(error)) return error as Error;
  const detail = String((error as Error).message);
  if (detail.includes('external_id')) {
    return alreadyExists(
      `Given node already exists: a ${kind.label} with external_id '${node.externalId ?? ''}' exists`,
    );
  }
  return alreadyExists(
    `Given node already exists: a ${kind.label} named '${node.name ?? ''}' exists for type_id ${node.typeId ?? 0}`,
  );
}

function stateNumber(kind: NodeKind, node: WireNode): number | null {
  if (!kind.state) return null;
  const value = kind.state.column === 'state' ? node.state : node.lastKnownState;
  return value === undefined ? null : enumNumber(kind.state.values, value, kind.state.column);
}

/** ValidatePropertiesWithType (rdbms_metadata_access_object.h); `only` limits it to masked names. */
function validateProperties(
  declared: Map<string, number>,
  properties: Record<string, WireValue> | undefined,
  only?: Set<string>,
): void {
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (only && !only.has(name)) continue;
    const dataType = declared.get(name);
    if (dataType === undefined) throw invalidArgument(`Found unknown property: ${name}`);
    if (!valueHasType(value, dataType)) throw invalidArgument(`Found unmatched property type: ${name}`);
  }
}

function declaredProperties(db: Db, kind: NodeKind, typeId: number): Map<string, number> {
  const declared = typeProperties(db, kind.typeKind, typeId);
  if (!declared) throw notFound(`Cannot find type for ${kind.label}: no ${kind.label} type with id ${typeId}`);
  return declared;
}

function writeProperty(
  db: Db,
  kind: NodeKind,
  id: number,
  name: string,
  custom: boolean,
  columns: PropertyColumns,
): void {
  db.prepare(
    `INSERT OR REPLACE INTO ${kind.propertyTable} (${kind.idColumn}, name, is_custom_property,
       int_value, double_value, string_value, struct_value, proto_value, bool_value)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    name,
    custom ? 1 : 0,
    columns.int_value,
    columns.double_value,
    columns.string_value,
    columns.struct_value,
    columns.proto_value,
    columns.bool_value,
  );
}

export function createNode(db: Db, kind: NodeKind, node: WireNode, now: number): number {
  if (node.typeId === undefined) throw invalidArgument('Type id is missing.');
  const declared = declaredProperties(db, kind, node.typeId);
  validateProperties(declared, node.properties);
  if (kind.table === 'Context' && (node.name === undefined || node.name === '')) {
    throw invalidArgument('Context name should not be empty');
  }
  const columns: Record<string, unknown> = {
    type_id: node.typeId,
    name: node.name ?? null,
    external_id: node.externalId ?? null,
    create_time_since_epoch: now,
    last_update_time_since_epoch: now,
  };
  if (kind.table === 'Artifact') columns.uri = node.uri ?? null;
  if (kind.state) columns[kind.state.column] = stateNumber(kind, node);
  const names = Object.keys(columns);
  let id: number;
  try {
    const result = db
      .prepare(`INSERT INTO ${kind.table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
      .run(...Object.values(columns));
    id = Number(result.lastInsertRowid);
  } catch (error) {
    throw uniqueViolation(kind, node, error);
  }
  for (const [name, value] of Object.entries(node.properties ?? {})) {
    writeProperty(db, kind, id, name, false, valueToColumns(value));
  }
  for (const [name, value] of Object.entries(node.customProperties ?? {})) {
    writeProperty(db, kind, id, name, true, valueToColumns(value));
  }
  return id;
}

/** Property names an update touches (GetPropertyNamesFromMaskOrUnionOfProperties). */
function touchedNames(
  mask: readonly string[],
  prefix: 'properties' | 'custom_properties',
  current: Record<string, WireValue> | undefined,
  previous: Map<string, PropertyColumns>,
): Set<string> {
  const union = new Set([...Object.keys(current ?? {}), ...previous.keys()]);
  if (mask.length === 0 || mask.includes(prefix)) return union;
  return new Set(mask.filter((p) => p.startsWith(`${prefix}.`)).map((p) => p.slice(prefix.length + 1)));
}

function modifyProperties(
  db: Db,
  kind: NodeKind,
  id: number,
  custom: boolean,
  current: Record<string, WireValue> | undefined,
  stored: PropertyRow[],
  mask: readonly string[],
): number {
  const previous = new Map(
    stored.filter((row) => (row.is_custom_property === 1) === custom).map((row) => [row.name, row as PropertyColumns]),
  );
  let changed = 0;
  for (const name of touchedNames(mask, custom ? 'custom_properties' : 'properties', current, previous)) {
    const before = previous.get(name);
    const value = current?.[name];
    if (value === undefined) {
      if (before) {
        db.prepare(
          `DELETE FROM ${kind.propertyTable} WHERE ${kind.idColumn} = ? AND name = ? AND is_custom_property = ?`,
        ).run(id, name, custom ? 1 : 0);
        changed += 1;
      }
      continue;
    }
    const after = valueToColumns(value);
    if (!before || !sameColumns(before, after)) {
      writeProperty(db, kind, id, name, custom, after);
      changed += 1;
    }
  }
  return changed;
}

/** Wire value of an updatable column, as RunNodeUpdate would write it from `node`. */
function columnFromNode(kind: NodeKind, node: WireNode, column: string): unknown {
  switch (column) {
    case 'type_id':
      return node.typeId ?? 0;
    // UpdateArtifactDirect is given artifact.uri(), i.e. '' when unset.
    case 'uri':
      return node.uri ?? '';
    case 'state':
    case 'last_known_state':
      return stateNumber(kind, node);
    case 'external_id':
      return node.externalId ?? null;
    case 'name':
      return node.name ?? null;
    default:
      return undefined;
  }
}

export function updateNode(db: Db, kind: NodeKind, node: WireNode, mask: readonly string[], now: number): number {
  const id = node.id as number;
  const stored = db.prepare(`SELECT * FROM ${kind.table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
  if (!stored) throw invalidArgument(`Cannot find the given id ${id}`);
  if (node.typeId !== undefined && node.typeId !== stored.type_id) {
    throw invalidArgument(
      `Given type_id ${node.typeId} is different from the one known before: ${String(stored.type_id)}`,
    );
  }
  // Deliberate deviation: MLMD 1.14 writes type_id = 0 when a whole-node update omits it
  // (RunNodeUpdate passes node.type_id()), corrupting the node. The lab refuses loudly instead, so
  // a client that would corrupt a real store fails in tests.
  if (node.typeId === undefined && mask.length === 0) {
    throw invalidArgument(
      `update of ${kind.label} ${id} without type_id: MLMD 1.14 would reset its type_id to 0; send type_id or an update_mask`,
    );
  }
  const declared = declaredProperties(db, kind, stored.type_id as number);
  const maskedNames = new Set(
    mask.filter((p) => p.startsWith('properties.')).map((p) => p.slice('properties.'.length)),
  );
  validateProperties(declared, node.properties, maskedNames.size > 0 ? maskedNames : undefined);

  const storedProps = propertyRows(db, kind, [id]);
  const changedProps =
    modifyProperties(db, kind, id, false, node.properties, storedProps, mask) +
    modifyProperties(db, kind, id, true, node.customProperties, storedProps, mask);

  const next: Record<string, unknown> = {};
  for (const column of UPDATABLE[kind.table]) {
    next[column] = mask.length === 0 || mask.includes(column) ? columnFromNode(kind, node, column) : stored[column];
  }
  if (kind.table === 'Context' && (next.name === null || next.name === '')) {
    throw invalidArgument('Context name should not be empty');
  }
  const columnsChanged = Object.entries(next).some(([column, value]) => stored[column] !== value);
  if (columnsChanged || changedProps > 0) {
    const sets = Object.keys(next).map((column) => `${column} = ?`);
    try {
      db.prepare(`UPDATE ${kind.table} SET ${sets.join(', ')}, last_update_time_since_epoch = ? WHERE id = ?`).run(
        ...Object.values(next),
        now,
        id,
      );
    } catch (error) {
      throw uniqueViolation(kind, node, error);
    }
  }
  return id;
}

export function upsertNode(db: Db, kind: NodeKind, node: WireNode, mask: readonly string[], now: number): number {
  return node.id !== undefined ? updateNode(db, kind, node, mask, now) : createNode(db, kind, node, now);
}
