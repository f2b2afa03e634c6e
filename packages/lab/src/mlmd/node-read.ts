// Reading artifacts, executions and contexts: the output-only `type` name is filled in and
// properties are regrouped per node (FindNodesImpl in rdbms_metadata_access_object.cc).
import { type Db, IN_JSON, jsonIds } from './database.js';
import { enumName } from './enums.js';
import type { NodeKind } from './node-kinds.js';
import { type PropertyRow, columnsToValue } from './property-codec.js';
import { invalidArgument, notFound } from './status.js';
import { typeNames } from './type-store.js';
import type { WireNode, WireValue } from './wire.js';

interface NodeRow {
  id: number;
  type_id: number;
  name: string | null;
  external_id: string | null;
  uri?: string | null;
  state?: number | null;
  last_known_state?: number | null;
  create_time_since_epoch: number;
  last_update_time_since_epoch: number;
}

export function propertyRows(db: Db, kind: NodeKind, ids: readonly number[]): PropertyRow[] {
  return db
    .prepare(
      `SELECT ${kind.idColumn} AS node_id, * FROM ${kind.propertyTable}
       WHERE ${kind.idColumn} ${IN_JSON} ORDER BY name`,
    )
    .all(jsonIds(ids)) as PropertyRow[];
}

/** Nodes by id in ascending id order; missing ids are skipped (not index-aligned). */
export function readNodes(db: Db, kind: NodeKind, ids: readonly number[]): WireNode[] {
  if (ids.length === 0) return [];
  const rows = db.prepare(`SELECT * FROM ${kind.table} WHERE id ${IN_JSON} ORDER BY id`).all(jsonIds(ids)) as NodeRow[];
  if (rows.length === 0) return [];
  const names = typeNames(
    db,
    rows.map((row) => row.type_id),
  );
  const props = new Map<number, PropertyRow[]>();
  for (const row of propertyRows(
    db,
    kind,
    rows.map((r) => r.id),
  )) {
    const list = props.get(row.node_id) ?? [];
    list.push(row);
    props.set(row.node_id, list);
  }
  return rows.map((row) => toWire(kind, row, names.get(row.type_id), props.get(row.id) ?? []));
}

/** Nodes in the order of `ids` (list pages keep their ORDER BY). */
export function readNodesInOrder(db: Db, kind: NodeKind, ids: readonly number[]): WireNode[] {
  const byId = new Map(readNodes(db, kind, ids).map((node) => [node.id, node]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

function toWire(kind: NodeKind, row: NodeRow, typeName: string | undefined, props: PropertyRow[]): WireNode {
  const properties: Record<string, WireValue> = {};
  const customProperties: Record<string, WireValue> = {};
  for (const prop of props) {
    (prop.is_custom_property === 1 ? customProperties : properties)[prop.name] = columnsToValue(prop);
  }
  const out: WireNode = {
    id: row.id,
    typeId: row.type_id,
    properties,
    customProperties,
    createTimeSinceEpoch: row.create_time_since_epoch,
    lastUpdateTimeSinceEpoch: row.last_update_time_since_epoch,
  };
  if (typeName !== undefined) out.type = typeName;
  if (row.name !== null) out.name = row.name;
  if (row.external_id !== null) out.externalId = row.external_id;
  if (row.uri !== undefined && row.uri !== null) out.uri = row.uri;
  if (kind.state) {
    const value = kind.state.column === 'state' ? row.state : row.last_known_state;
    if (value !== undefined && value !== null) {
      const name = enumName(kind.state.values, value);
      if (kind.state.column === 'state') out.state = name;
      else out.lastKnownState = name;
    }
  }
  return out;
}

/** Empty ids are rejected and no match at all is NOT_FOUND (Find*ByExternalIds). */
export function readNodesByExternalIds(db: Db, kind: NodeKind, externalIds: readonly string[]): WireNode[] {
  if (externalIds.length === 0) return [];
  if (externalIds.some((id) => id === '')) {
    throw invalidArgument('Invalid argument because at least one empty external_id exists.');
  }
  const rows = db
    .prepare(`SELECT id FROM ${kind.table} WHERE external_id ${IN_JSON} ORDER BY id`)
    .all(jsonIds(externalIds)) as { id: number }[];
  if (rows.length === 0) throw notFound(`No ${kind.table.toLowerCase()}s found for external_ids.`);
  return readNodes(
    db,
    kind,
    rows.map((row) => row.id),
  );
}

export function readNodeByTypeAndName(db: Db, kind: NodeKind, typeId: number, name: string): WireNode | undefined {
  const row = db.prepare(`SELECT id FROM ${kind.table} WHERE type_id = ? AND name = ?`).get(typeId, name) as
    { id: number } | undefined;
  return row ? readNodes(db, kind, [row.id])[0] : undefined;
}

export function nodeIdsOfType(db: Db, kind: NodeKind, typeId: number): number[] {
  return (db.prepare(`SELECT id FROM ${kind.table} WHERE type_id = ? ORDER BY id`).all(typeId) as { id: number }[]).map(
    (row) => row.id,
  );
}

export function allNodeIds(db: Db, kind: NodeKind): number[] {
  return (db.prepare(`SELECT id FROM ${kind.table} ORDER BY id`).all() as { id: number }[]).map((row) => row.id);
}

export function nodeExists(db: Db, kind: NodeKind, id: number): boolean {
  return db.prepare(`SELECT 1 FROM ${kind.table} WHERE id = ?`).get(id) !== undefined;
}

export function artifactIdsByUris(db: Db, uris: readonly string[]): number[] {
  const rows = db
    .prepare(`SELECT id FROM Artifact WHERE uri ${IN_JSON} ORDER BY id`)
    .all(jsonIds([...new Set(uris)])) as { id: number }[];
  return rows.map((row) => row.id);
}
