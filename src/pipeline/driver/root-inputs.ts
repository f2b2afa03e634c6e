// The root DAG's input parameters. KFP's API server refuses a run whose parameters do not fit the
// root `inputDefinitions` (`backend/src/apiserver/template/v2_template.go` validatePipelineJobInputs:
// required parameters, value kind per type, literal constraints, no unknown names); the Argo compiler
// then fills defaults, and null for optional parameters without one
// (`backend/src/v2/compiler/argocompiler/argo.go`). The root driver stores the result as the root DAG
// execution's inputs (`backend/src/v2/driver/root_dag.go`).
import type { IrParameterSpec, JsonValue } from '../ir.js';
import { literalsOf, valuesEqual } from './param-types.js';

export type RootInputs = { ok: true; parameters: Record<string, JsonValue> } | { ok: false; error: string };

function kindOf(value: JsonValue): 'null' | 'number' | 'string' | 'bool' | 'list' | 'struct' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return 'struct';
  }
}

const EXPECTED_KIND: Record<string, string> = {
  NUMBER_DOUBLE: 'number',
  NUMBER_INTEGER: 'number',
  STRING: 'string',
  BOOLEAN: 'bool',
  LIST: 'list',
  STRUCT: 'struct',
};

export function rootInputParameters(
  definitions: Record<string, IrParameterSpec> | undefined,
  given: Record<string, JsonValue>,
): RootInputs {
  const defs = definitions ?? {};
  const extra = Object.keys(given).filter((name) => !(name in defs));
  if (extra.length > 0)
    return { ok: false, error: `parameter(s) provided are not required by pipeline: ${extra.join(', ')}` };
  const parameters: Record<string, JsonValue> = {};
  for (const [name, spec] of Object.entries(defs)) {
    if (name in given) {
      const value = given[name]!;
      const type = spec.parameterType ?? 'PARAMETER_TYPE_ENUM_UNSPECIFIED';
      if (type === 'TASK_FINAL_STATUS') {
        return {
          ok: false,
          error: `input parameter ${name} requires type TASK_FINAL_STATUS, which is invalid for root component`,
        };
      }
      const expected = EXPECTED_KIND[type];
      if (!expected) return { ok: false, error: `input parameter ${name} has unspecified or unknown type ${type}` };
      if (kindOf(value) !== expected) {
        return {
          ok: false,
          error: `input parameter ${name} requires type ${type}, but the value is a ${kindOf(value)}`,
        };
      }
      const literals = literalsOf(spec);
      if (literals.length > 0 && !literals.some((l) => valuesEqual(l, value))) {
        return {
          ok: false,
          error:
            `input parameter "${name}" value ${JSON.stringify(value)} ` +
            `does not match any of the allowed literal values: ${JSON.stringify(literals)}`,
        };
      }
      parameters[name] = value;
    } else if (spec.defaultValue !== undefined) {
      // A `defaultValue` that is present, even null, is a set google.protobuf.Value.
      parameters[name] = spec.defaultValue;
    } else if (spec.isOptional === true) {
      parameters[name] = null;
    } else {
      return {
        ok: false,
        error: `parameter ${name} is not optional, yet has neither default value nor user provided value`,
      };
    }
  }
  return { ok: true, parameters };
}
