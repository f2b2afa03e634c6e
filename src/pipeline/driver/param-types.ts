// The driver's check of resolved parameter values against the component's `inputDefinitions`
// (`backend/src/v2/driver/resolve.go` handleParamTypeValidationAndConversion). Both NUMBER_INTEGER and
// NUMBER_DOUBLE accept any JSON number (google.protobuf.Value has one number kind); a STRING input
// receiving another kind gets its text (`metadata.PbValueToText`); every other mismatch fails.
import type { IrParameterSpec, JsonValue } from '../ir.js';
import { pbValueToText } from './param-text.js';

/** `ParameterSpec.literals` (not in `ir.ts`): allowed values, compared with proto.Equal. */
export function literalsOf(spec: IrParameterSpec | undefined): JsonValue[] {
  const literals = (spec as { literals?: unknown } | undefined)?.literals;
  return Array.isArray(literals) ? (literals as JsonValue[]) : [];
}

/** `proto.Equal` on two google.protobuf.Values. */
export function valuesEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]!));
  }
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && valuesEqual(a[k]!, b[k]!));
}

export interface TypeCheckInput {
  definitions: Record<string, IrParameterSpec>;
  /** Resolved values; converted in place. */
  values: Record<string, JsonValue>;
  /** Optional inputs the DAG driver set to null because nothing was passed and there is no default. */
  setNilByDriver: ReadonlySet<string>;
  /** Names the iterator rules exempt (the loop item on the loop DAG, the items list on an iteration). */
  exempt: ReadonlySet<string>;
}

/** Returns the driver's error message, or undefined when every declared input fits. */
export function checkParameterTypes(input: TypeCheckInput): string | undefined {
  const { definitions, values, setNilByDriver, exempt } = input;
  for (const [name, spec] of Object.entries(definitions)) {
    if (exempt.has(name)) continue;
    const has = Object.prototype.hasOwnProperty.call(values, name);
    const type = spec.parameterType ?? 'PARAMETER_TYPE_ENUM_UNSPECIFIED';
    if (!has) {
      if (spec.isOptional === true) continue; // the launcher applies the default inside the component
      if (spec.defaultValue === undefined)
        return `neither value nor default value provided for non-optional parameter "${name}"`;
      // resolve.go then checks a nil value: a STRING input becomes "", any other type fails.
      if (type === 'STRING') {
        values[name] = '';
        continue;
      }
      return `parameter ${name} has unknown protobuf.Value type: <nil>`;
    }
    const value = values[name]!;
    if (type === 'STRING') {
      if (typeof value !== 'string' && !setNilByDriver.has(name)) values[name] = pbValueToText(value);
      continue;
    }
    const mismatch = (actual: string) => `input parameter "${name}" type mismatch: expect ${type}, got ${actual}`;
    if (value === null) {
      if (setNilByDriver.has(name)) continue;
      return `got null for input parameter "${name}"`;
    }
    if (typeof value === 'string') return mismatch('string');
    if (typeof value === 'number') {
      if (type !== 'NUMBER_DOUBLE' && type !== 'NUMBER_INTEGER') return mismatch('number');
    } else if (typeof value === 'boolean') {
      if (type !== 'BOOLEAN') return mismatch('bool');
    } else if (Array.isArray(value)) {
      if (type !== 'LIST') return mismatch('list');
    } else if (type !== 'STRUCT' && type !== 'TASK_FINAL_STATUS' && type !== 'TASK_CONFIG') {
      return mismatch('struct');
    }
  }
  return undefined;
}
