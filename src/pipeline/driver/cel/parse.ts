// A parser for the subset of CEL (github.com/google/cel-spec `doc/langdef.md`) that KFP's compiler
// emits into `triggerPolicy.condition` and `parameterExpressionSelector`
// (`sdk/python/kfp/compiler/pipeline_spec_builder.py`): literals, `inputs.parameter_values['k']`,
// `[...]` indexing, `.field` on maps, `!`, unary `-`, `==  != < <= > >=`, `&&`, `||`, parentheses,
// and the calls `int()`, `double()`, `string()`, `parseJson()`. Valid CEL outside that subset
// (arithmetic, `?:`, `in`, macros, methods, list/map literals, raw/bytes/triple-quoted strings,
// unsigned ints) throws NotEmulatedError; text that is not CEL at all throws CelError, as cel-go's
// parser would fail the task.
import { NotEmulatedError } from '../errors.js';
import { CelError, INT64_MAX, type CelValue } from './values.js';

export type RelOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type CelExpr =
  | { k: 'lit'; value: CelValue }
  | { k: 'ident'; name: string }
  | { k: 'select'; operand: CelExpr; field: string }
  | { k: 'index'; operand: CelExpr; index: CelExpr }
  | { k: 'call'; fn: 'int' | 'double' | 'string' | 'parseJson'; arg: CelExpr }
  | { k: 'not'; operand: CelExpr }
  | { k: 'neg'; operand: CelExpr }
  | { k: 'and' | 'or'; left: CelExpr; right: CelExpr }
  | { k: 'rel'; op: RelOp; left: CelExpr; right: CelExpr };

type Token =
  | { k: 'num'; text: string; at: number }
  | { k: 'str'; value: string; at: number }
  | { k: 'ident'; name: string; at: number }
  | { k: 'op'; op: string; at: number }
  | { k: 'end'; at: number };

