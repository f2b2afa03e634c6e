// MLMD messages as the client exchanges them: field names in camelCase (proto-loader keepCase
// false), int64 as `number` (exact up to 2^53 — MLMD ids and millisecond times stay far below),
// enums by name, and an absent field meaning "unset" (proto2 presence is preserved both ways).
// Field meanings: ml_metadata/proto/metadata_store.proto of google/ml-metadata v1.14.0.

export type ArtifactState =
  'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED' | 'REFERENCE';

export type ExecutionState = 'UNKNOWN' | 'NEW' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELED';

export type EventType =
  | 'UNKNOWN'
  | 'DECLARED_OUTPUT'
  | 'DECLARED_INPUT'
  | 'INPUT'
  | 'OUTPUT'
  | 'INTERNAL_INPUT'
  | 'INTERNAL_OUTPUT'
  | 'PENDING_OUTPUT';

export type PropertyType = 'UNKNOWN' | 'INT' | 'DOUBLE' | 'STRING' | 'STRUCT' | 'PROTO' | 'BOOLEAN';

/** google.protobuf.Value (inside a Struct). Exactly one member is set. */
export interface StructFieldValue {
  nullValue?: 'NULL_VALUE';
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: StructFieldValue[] };
}

/** google.protobuf.Struct. Use `toStruct` / `fromStruct` (values.ts) to convert from/to JSON. */
export interface ProtoStruct {
  fields?: Record<string, StructFieldValue>;
}

/** google.protobuf.Any. protobufjs names its type URL field `type_url` (snake_case) regardless of keepCase. */
export interface ProtoAny {
  type_url?: string;
  value?: Uint8Array;
}

/** ml_metadata.Value: exactly one member is set. */
export interface MlmdValue {
  intValue?: number;
  doubleValue?: number;
  stringValue?: string;
  structValue?: ProtoStruct;
  protoValue?: ProtoAny;
  boolValue?: boolean;
}

export type Properties = Record<string, MlmdValue>;

interface NodeFields {
  id?: number;
  typeId?: number;
  /** Output only: the type's name, filled on reads. */
  type?: string;
  name?: string;
  externalId?: string;
  properties?: Properties;
  customProperties?: Properties;
  /** Output only, milliseconds since the epoch. */
  createTimeSinceEpoch?: number;
  lastUpdateTimeSinceEpoch?: number;
}

export interface Artifact extends NodeFields {
  uri?: string;
  state?: ArtifactState;
}

export interface Execution extends NodeFields {
  lastKnownState?: ExecutionState;
}

export type Context = NodeFields;

interface TypeFields {
  id?: number;
  name?: string;
  version?: string;
  description?: string;
  externalId?: string;
  properties?: Record<string, PropertyType>;
  /** SystemDefinedBaseType name (e.g. 'DATASET', 'TRAIN'). */
  baseType?: string;
}

export type ArtifactType = TypeFields;

export interface ExecutionType extends TypeFields {
  /** ArtifactStructType, passed through unchanged. */
  inputType?: unknown;
  outputType?: unknown;
}

export type ContextType = TypeFields;

export interface EventStep {
  index?: number;
  key?: string;
}

export interface Event {
  artifactId?: number;
  executionId?: number;
  path?: { steps?: EventStep[] };
  type?: EventType;
  millisecondsSinceEpoch?: number;
}

export interface Attribution {
  artifactId: number;
  contextId: number;
}

export interface Association {
  executionId: number;
  contextId: number;
}

export interface ParentContext {
  childId: number;
  parentId: number;
}

export interface ListOptions {
  /** Page size; the client sends at most 100 (see MlmdClient) and defaults to 100. */
  maxResultSize?: number;
  orderBy?: { field: 'CREATE_TIME' | 'LAST_UPDATE_TIME' | 'ID'; isAsc?: boolean };
  nextPageToken?: string;
  /** MLMD filter syntax, e.g. `custom_properties.cache_fingerprint.string_value = 'abc'`. */
  filterQuery?: string;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

export interface TypeFieldChecks {
  canAddFields?: boolean;
  canOmitFields?: boolean;
}

export interface PutExecutionRequest {
  execution: Execution;
  artifactEventPairs?: { artifact?: Artifact; event?: Event }[];
  contexts?: Context[];
  options?: { reuseContextIfAlreadyExist?: boolean; reuseArtifactIfAlreadyExistByExternalId?: boolean };
}

export interface PutExecutionResult {
  executionId: number;
  /** Index-aligned with artifactEventPairs. */
  artifactIds: number[];
  /** Index-aligned with contexts. */
  contextIds: number[];
}
