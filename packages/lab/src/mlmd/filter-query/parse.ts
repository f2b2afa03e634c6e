// Parser for the subset of MLMD's filter_query language (a GoogleSQL boolean expression, see the
// ListOperationOptions.filter_query comment in ml_metadata/proto/metadata_store.proto) that KFP
// and split-pipelines use. Anything outside the subset is an error, never silently ignored.

export type ColumnPath = readonly string[];

export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'enum'; readonly name: string };

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly expr: FilterExpr }
  | { readonly kind: 'compare'; readonly column: ColumnPath; readonly op: CompareOp; readonly value: Literal }
  | { readonly kind: 'in'; readonly column: ColumnPath; readonly negated: boolean; readonly values: readonly Literal[] }
  | { readonly kind: 'like'; readonly column: ColumnPath; readonly negated: boolean; readonly pattern: string }
  | { readonly kind: 'null'; readonly column: ColumnPath; readonly negated: boolean };

/** A filter_query outside the supported subset; `reason` says which part. */
export class FilterQueryError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FilterQueryError';
  }
}

type Token =
  | { kind: 'ident'; text: string; quoted: boolean; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'IS', 'NULL', 'TRUE', 'FALSE']);

function readQuoted(source: string, start: number, quote: string): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\\' && i + 1 < source.length) {
      const next = source[i + 1] as string;
      text += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      i += 2;
      continue;
    }
    if (ch === quote) return { text, end: i + 1 };
    text += ch;
    i += 1;
  }
  throw new FilterQueryError(`unterminated ${quote === '`' ? 'backquoted name' : 'string'} at ${start}`);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const { text, end } = readQuoted(source, i, ch);
      tokens.push(ch === '`' ? { kind: 'ident', text, quoted: true, at: i } : { kind: 'string', text, at: i });
      i = end;
      continue;
    }
    const number = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], quoted: false, at: i });
      i += ident[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|==|=|<|>|\(|\)|,|\.|-)/.exec(source.slice(i));
    if (op) {
      if (op[0] === '==') throw new FilterQueryError(`'==' at ${i} is not an operator; use '='`);
      tokens.push({ kind: 'op', text: op[0] === '<>' ? '!=' : op[0], at: i });
      i += op[0].length;
      continue;
    }
    throw new FilterQueryError(`unexpected character '${ch}' at ${i}`);
  }
  tokens.push({ kind: 'end', text: '', at: source.length });
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'ident' && !token.quoted && token.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.position += 1;
    return true;
  }

  private expectOp(text: string): void {
    const token = this.next();
    if (token.kind !== 'op' || token.text !== text) {
      throw new FilterQueryError(`expected '${text}' at ${token.at}, found ${describe(token)}`);
    }
  }

  parseAll(): FilterExpr {
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'end') throw new FilterQueryError(`unexpected ${describe(rest)} at ${rest.at}`);
    return expr;
  }

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(): FilterExpr {
    if (this.acceptKeyword('NOT')) return { kind: 'not', expr: this.parseUnary() };
    const token = this.peek();
    if (token.kind === 'op' && token.text === '(') {
      this.next();
      const inner = this.parseOr();
      this.expectOp(')');
      return inner;
    }
    return this.parsePredicate();
  }

  private parseColumn(): ColumnPath {
    const segments: string[] = [];
    for (;;) {
      const token = this.next();
      const isName = token.kind === 'ident' && (token.quoted || !KEYWORDS.has(token.text.toUpperCase()));
      // Property names may be digits (custom_properties.1.string_value), after a dot only.
      if (isName || (token.kind === 'number' && segments.length > 0 && /^\d+$/.test(token.text))) {
        segments.push(token.text);
      } else {
        throw new FilterQueryError(`expected a field name at ${token.at}, found ${describe(token)}`);
      }
      const after = this.peek();
      if (after.kind === 'op' && after.text === '.') this.next();
      else return segments;
    }
  }

  private parseLiteral(): Literal {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.kind === 'op' && token.text === '-') {
      const number = this.next();
      if (number.kind !== 'number') throw new FilterQueryError(`expected a number after '-' at ${token.at}`);
      return { kind: 'number', value: -Number(number.text) };
    }
    if (token.kind === 'ident' && !token.quoted) {
      const upper = token.text.toUpperCase();
      if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'bool', value: upper === 'TRUE' };
      if (!KEYWORDS.has(upper)) return { kind: 'enum', name: token.text };
    }
    throw new FilterQueryError(`expected a value at ${token.at}, found ${describe(token)}`);
  }

  private parsePredicate(): FilterExpr {
    const column = this.parseColumn();
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      if (!this.acceptKeyword('NULL')) throw new FilterQueryError(`expected NULL after IS at ${this.peek().at}`);
      return { kind: 'null', column, negated };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      this.expectOp('(');
      const values = [this.parseLiteral()];
      while (this.peek().kind === 'op' && this.peek().text === ',') {
        this.next();
        values.push(this.parseLiteral());
      }
      this.expectOp(')');
      return { kind: 'in', column, negated, values };
    }
    if (this.acceptKeyword('LIKE')) {
      const pattern = this.next();
      if (pattern.kind !== 'string') throw new FilterQueryError(`LIKE needs a quoted pattern at ${pattern.at}`);
      return { kind: 'like', column, negated, pattern: pattern.text };
    }
    if (negated) throw new FilterQueryError(`expected IN or LIKE after NOT at ${this.peek().at}`);
    const op = this.next();
    if (op.kind !== 'op' || !['=', '!=', '<', '>', '<=', '>='].includes(op.text)) {
      throw new FilterQueryError(
        `expected a comparison after '${column.join('.')}' at ${op.at}, found ${describe(op)}`,
      );
    }
    return { kind: 'compare', column, op: op.text as CompareOp, value: this.parseLiteral() };
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'end of query' : `'${token.text}'`;
}

export function parseFilterQuery(source: string): FilterExpr {
  return new Parser(tokenize(source)).parseAll();
}
