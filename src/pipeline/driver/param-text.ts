// How the KFP driver turns a parameter value into text: `metadata.PbValueToText`
// (`backend/src/v2/metadata/converter.go`). Used when a STRING input receives a non-string value
// (resolve.go handleParamTypeValidationAndConversion) and as CEL's `string_value`.
import { goJsonStringify } from '../fingerprint/index.js';
import type { JsonValue } from '../ir.js';
import { goFormatFloatF } from './go-format.js';

/**
 * null → "", strings as they are, numbers as `strconv.FormatFloat(v, 'f', -1, 64)`, bools as
 * "true"/"false", lists and structs as `json.Marshal` of the protobuf message: protojson output
 * (map keys sorted) compacted and HTML-escaped by encoding/json, i.e. Go's encoding/json text.
 */
export function pbValueToText(value: JsonValue): string {
  if (value === null) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return goFormatFloatF(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return goJsonStringify(value);
  }
}
