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
// - a key protojson does not know is refused (`unknown field`), and some keys are known only to some
//   releases: such keys are not problems here (the package may be meant for a KFP that knows them) but
//   `kfpFields`, which kfp-package-check.ts holds against each location's version.
import { MESSAGES, jsonNameOf, type KfpRange, type ProtoField, type ProtoType } from './proto-schema.js';

export interface ProtojsonProblem {
  /** Path of the offending field (JSON names, then the key as written). */
  path: (string | number)[];
  message: string;
}

/** A key that only some KFP releases' API servers accept, or none from 2.14 through 2.17. */
export interface KfpFieldUse {
  /** Where it is written (JSON names, then the key as written). */
  path: (string | number)[];
  /** The field or enum value as written. */
  name: string;
  kind: 'field' | 'enum value';
  /** The proto message (or enum) it was read against. */
  of: string;
  /** The releases that know it; absent when none of 2.14.0–2.17.0 does. */
  kfp?: KfpRange;
}

export interface ProtojsonRead<T> {
  value: T;
  problems: ProtojsonProblem[];
  kfpFields: KfpFieldUse[];
}

interface ReadState {
  problems: ProtojsonProblem[];
  kfpFields: KfpFieldUse[];
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
  const state: ReadState = { problems: [], kfpFields: [] };
  return { value: readMessage(doc, messageName, [], state, false), ...state };
}

/** `opaque`: below a google.protobuf.Struct, where protojson checks no key (see proto-schema.ts). */
function readMessage(
  obj: Record<string, unknown>,
  messageName: string,
  path: (string | number)[],
  state: ReadState,
  opaque: boolean,
): Record<string, unknown> {
  const idx = indexOf(messageName);
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [key, raw] of Object.entries(obj)) {
    const entry = idx.byJsonName.get(key) ?? idx.byProtoName.get(key);
    if (!entry) {
      // decode.go: "unknown field" unless DiscardUnknown, which the API server leaves false.
      if (!opaque) state.kfpFields.push({ path: [...path, key], name: key, kind: 'field', of: messageName });
      out[key] = raw;
      continue;
    }
    const earlier = seen.get(entry.jsonName);
    if (earlier !== undefined) {
      // protojson refuses a field given twice, under either name (decode.go "duplicate field").
      state.problems.push({
        path: [...path, key],
        message: `field "${entry.jsonName}" is given twice (as "${earlier}" and "${key}"); KFP refuses the package (protojson: duplicate field)`,
      });
      continue;
    }
    seen.set(entry.jsonName, key);
    if (entry.field.kfp && !opaque)
      state.kfpFields.push({ path: [...path, key], name: key, kind: 'field', of: messageName, kfp: entry.field.kfp });
    if (raw === null && !(entry.field.type.kind === 'value' && entry.field.cardinality === undefined)) continue; // null: unset
    out[entry.jsonName] = readField(
      raw,
      entry.field,
      [...path, entry.jsonName],
      state,
      opaque || entry.field.opaque === true,
    );
  }
  return out;
}

function readField(
  raw: unknown,
  field: ProtoField,
  path: (string | number)[],
  state: ReadState,
  opaque: boolean,
): unknown {
  if (field.cardinality === 'repeated') {
    return Array.isArray(raw) ? raw.map((item, i) => readSingle(item, field.type, [...path, i], state, opaque)) : raw;
  }
  if (field.cardinality === 'map') {
    if (!isPlainObject(raw)) return raw;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = readSingle(v, field.type, [...path, k], state, opaque);
    return out;
  }
  return readSingle(raw, field.type, path, state, opaque);
}

function readSingle(
  raw: unknown,
  type: ProtoType,
  path: (string | number)[],
  state: ReadState,
  opaque: boolean,
): unknown {
  switch (type.kind) {
    case 'message':
      return isPlainObject(raw) ? readMessage(raw, type.name, path, state, opaque) : raw;
    case 'enum':
      if (typeof raw === 'string' && !opaque) {
        // decode.go refuses a name the enum does not have ("invalid value for enum field").
        const known = type.values.includes(raw);
        const kfp = type.kfp?.[raw];
        if (!known || kfp)
          state.kfpFields.push({ path, name: raw, kind: 'enum value', of: type.name, ...(kfp ? { kfp } : {}) });
      }
      // protojson takes a JSON number for an enum; known numbers print as their names.
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < type.values.length
        ? type.values[raw]
        : raw;
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
