/**
 * The JSON mapping of protobuf messages as the KFP API server reads and writes it.
 *
 * Reading mirrors `protojson.Unmarshal` with `DiscardUnknown: false`
 * (`backend/src/apiserver/common/utils.go` `CustomMarshaler`): a field may be spelled with its proto
 * name or its lowerCamelCase JSON name, an unknown field is an error, `null` means unset, int64
 * values may be numbers or decimal strings, enums names or numbers, timestamps RFC 3339 strings.
 * Writing mirrors `UseProtoNames: true, EmitUnpopulated: false`: proto names, zero scalars and
 * empty lists/maps omitted, int64 as strings, timestamps in UTC with no fraction for whole seconds.
 */
import { invalidArgument } from './api-error.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface EnumSpec {
  readonly kind: 'enum';
  readonly values: Readonly<Record<string, number>>;
}
export interface MessageSpec {
  readonly kind: 'message';
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'timestamp' | 'struct' | 'value';
export interface FieldSpec {
  readonly type: ScalarType | EnumSpec | MessageSpec;
  readonly repeated?: boolean;
  /** A `map<string, type>` field. */
  readonly map?: boolean;
  readonly oneof?: string;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** protoc's JSON name: `created_at` → `createdAt`. */
export function jsonName(protoName: string): string {
  return protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fail(msg: string): never {
  throw invalidArgument(`proto: ${msg}`);
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 timestamp → whole seconds since the epoch (the API server stores seconds). */
export function parseTimestamp(s: string): number {
  const m = TIMESTAMP.exec(s);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (Number.isNaN(ms)) fail(`invalid google.protobuf.Timestamp value "${s}"`);
  return Math.floor(ms / 1000);
}

/** Seconds since the epoch → the JSON form protojson writes (`2024-05-01T10:00:00Z`). */
export function formatTimestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function decodeScalar(t: ScalarType | EnumSpec, v: JsonValue, field: string): JsonValue {
  if (typeof t === 'object') {
    if (typeof v === 'string' && v in t.values) return v;
    if (typeof v === 'number') {
      const name = Object.entries(t.values).find(([, n]) => n === v)?.[0];
      if (name !== undefined) return name;
    }
    return fail(`invalid value for enum field ${field}: ${JSON.stringify(v)}`);
  }
  switch (t) {
    case 'string':
      if (typeof v !== 'string') fail(`invalid value for string field ${field}: ${JSON.stringify(v)}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') fail(`invalid value for bool field ${field}: ${JSON.stringify(v)}`);
      return v;
    case 'int32':
    case 'int64': {
      const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n))
        fail(`invalid value for ${t} field ${field}: ${JSON.stringify(v)}`);
      if (t === 'int32' && (n < -2147483648 || n > 2147483647))
        fail(`invalid value for int32 field ${field}: ${JSON.stringify(v)}`);
      // The string as sent keeps every digit of an int64 beyond 2^53.
      return t === 'int64' ? (typeof v === 'string' ? v : String(n)) : n;
    }
    case 'timestamp':
      if (typeof v !== 'string') fail(`invalid value for google.protobuf.Timestamp field ${field}`);
      return parseTimestamp(v);
    case 'struct':
      if (!isJsonObject(v)) fail(`invalid value for google.protobuf.Struct field ${field}`);
      return v;
    case 'value':
      return v;
  }
}

function decodeSingle(spec: FieldSpec, v: JsonValue, field: string): JsonValue {
  if (typeof spec.type === 'object' && spec.type.kind === 'message') return decodeMessage(spec.type, v);
  return decodeScalar(spec.type, v, field);
}

/**
 * Decodes a JSON value as the given message. The result uses proto field names only; timestamps
 * become epoch seconds, int64 decimal strings, enums their names.
 */
export function decodeMessage(spec: MessageSpec, input: unknown): JsonObject {
  if (!isJsonObject(input)) fail(`invalid value for message ${spec.name}: expected a JSON object`);
  const out: JsonObject = {};
  const seenOneof = new Map<string, string>();
  for (const [key, raw] of Object.entries(input)) {
    const protoName = key in spec.fields ? key : Object.keys(spec.fields).find((f) => jsonName(f) === key);
    const field = protoName === undefined ? undefined : spec.fields[protoName];
    if (protoName === undefined || field === undefined) fail(`unknown field "${key}"`);
    if (protoName in out) fail(`duplicate field "${key}"`);
    if (raw === null && (field.repeated || field.map || field.type !== 'value')) continue;
    if (field.oneof !== undefined) {
      const other = seenOneof.get(field.oneof);
      if (other !== undefined) fail(`error parsing "${key}", oneof ${spec.name}.${field.oneof} is already set`);
      seenOneof.set(field.oneof, protoName);
    }
    if (field.repeated) {
      if (!Array.isArray(raw)) fail(`invalid value for repeated field ${protoName}: expected an array`);
      out[protoName] = raw.map((item) => decodeSingle(field, item, protoName));
    } else if (field.map) {
      if (!isJsonObject(raw)) fail(`invalid value for map field ${protoName}: expected an object`);
      const m: JsonObject = {};
      for (const [k, item] of Object.entries(raw)) m[k] = decodeSingle(field, item, protoName);
      out[protoName] = m;
    } else {
      out[protoName] = decodeSingle(field, raw, protoName);
    }
  }
  return out;
}

/** Reads a decoded string field ('' when unset, as proto3 getters do). */
export function str(m: JsonObject | undefined, field: string): string {
  const v = m?.[field];
  return typeof v === 'string' ? v : '';
}

/** Reads a decoded number field (timestamps, int32). */
export function num(m: JsonObject | undefined, field: string): number | undefined {
  const v = m?.[field];
  return typeof v === 'number' ? v : undefined;
}

export function obj(m: JsonObject | undefined, field: string): JsonObject | undefined {
  const v = m?.[field];
  return isJsonObject(v) ? v : undefined;
}

/**
 * Builds a message for output: drops unset (undefined), zero scalars, empty strings and empty
 * lists, as `EmitUnpopulated: false` does. Objects passed in are kept (a set message is emitted
 * even when empty); callers pass `undefined` for an empty map.
 */
export function emit(fields: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === '' || v === 0 || v === false || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** A map field for output: undefined when empty. */
export function emitMap<T extends JsonValue>(m: Record<string, T> | undefined): Record<string, T> | undefined {
  return m && Object.keys(m).length > 0 ? m : undefined;
}
