// Evaluation of a checked expression with cel-go's runtime semantics (cel-spec `doc/langdef.md`):
// heterogeneous equality (different types are unequal, ints and doubles compare by value), `&&` and
// `||` absorb an error when the other side decides the result, conversions as in cel-go
// `common/types/{int,double,string}.go`, and `parseJson` as KFP registers it
// (`backend/src/v2/expression/expression.go` celParseJson: Go `json.Unmarshal` into interface{}).
import { compareUtf8 } from '../../fingerprint/index.js';
import { goFormatG, goParseFloat64, goParseInt64 } from '../go-format.js';
import type { CelExpr, RelOp } from './parse.js';
import { CelError, fromJson, INT64_MIN, typeName, type CelValue } from './values.js';

export type CelBindings = Map<string, CelValue>;

export function evaluateCel(expr: CelExpr, bindings: CelBindings, src: string): CelValue {
  const fail = (detail: string): never => {
    throw new CelError(src, detail);
  };
  const noOverload = (fn: string, ...args: CelValue[]): never =>
    fail(`no such overload: ${fn}(${args.map(typeName).join(', ')})`);

  const asBool = (v: CelValue, fn: string): boolean => (v.t === 'bool' ? v.v : noOverload(fn, v));

  const logical = (e: Extract<CelExpr, { k: 'and' | 'or' }>): CelValue => {
    // The side that decides the result wins over an error on the other side.
    const decisive = e.k === 'or';
    let firstError: CelError | undefined;
    for (const side of [e.left, e.right]) {
      try {
        if (asBool(evalExpr(side), e.k === 'and' ? '_&&_' : '_||_') === decisive) return { t: 'bool', v: decisive };
      } catch (err) {
        if (!(err instanceof CelError)) throw err;
        firstError ??= err;
      }
    }
    if (firstError) throw firstError;
    return { t: 'bool', v: !decisive };
  };

  const evalExpr = (e: CelExpr): CelValue => {
    switch (e.k) {
      case 'lit':
        return e.value;
      case 'ident': {
        const v = bindings.get(e.name);
        return v ?? fail(`no such attribute: ${e.name}`);
      }
      case 'select': {
        const operand = evalExpr(e.operand);
        if (operand.t === 'inputs') return { t: 'map', v: operand.parameterValues };
        if (operand.t === 'map') return operand.v.get(e.field) ?? fail(`no such key: ${e.field}`);
        return fail(`type '${typeName(operand)}' does not support field selection`);
      }
      case 'index':
        return index(evalExpr(e.operand), evalExpr(e.index));
      case 'call':
        return convert(e.fn, evalExpr(e.arg));
      case 'not':
        return { t: 'bool', v: !asBool(evalExpr(e.operand), '!_') };
      case 'neg': {
        const v = evalExpr(e.operand);
        if (v.t === 'double') return { t: 'double', v: -v.v };
        if (v.t === 'int') return v.v === INT64_MIN ? fail('integer overflow') : { t: 'int', v: -v.v };
        return noOverload('-_', v);
      }
      case 'and':
      case 'or':
        return logical(e);
      case 'rel':
        return { t: 'bool', v: relation(e.op, evalExpr(e.left), evalExpr(e.right), noOverload) };
    }
  };

  const index = (operand: CelValue, key: CelValue): CelValue => {
    if (operand.t === 'map') {
      if (key.t !== 'string') return fail(`no such key: ${describe(key)}`);
      return operand.v.get(key.v) ?? fail(`no such key: ${key.v}`);
    }
    if (operand.t === 'list') {
      let i: bigint;
      if (key.t === 'int') i = key.v;
      else if (key.t === 'double' && Number.isInteger(key.v)) i = BigInt(key.v);
      else return noOverload('_[_]', operand, key);
      if (i < 0n || i >= BigInt(operand.v.length)) return fail(`index out of bounds: ${i}`);
      return operand.v[Number(i)]!;
    }
    return noOverload('_[_]', operand, key);
  };

  const convert = (fn: 'int' | 'double' | 'string' | 'parseJson', v: CelValue): CelValue => {
    switch (fn) {
      case 'int':
        if (v.t === 'int') return v;
        if (v.t === 'double') {
          // doubleToInt64Checked: truncation, with NaN, infinities and |v| >= 2^63 refused.
          if (!Number.isFinite(v.v) || v.v <= -(2 ** 63) || v.v >= 2 ** 63) return fail('integer overflow');
          return { t: 'int', v: BigInt(Math.trunc(v.v)) };
        }
        if (v.t === 'string') {
          const n = goParseInt64(v.v);
          return n === undefined ? fail(`cannot convert ${JSON.stringify(v.v)} to int`) : { t: 'int', v: n };
        }
        return noOverload('int', v);
      case 'double':
        if (v.t === 'double') return v;
        if (v.t === 'int') return { t: 'double', v: Number(v.v) };
        if (v.t === 'string') {
          const n = goParseFloat64(v.v);
          return n === undefined ? fail(`cannot convert ${JSON.stringify(v.v)} to double`) : { t: 'double', v: n };
        }
        return noOverload('double', v);
      case 'string':
        if (v.t === 'string') return v;
        if (v.t === 'int') return { t: 'string', v: v.v.toString() };
        if (v.t === 'double') return { t: 'string', v: goFormatG(v.v) };
        if (v.t === 'bool') return { t: 'string', v: v.v ? 'true' : 'false' };
        return noOverload('string', v);
      case 'parseJson': {
        if (v.t !== 'string') return noOverload('parseJson', v);
        let parsed: unknown;
        try {
          parsed = JSON.parse(v.v, (_k, x: unknown) => {
            // Go's json.Unmarshal refuses numbers beyond float64 where JavaScript yields Infinity.
            if (typeof x === 'number' && !Number.isFinite(x)) throw new Error('number out of range');
            return x;
          });
        } catch (err) {
          return fail(`failed to unmarshal JSON: ${(err as Error).message}`);
        }
        return fromJson(parsed as Parameters<typeof fromJson>[0]);
      }
    }
  };

  return evalExpr(expr);
}

