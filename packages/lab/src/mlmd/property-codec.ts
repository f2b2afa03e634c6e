// Property values ↔ property-table columns. MLMD keeps one column per Value member
// (int_value, double_value, string_value, proto_value, bool_value); struct and proto values are
// kept here as JSON text because only their round trip matters to the lab.
import { PROPERTY_TYPES } from './enums.js';
import type { WireValue } from './wire.js';

export interface PropertyColumns {
  int_value: number | null;
  double_value: number | null;
  string_value: string | null;
  struct_value: string | null;
  proto_value: string | null;
  bool_value: number | null;
}

export interface PropertyRow extends PropertyColumns {
  node_id: number;
  name: string;
  is_custom_property: number;
}

const EMPTY: PropertyColumns = {
  int_value: null,
  double_value: null,
  string_value: null,
  struct_value: null,
  proto_value: null,
  bool_value: null,
};

export function valueToColumns(value: WireValue): PropertyColumns {
  if (value.intValue !== undefined) return { ...EMPTY, int_value: value.intValue };
  if (value.doubleValue !== undefined) return { ...EMPTY, double_value: value.doubleValue };
  if (value.stringValue !== undefined) return { ...EMPTY, string_value: value.stringValue };
  if (value.structValue !== undefined) {
    return { ...EMPTY, struct_value: JSON.stringify(value.structValue) };
  }
  if (value.protoValue !== undefined) {
    const bytes = value.protoValue.value ?? new Uint8Array();
    const stored = {
      typeUrl: value.protoValue.type_url ?? '',
      value: Buffer.from(bytes).toString('base64'),
    };
    return { ...EMPTY, proto_value: JSON.stringify(stored) };
  }
  if (value.boolValue !== undefined) return { ...EMPTY, bool_value: value.boolValue ? 1 : 0 };
  return { ...EMPTY };
}

export function columnsToValue(row: PropertyColumns): WireValue {
  if (row.int_value !== null) return { intValue: row.int_value };
  if (row.double_value !== null) return { doubleValue: row.double_value };
  if (row.string_value !== null) return { stringValue: row.string_value };
  if (row.struct_value !== null) {
    return { structValue: JSON.parse(row.struct_value) as Record<string, unknown> };
  }
  if (row.proto_value !== null) {
    const stored = JSON.parse(row.proto_value) as { typeUrl: string; value: string };
    return { protoValue: { type_url: stored.typeUrl, value: Buffer.from(stored.value, 'base64') } };
  }
  if (row.bool_value !== null) return { boolValue: row.bool_value !== 0 };
  return {};
}

export function sameColumns(a: PropertyColumns, b: PropertyColumns): boolean {
  return (
    a.int_value === b.int_value &&
    a.double_value === b.double_value &&
    a.string_value === b.string_value &&
    a.struct_value === b.struct_value &&
    a.proto_value === b.proto_value &&
    a.bool_value === b.bool_value
  );
}

/** Does `value` carry the member a type's PropertyType (as a number) asks for? */
export function valueHasType(value: WireValue, propertyType: number): boolean {
  switch (PROPERTY_TYPES[propertyType]) {
    case 'INT':
      return value.intValue !== undefined;
    case 'DOUBLE':
      return value.doubleValue !== undefined;
    case 'STRING':
      return value.stringValue !== undefined;
    case 'STRUCT':
      return value.structValue !== undefined;
    case 'PROTO':
      return value.protoValue !== undefined;
    case 'BOOLEAN':
      return value.boolValue !== undefined;
    default:
      return false;
  }
}
