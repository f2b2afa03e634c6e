// The part of cel-go's type checker that the subset can trip: KFP compiles each expression in a
// declared environment (`backend/src/v2/expression/expression.go`: the condition environment has the
// fields of ExecutorInput, the selector environment those of google.protobuf.Value) and a checker
// error fails the task. Operands read from parameters are `dyn`, so only literals and conversions
// carry static types; two different static types on one operator have no overload (KFP does not
// enable cel-go's CrossTypeNumericComparisons).
import { NotEmulatedError } from '../errors.js';
import type { CelExpr } from './parse.js';
import { CelError } from './values.js';

export type CelEnvKind = 'condition' | 'select';

type StaticType =
  'int' | 'double' | 'string' | 'bool' | 'null' | 'list' | 'map' | 'dyn' | 'inputs' | 'parameter_values';

const CONVERSIONS: Record<'int' | 'double' | 'string' | 'parseJson', { accepts: StaticType[]; result: StaticType }> = {
  int: { accepts: ['int', 'double', 'string', 'dyn'], result: 'int' },
  double: { accepts: ['int', 'double', 'string', 'dyn'], result: 'double' },
  string: { accepts: ['int', 'double', 'string', 'bool', 'dyn'], result: 'string' },
  parseJson: { accepts: ['string', 'dyn'], result: 'dyn' },
};

const SELECT_ENV: Record<string, StaticType> = {
  string_value: 'string',
  number_value: 'double',
  bool_value: 'bool',
  struct_value: 'map',
  list_value: 'list',
};

export function checkCel(expr: CelExpr, env: CelEnvKind, src: string): void {
  const fail = (detail: string): never => {
    throw new CelError(src, detail);
  };
  const noOverload = (fn: string, types: StaticType[]): never =>
    fail(`found no matching overload for '${fn}' applied to '(${types.join(', ')})'`);

  const typeOf = (e: CelExpr): StaticType => {
    switch (e.k) {
      case 'lit':
        return e.value.t === 'list' || e.value.t === 'map' || e.value.t === 'inputs' ? 'dyn' : e.value.t;
      case 'ident':
        if (env === 'condition') {
          if (e.name === 'inputs') return 'inputs';
          if (e.name === 'outputs')
            throw new NotEmulatedError(`reading "outputs" in the condition ${JSON.stringify(src)}`);
        } else {
          const t = SELECT_ENV[e.name];
          if (t) return t;
          if (e.name === 'null_value')
            throw new NotEmulatedError(`reading "null_value" in the selector ${JSON.stringify(src)}`);
        }
        return fail(`undeclared reference to '${e.name}'`);
      case 'select': {
        const t = typeOf(e.operand);
        if (t === 'inputs') {
          if (e.field === 'parameter_values') return 'parameter_values';
          if (e.field === 'parameters' || e.field === 'artifacts') {
            throw new NotEmulatedError(`reading inputs.${e.field} in the condition ${JSON.stringify(src)}`);
          }
          return fail(`undefined field '${e.field}'`);
        }
        if (t === 'map' || t === 'dyn' || t === 'parameter_values') return 'dyn';
        return fail(`type '${t}' does not support field selection`);
      }
      case 'index': {
        const t = typeOf(e.operand);
        const i = typeOf(e.index);
        if ((t === 'map' || t === 'parameter_values') && (i === 'string' || i === 'dyn')) return 'dyn';
        if (t === 'list' && (i === 'int' || i === 'dyn')) return 'dyn';
        if (t === 'dyn') return 'dyn';
        return noOverload('_[_]', [t, i]);
      }
      case 'call': {
        const t = typeOf(e.arg);
        const conv = CONVERSIONS[e.fn];
        if (!conv.accepts.includes(t)) noOverload(e.fn, [t]);
        return conv.result;
      }
      case 'not': {
        const t = typeOf(e.operand);
        if (t !== 'bool' && t !== 'dyn') noOverload('!_', [t]);
        return 'bool';
      }
      case 'neg': {
        const t = typeOf(e.operand);
        if (t !== 'int' && t !== 'double' && t !== 'dyn') noOverload('-_', [t]);
        return t;
      }
      case 'and':
      case 'or': {
        const l = typeOf(e.left);
        const r = typeOf(e.right);
        for (const t of [l, r]) if (t !== 'bool' && t !== 'dyn') noOverload(e.k === 'and' ? '_&&_' : '_||_', [l, r]);
        return 'bool';
      }
      case 'rel': {
        const l = typeOf(e.left);
        const r = typeOf(e.right);
        const fn = `_${e.op}_`;
        if (l !== 'dyn' && r !== 'dyn' && l !== r) noOverload(fn, [l, r]);
        if (e.op !== '==' && e.op !== '!=') {
          const orderable = ['int', 'double', 'string', 'bool', 'dyn'];
          if (!orderable.includes(l) || !orderable.includes(r)) noOverload(fn, [l, r]);
        }
        return 'bool';
      }
    }
  };
  typeOf(expr);
}
