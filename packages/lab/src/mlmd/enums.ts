// Enum name ↔ number tables of metadata_store.proto (MLMD 1.14.0). The database stores numbers,
// as MLMD does; requests arrive with names (proto-loader `enums: String`).
import { invalidArgument } from './status.js';
import type { WireEnum } from './wire.js';

export const PROPERTY_TYPES = ['UNKNOWN', 'INT', 'DOUBLE', 'STRING', 'STRUCT', 'PROTO', 'BOOLEAN'];
export const ARTIFACT_STATES = [
  'UNKNOWN',
  'PENDING',
  'LIVE',
  'MARKED_FOR_DELETION',
  'DELETED',
  'ABANDONED',
  'REFERENCE',
];
export const EXECUTION_STATES = ['UNKNOWN', 'NEW', 'RUNNING', 'COMPLETE', 'FAILED', 'CACHED', 'CANCELED'];
export const EVENT_TYPES = [
  'UNKNOWN',
  'DECLARED_OUTPUT',
  'DECLARED_INPUT',
  'INPUT',
  'OUTPUT',
  'INTERNAL_INPUT',
  'INTERNAL_OUTPUT',
  'PENDING_OUTPUT',
];
export const ORDER_BY_FIELDS = ['FIELD_UNSPECIFIED', 'CREATE_TIME', 'LAST_UPDATE_TIME', 'ID'];

/** Name or number → number; an unknown name is a caller error. */
export function enumNumber(table: readonly string[], value: WireEnum, what: string): number {
  if (typeof value === 'number') return value;
  const index = table.indexOf(value);
  if (index < 0) throw invalidArgument(`unknown ${what} '${value}'`);
  return index;
}

/** Number → name when known (numbers from newer peers pass through as numbers). */
export function enumName(table: readonly string[], value: number): WireEnum {
  return table[value] ?? value;
}
