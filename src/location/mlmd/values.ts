// Conversions between plain JSON and MLMD property values. KFP keeps execution inputs/outputs as
// struct_value (backend/src/v2/metadata/client.go), so structs convert both ways.
import type { MlmdValue, Properties, ProtoStruct, StructFieldValue } from './messages.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const intValue = (value: number): MlmdValue => ({ intValue: value });
export const doubleValue = (value: number): MlmdValue => ({ doubleValue: value });
export const stringValue = (value: string): MlmdValue => ({ stringValue: value });
export const boolValue = (value: boolean): MlmdValue => ({ boolValue: value });
export const structValue = (value: JsonObject): MlmdValue => ({ structValue: toStruct(value) });

/**
 * An artifact metadata value as KFP's `StructValueToMLMDValue` stores it (`2.17.0:backend/src/v2/
 * metadata/converter.go:138-170`): numbers become doubles, booleans ints 0/1, lists and structs are
 * wrapped in a struct; null has no MLMD form (undefined).
 */
export function metadataValue(v: JsonValue): MlmdValue | undefined {
  if (typeof v === 'string') return stringValue(v);
  if (typeof v === 'number') return doubleValue(v);
  if (typeof v === 'boolean') return intValue(v ? 1 : 0);
  if (Array.isArray(v)) return structValue({ list: v });
  if (v !== null && typeof v === 'object') return structValue({ struct: v });
  return undefined;
}

function toFieldValue(value: JsonValue): StructFieldValue {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toFieldValue) } };
  return { structValue: toStruct(value) };
}

function fromFieldValue(value: StructFieldValue): JsonValue {
  if (value.numberValue !== undefined) return value.numberValue;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.structValue !== undefined) return fromStruct(value.structValue);
  if (value.listValue !== undefined) return (value.listValue.values ?? []).map(fromFieldValue);
  return null;
}

export function toStruct(value: JsonObject): ProtoStruct {
  const fields: Record<string, StructFieldValue> = {};
  for (const [key, field] of Object.entries(value)) fields[key] = toFieldValue(field);
  return { fields };
}

export function fromStruct(struct: ProtoStruct): JsonObject {
  const out: JsonObject = {};
  for (const [key, field] of Object.entries(struct.fields ?? {})) out[key] = fromFieldValue(field);
  return out;
}

/** The value as plain JSON (proto values as their type URL); undefined when no member is set. */
export function plainValue(value: MlmdValue | undefined): JsonValue | undefined {
  if (!value) return undefined;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.structValue !== undefined) return fromStruct(value.structValue);
  if (value.protoValue !== undefined) return value.protoValue.type_url ?? null;
  return undefined;
}

/** `proto.Equal` on two MLMD values: struct fields compared whatever their order, unset fields ignored. */
export function sameMlmdValue(a: MlmdValue, b: MlmdValue): boolean {
  return JSON.stringify(orderedFields(a)) === JSON.stringify(orderedFields(b));
}

function orderedFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(orderedFields);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([k, x]) => [k, orderedFields(x)]),
    );
  }
  return v;
}

/** Custom properties as plain JSON (`plainValue` of each; what KFP hands components for an artifact). */
export function plainProperties(props: Properties | undefined, drop: readonly string[] = []): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    if (drop.includes(k)) continue;
    const p = plainValue(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/**
 * Plain JSON back into custom properties as KFP writes them: strings as strings, a JSON object as the struct
 * it came from (the inverse of `plainValue`, so a struct is never wrapped twice), booleans as ints 0/1, and
 * numbers as doubles for an artifact's metadata (`StructValueToMLMDValue`,
 * `2.17.0:backend/src/v2/metadata/converter.go:138-170`) or, for an execution, as ints when integral (KFP
 * writes an execution's numbers only as int ids and indexes). Nulls and lists have no such value: left out.
 */
export function mlmdProperties(json: JsonObject, numbers: 'double' | 'integral-int'): Properties {
  const out: Properties = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v === 'string') out[k] = stringValue(v);
    else if (typeof v === 'boolean') out[k] = intValue(v ? 1 : 0);
    else if (typeof v === 'number')
      out[k] = numbers === 'integral-int' && Number.isInteger(v) ? intValue(v) : doubleValue(v);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = structValue(v);
  }
  return out;
}
