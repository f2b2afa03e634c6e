// The two uses KFP makes of CEL (`backend/src/v2/expression/expression.go`):
// - `Condition`: `triggerPolicy.condition` over the task's resolved executor input, whose fields are
//   the variables (`inputs.parameter_values['k']`); the result must be a bool.
// - `Select`: `parameterExpressionSelector` over one google.protobuf.Value, whose set field is a
//   variable (`number_value`, `struct_value`, …) and whose JSON text is always `string_value`.
import type { JsonValue } from '../../ir.js';
import { pbValueToText } from '../param-text.js';
import { checkCel, type CelEnvKind } from './check.js';
import { evaluateCel } from './evaluate.js';
import { parseCel, type CelExpr } from './parse.js';
import { CelError, fromJson, toJson, type CelValue } from './values.js';

export { CelError } from './values.js';
export { NotEmulatedError } from '../errors.js';

const compiled = new Map<string, CelExpr>();

/** Parse and type-check once per environment; errors are thrown on every use, like cel-go's Compile. */
function compile(src: string, env: CelEnvKind): CelExpr {
  const key = `${env}\u0000${src}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const expr = parseCel(src);
  checkCel(expr, env, src);
  compiled.set(key, expr);
  return expr;
}

/** Whether the task should run. Throws CelError (the task fails) or NotEmulatedError. */
export function evaluateCondition(condition: string, parameterValues: Record<string, JsonValue>): boolean {
  const expr = compile(condition, 'condition');
  const params = new Map(Object.entries(parameterValues).map(([k, v]) => [k, fromJson(v)]));
  const result = evaluateCel(
    expr,
    new Map<string, CelValue>([['inputs', { t: 'inputs', parameterValues: params }]]),
    condition,
  );
  if (result.t !== 'bool') throw new CelError(condition, `evaluation error: return type is not bool, got ${result.t}`);
  return result.v;
}

/** `Expr.Select(value, selector)`. Throws CelError (the task fails) or NotEmulatedError. */
export function selectParameter(value: JsonValue, selector: string): JsonValue {
  const expr = compile(selector, 'select');
  const bindings = new Map<string, CelValue>();
  // msgToCELMap(v, skipUnsetFields=true): only the set member of the Value oneof is bound.
  if (typeof value === 'number') bindings.set('number_value', fromJson(value));
  else if (typeof value === 'boolean') bindings.set('bool_value', fromJson(value));
  else if (Array.isArray(value)) bindings.set('list_value', fromJson(value));
  else if (value !== null && typeof value === 'object') bindings.set('struct_value', fromJson(value));
  bindings.set('string_value', { t: 'string', v: pbValueToText(value) });
  return toJson(evaluateCel(expr, bindings, selector), selector);
}