const SUPPORTED_FUNCTIONS = new Set(['int', 'double', 'string', 'parseJson']);
// cel-spec "Syntax": reserved words that are not identifiers.
const RESERVED = new Set([
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);
// Valid CEL operators and punctuation outside the subset.
const UNSUPPORTED_OPS = ['+', '-', '*', '/', '%', '?', ':', '{', '}'];

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (detail: string): never => {
    throw new CelError(src, `${detail} at offset ${i}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const at = i;
    const num =
      /^(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|0[xX][0-9a-fA-F]+|[0-9]+)([uU])?/.exec(
        src.slice(i),
      );
    const prev = tokens[tokens.length - 1];
    const dotStartsNumber = prev === undefined || (prev.k === 'op' && prev.op !== ')' && prev.op !== ']');
    if (num && (c !== '.' || dotStartsNumber)) {
      if (num[1]) throw new NotEmulatedError(`the unsigned integer literal ${num[0]} in ${JSON.stringify(src)}`);
      tokens.push({ k: 'num', text: num[0], at });
      i += num[0].length;
      continue;
    }
    const prefixed = /^([rRbB]{1,2})(['"])/.exec(src.slice(i));
    if (prefixed) throw new NotEmulatedError(`the ${prefixed[1]}-prefixed string literal in ${JSON.stringify(src)}`);
    if (c === '"' || c === "'") {
      if (src.startsWith(c.repeat(3), i)) throw new NotEmulatedError(`triple-quoted strings in ${JSON.stringify(src)}`);
      i++;
      let value = '';
      for (;;) {
        if (i >= src.length || src[i] === '\n') fail('unterminated string literal');
        const ch = src[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch !== '\\') {
          value += ch;
          i++;
          continue;
        }
        const e = src[i + 1];
        const simple: Record<string, string> = {
          a: '\x07',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
          v: '\v',
          '\\': '\\',
          "'": "'",
          '"': '"',
          '`': '`',
          '?': '?',
        };
        if (e !== undefined && e in simple) {
          value += simple[e];
          i += 2;
          continue;
        }
        const hex = e === 'x' || e === 'X' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        if (hex > 0) {
          const digits = src.slice(i + 2, i + 2 + hex);
          if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) fail('invalid escape sequence');
          const cp = parseInt(digits, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('invalid code point in escape sequence');
          value += String.fromCodePoint(cp);
          i += 2 + hex;
          continue;
        }
        const oct = /^[0-3][0-7]{2}/.exec(src.slice(i + 1));
        if (oct) {
          value += String.fromCodePoint(parseInt(oct[0], 8));
          i += 4;
          continue;
        }
        fail('invalid escape sequence');
      }
      tokens.push({ k: 'str', value, at });
      continue;
    }
    const ident = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(src.slice(i));
    if (ident) {
      tokens.push({ k: 'ident', name: ident[0], at });
      i += ident[0].length;
      continue;
    }
    const op = [
      '==',
      '!=',
      '<=',
      '>=',
      '&&',
      '||',
      '<',
      '>',
      '!',
      '(',
      ')',
      '[',
      ']',
      '.',
      ',',
      ...UNSUPPORTED_OPS,
    ].find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ k: 'op', op, at });
      i += op.length;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ k: 'end', at: src.length });
  return tokens;
}

export function parseCel(src: string): CelExpr {
  const tokens = lex(src);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const isOp = (op: string) => {
    const t = peek();
    return t.k === 'op' && t.op === op;
  };
  const fail = (detail: string): never => {
    throw new CelError(src, `${detail} at offset ${peek().at}`);
  };
  const notEmulated = (what: string): never => {
    throw new NotEmulatedError(
      `${what} in the CEL expression ${JSON.stringify(src)} (only the subset KFP's compiler emits is emulated)`,
    );
  };
  const expect = (op: string) => {
    if (!isOp(op)) fail(`expected "${op}"`);
    pos++;
  };

  const parseOr = (): CelExpr => {
    let left = parseAnd();
    while (isOp('||')) {
      pos++;
      left = { k: 'or', left, right: parseAnd() };
    }
    if (isOp('?')) notEmulated('the conditional operator "?:"');
    return left;
  };
  const parseAnd = (): CelExpr => {
    let left = parseRelation();
    while (isOp('&&')) {
      pos++;
      left = { k: 'and', left, right: parseRelation() };
    }
    return left;
  };
  const parseRelation = (): CelExpr => {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (t.k === 'ident' && t.name === 'in') notEmulated('the "in" operator');
      if (t.k === 'op' && ['+', '-', '*', '/', '%'].includes(t.op)) notEmulated(`the arithmetic operator "${t.op}"`);
      if (t.k !== 'op' || !['==', '!=', '<', '<=', '>', '>='].includes(t.op)) return left;
      pos++;
      left = { k: 'rel', op: t.op as RelOp, left, right: parseUnary() };
    }
  };
  const parseUnary = (): CelExpr => {
    if (isOp('!')) {
      pos++;
      return { k: 'not', operand: parseUnary() };
    }
    if (isOp('-')) {
      pos++;
      const t = peek();
      // CEL folds `-9223372036854775808` into one literal; otherwise unary minus is negation.
      if (t.k === 'num' && /^[0-9]+$/.test(t.text) && BigInt(t.text) === INT64_MAX + 1n) {
        pos++;
        return { k: 'lit', value: { t: 'int', v: -(INT64_MAX + 1n) } };
      }
      return { k: 'neg', operand: parseUnary() };
    }
    return parseMember();
  };
  const parseMember = (): CelExpr => {
    let e = parsePrimary();
    for (;;) {
      if (isOp('.')) {
        pos++;
        const t = peek();
        if (t.k !== 'ident') fail('expected a field name after "."');
        pos++;
        if (isOp('(')) notEmulated(`the method call .${(t as { name: string }).name}()`);
        e = { k: 'select', operand: e, field: (t as { name: string }).name };
      } else if (isOp('[')) {
        pos++;
        const index = parseOr();
        expect(']');
        e = { k: 'index', operand: e, index };
      } else if (isOp('{')) {
        notEmulated('message construction');
      } else {
        return e;
      }
    }
  };
  const parsePrimary = (): CelExpr => {
    const t = peek();
    if (t.k === 'num') {
      pos++;
      if (/[.eE]/.test(t.text) && !/^0[xX]/.test(t.text))
        return { k: 'lit', value: { t: 'double', v: Number(t.text) } };
      const v = BigInt(t.text);
      if (v > INT64_MAX) fail(`integer literal ${t.text} is out of range`);
      return { k: 'lit', value: { t: 'int', v } };
    }
    if (t.k === 'str') {
      pos++;
      return { k: 'lit', value: { t: 'string', v: t.value } };
    }
    if (t.k === 'ident') {
      pos++;
      if (t.name === 'true' || t.name === 'false') return { k: 'lit', value: { t: 'bool', v: t.name === 'true' } };
      if (t.name === 'null') return { k: 'lit', value: { t: 'null' } };
      if (t.name === 'in' || RESERVED.has(t.name)) fail(`reserved word "${t.name}"`);
      if (isOp('(')) {
        pos++;
        if (!SUPPORTED_FUNCTIONS.has(t.name)) notEmulated(`the function ${t.name}()`);
        if (isOp(')')) fail(`${t.name}() takes one argument`);
        const arg = parseOr();
        if (isOp(',')) fail(`${t.name}() takes one argument`);
        expect(')');
        return { k: 'call', fn: t.name as 'int', arg };
      }
      return { k: 'ident', name: t.name };
    }
    if (t.k === 'op') {
      if (t.op === '(') {
        pos++;
        const e = parseOr();
        expect(')');
        return e;
      }
      if (t.op === '[') notEmulated('list literals');
      if (t.op === '{') notEmulated('map literals');
      if (t.op === '.') notEmulated('a leading "." (root-scoped identifier)');
      if (UNSUPPORTED_OPS.includes(t.op)) notEmulated(`the operator "${t.op}"`);
    }
    return fail(t.k === 'end' ? 'unexpected end of expression' : 'unexpected token');
  };

  const expr = parseOr();
  const rest = peek();
  if (rest.k === 'op' && UNSUPPORTED_OPS.includes(rest.op)) notEmulated(`the operator "${rest.op}"`);
  if (rest.k !== 'end') fail('unexpected token');
  return expr;
}
