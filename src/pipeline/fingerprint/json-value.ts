// A JSON value as it travels through KFP's cache key: google.protobuf.Value / Struct contents
// (`api/v2alpha1/cache_key.proto` field `input_parameter_values`, RuntimeArtifact `metadata`).
// Structurally identical to `JsonValue` in `src/pipeline/ir.ts`, so values read from the IR can be
// passed straight in.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
