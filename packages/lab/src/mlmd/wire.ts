// Shapes of decoded MLMD messages as @grpc/proto-loader hands them to the lab (camelCase, int64 as
// number, enums as names, absent = unset). Only what the lab reads or writes is spelled out.

// protobufjs defines google.protobuf.Any with a snake_case `type_url` whatever keepCase says.
export interface WireAny {
  type_url?: string;
  value?: Uint8Array;
}

/** google.protobuf.Struct in proto-loader's object form; stored and returned verbatim. */
export type WireStruct = Record<string, unknown>;

export interface WireValue {
  intValue?: number;
  doubleValue?: number;
  stringValue?: string;
  structValue?: WireStruct;
  protoValue?: WireAny;
  boolValue?: boolean;
}

export type WireEnum = string | number;

export interface WireNode {
  id?: number;
  typeId?: number;
  type?: string;
  name?: string;
  externalId?: string;
  uri?: string;
  state?: WireEnum;
  lastKnownState?: WireEnum;
  properties?: Record<string, WireValue>;
  customProperties?: Record<string, WireValue>;
  createTimeSinceEpoch?: number;
  lastUpdateTimeSinceEpoch?: number;
}

export interface WireType {
  id?: number;
  name?: string;
  version?: string;
  description?: string;
  externalId?: string;
  properties?: Record<string, WireEnum>;
  baseType?: WireEnum;
  inputType?: unknown;
  outputType?: unknown;
}

export interface WireEventStep {
  index?: number;
  key?: string;
}

export interface WireEvent {
  artifactId?: number;
  executionId?: number;
  path?: { steps?: WireEventStep[] };
  type?: WireEnum;
  millisecondsSinceEpoch?: number;
}

export interface WireListOptions {
  maxResultSize?: number;
  orderByField?: { field?: WireEnum; isAsc?: boolean };
  nextPageToken?: string;
  filterQuery?: string;
}

export interface WireFieldMask {
  paths?: string[];
}
