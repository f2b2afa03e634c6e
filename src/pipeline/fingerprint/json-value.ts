// A JSON value as it travels through KFP's cache key: google.protobuf.Value / Struct contents
// (`api/v2alpha1/cache_key.proto` field `input_parameter_values`, RuntimeArtifact `metadata`).
// The same type as the IR's (`src/pipeline/ir.ts`), so values read from the IR pass straight in.

export type { JsonObject, JsonPrimitive, JsonValue } from '../ir.js';