function describe(v: CelValue): string {
  if (v.t === 'int' || v.t === 'double' || v.t === 'bool') return String(v.v);
  return typeName(v);
}

/** cel-go `Equal`: numbers across int/double by value, other types only with their own kind. */
export function celEquals(a: CelValue, b: CelValue): boolean {
  if ((a.t === 'int' || a.t === 'double') && (b.t === 'int' || b.t === 'double')) return compareNumbers(a, b) === 0;
  switch (a.t) {
    case 'string':
    case 'bool':
      return b.t === a.t && b.v === a.v;
    case 'null':
      return b.t === 'null';
    case 'list':
      return b.t === 'list' && a.v.length === b.v.length && a.v.every((x, i) => celEquals(x, b.v[i]!));
    case 'map':
      return (
        b.t === 'map' && a.v.size === b.v.size && [...a.v].every(([k, x]) => b.v.has(k) && celEquals(x, b.v.get(k)!))
      );
    default:
      return false;
  }
}

/** -1, 0, 1, or NaN when a NaN takes part (every ordering is then false). */
function compareNumbers(
  a: Extract<CelValue, { t: 'int' | 'double' }>,
  b: Extract<CelValue, { t: 'int' | 'double' }>,
): number {
  if (a.t === 'int' && b.t === 'int') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  if (a.t === 'double' && b.t === 'double')
    return Number.isNaN(a.v) || Number.isNaN(b.v) ? NaN : Math.sign(a.v - b.v) || 0;
  if (a.t === 'double') return -compareNumbers(b, a);
  // int against double, exactly (cel-go compareIntDouble).
  const i = (a as { v: bigint }).v;
  const d = (b as { v: number }).v;
  if (Number.isNaN(d)) return NaN;
  if (d === Infinity || d >= 2 ** 63) return -1;
  if (d === -Infinity || d < -(2 ** 63)) return 1;
  const floor = BigInt(Math.floor(d));
  if (i < floor) return -1;
  if (i > floor) return 1;
  return Number.isInteger(d) ? 0 : -1;
}

function relation(
  op: RelOp,
  a: CelValue,
  b: CelValue,
  noOverload: (fn: string, ...args: CelValue[]) => never,
): boolean {
  if (op === '==') return celEquals(a, b);
  if (op === '!=') return !celEquals(a, b);
  let c: number;
  if ((a.t === 'int' || a.t === 'double') && (b.t === 'int' || b.t === 'double')) c = compareNumbers(a, b);
  else if (a.t === 'string' && b.t === 'string')
    c = compareUtf8(a.v, b.v); // Go compares strings bytewise
  else if (a.t === 'bool' && b.t === 'bool') c = Number(a.v) - Number(b.v);
  else return noOverload(`_${op}_`, a, b);
  if (Number.isNaN(c)) return false;
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}
