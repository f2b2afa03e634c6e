// CEL runtime values for the subset KFP uses, and their conversion from and to the JSON values that
// travel as `google.protobuf.Value` (a Value's number is a CEL double; a Struct is a map).
import type { JsonValue } from '../../ir.js';
import { NotEmulatedError } from '../errors.js';

export type CelValue =
  | { t: 'int'; v: bigint }
  | { t: 'double'; v: number }
  | { t: 'string'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'list'; v: CelValue[] }
  | { t: 'map'; v: Map<string, CelValue> }
  /** The condition environment's `inputs` (ExecutorInput.Inputs); only `parameter_values` is read. */
  | { t: 'inputs'; parameterValues: Map<string, CelValue> };

/** A CEL compile or evaluation error: KFP's driver fails the task with it (`expression/expression.go`). */
export class CelError extends Error {
  override readonly name = 'CelError';
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`CEL expression ${JSON.stringify(expression)}: ${detail}`);
  }
}

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

export function fromJson(value: JsonValue): CelValue {
  if (value === null) return { t: 'null' };
  switch (typeof value) {
    case 'number':
      return { t: 'double', v: value };
    case 'string':
      return { t: 'string', v: value };
    case 'boolean':
      return { t: 'bool', v: value };
    default:
      // Arrays and objects, below; JSON has no other kinds.
      break;
  }
  if (Array.isArray(value)) return { t: 'list', v: value.map(fromJson) };
  return { t: 'map', v: new Map(Object.entries(value).map(([k, v]) => [k, fromJson(v)])) };
}

/** `structpb.NewValue(result.Value())` in `Expr.Select`: ints become numbers. */
export function toJson(value: CelValue, expression: string): JsonValue {
  switch (value.t) {
    case 'int':
      return Number(value.v);
    case 'double':
      if (!Number.isFinite(value.v))
        throw new NotEmulatedError(`the non-finite number ${value.v} as a parameter value (${expression})`);
      return value.v;
    case 'string':
    case 'bool':
      return value.v;
    case 'null':
      return null;
    case 'list':
      return value.v.map((x) => toJson(x, expression));
    case 'map': {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of value.v) out[k] = toJson(v, expression);
      return out;
    }
    case 'inputs':
      throw new CelError(expression, 'the result is a message, not a value');
  }
}

export function typeName(value: CelValue): string {
  switch (value.t) {
    case 'inputs':
      return 'ml_pipelines.ExecutorInput.Inputs';
    case 'list':
      return 'list';
    case 'map':
      return 'map';
    default:
      return value.t === 'null' ? 'null_type' : value.t;
  }
}
