// A package read as KFP's API server reads it: YAML → JSON → protojson.Unmarshal into PipelineSpec
// (2.17.0:backend/src/apiserver/template/v2_template.go:221-226) and PlatformSpec (:250-254).
// Everything downstream (the driver, the cache key) sees the message protojson built, so the product
// must see the same values before it hashes or walks anything:
// - JSON null for a field is "unset", unless the field is a google.protobuf.Value (then it is a
//   NullValue); this holds for messages, scalars, enums, Structs, lists and maps alike
//   (google.golang.org/protobuf encoding/protojson decode.go: "No need to set values for JSON null
//   unless the field type is google.protobuf.Value or google.protobuf.NullValue"). Nulls *inside* a
//   Struct or Value (parameter defaults, constants, artifact metadata) are real values and stay.
// - an enum may be given by number: `parameterType: 3` is STRING, and the driver's cache key says
//   "STRING" (`GetParameterType().String()`, 2.17.0:backend/src/v2/cacheutils/cache.go:86).
// - a field may be given by its proto name (`parameter_type`) as well as its JSON name.
// Numbers outside an enum and values of the wrong JSON type are left as they are.
import { MESSAGES, jsonNameOf, type ProtoField, type ProtoType } from './proto-schema.js';

export interface ProtojsonProblem {
  /** Path of the offending field (JSON names, then the key as written). */
  path: (string | number)[];
  message: string;
}

export interface ProtojsonRead<T> {
  value: T;
  problems: ProtojsonProblem[];
}

interface FieldIndex {
  byJsonName: Map<string, { jsonName: string; field: ProtoField }>;
  byProtoName: Map<string, { jsonName: string; field: ProtoField }>;
}

const indexes = new Map<string, FieldIndex>();

function indexOf(messageName: string): FieldIndex {
  let idx = indexes.get(messageName);
  if (idx) return idx;
  const fields = MESSAGES[messageName];
  if (!fields) throw new Error(`proto-schema has no message ${messageName}`);
  idx = { byJsonName: new Map(), byProtoName: new Map() };
  for (const [protoName, field] of Object.entries(fields)) {
    const entry = { jsonName: jsonNameOf(protoName), field };
    idx.byJsonName.set(entry.jsonName, entry);
    idx.byProtoName.set(protoName, entry);
  }
  indexes.set(messageName, idx);
  return idx;
}

/** The JSON form of a PipelineSpec document as protojson would read it. */
export function readPipelineSpecJson(doc: Record<string, unknown>): ProtojsonRead<Record<string, unknown>> {
  return readRoot(doc, 'PipelineSpec');
}

/** The JSON form of a PlatformSpec document as protojson would read it. */
export function readPlatformSpecJson(doc: Record<string, unknown>): ProtojsonRead<Record<string, unknown>> {
  return readRoot(doc, 'PlatformSpec');
}

function readRoot(doc: Record<string, unknown>, messageName: string): ProtojsonRead<Record<string, unknown>> {
  const problems: ProtojsonProblem[] = [];
  return { value: readMessage(doc, messageName, [], problems), problems };
}

function readMessage(obj: Record<string, unknown>, messageName: string, path: (string | number)[], problems: ProtojsonProblem[]): Record<string, unknown> {
  const idx = indexOf(messageName);
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [key, raw] of Object.entries(obj)) {
    const entry = idx.byJsonName.get(key) ?? idx.byProtoName.get(key);
    if (!entry) {
      out[key] = raw; // not a field the product reads the proto shape of: untouched
      continue;
    }
    const earlier = seen.get(entry.jsonName);
    if (earlier !== undefined) {
      // protojson refuses a field given twice, under either name (decode.go "duplicate field").
      problems.push({ path: [...path, key], message: `field "${entry.jsonName}" is given twice (as "${earlier}" and "${key}"); KFP refuses the package (protojson: duplicate field)` });
      continue;
    }
    seen.set(entry.jsonName, key);
    if (raw === null && !(entry.field.type.kind === 'value' && entry.field.cardinality === undefined)) continue; // null: unset
    out[entry.jsonName] = readField(raw, entry.field, [...path, entry.jsonName], problems);
  }
  return out;
}

function readField(raw: unknown, field: ProtoField, path: (string | number)[], problems: ProtojsonProblem[]): unknown {
  if (field.cardinality === 'repeated') {
    return Array.isArray(raw) ? raw.map((item, i) => readSingle(item, field.type, [...path, i], problems)) : raw;
  }
  if (field.cardinality === 'map') {
    if (!isPlainObject(raw)) return raw;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = readSingle(v, field.type, [...path, k], problems);
    return out;
  }
  return readSingle(raw, field.type, path, problems);
}

function readSingle(raw: unknown, type: ProtoType, path: (string | number)[], problems: ProtojsonProblem[]): unknown {
  switch (type.kind) {
    case 'message':
      return isPlainObject(raw) ? readMessage(raw, type.name, path, problems) : raw;
    case 'enum':
      // protojson takes a JSON number for an enum; known numbers print as their names.
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < type.values.length ? type.values[raw] : raw;
    case 'int32':
      // protojson also takes an integer in a JSON string for int32 fields.
      return typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    default:
      return raw;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
