// Compiles policies and exceptions once (parse + plan with @bufbuild/cel, whose `matches` uses RE2,
// as CEL specifies). A broken expression is the file's error at FILE:LINE:COL, like any other.
import { celEnv, parse, plan, type CelResult } from '@bufbuild/cel';
import { UserError } from '../errors/user-error.js';
import type { PolicyException, PolicySpec, SourcePosition } from './types.js';

/** Evaluation is bounded: expressions are short, and comprehensions (all, exists, map, filter) nest at most this deep. */
export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_COMPREHENSION_DEPTH = 3;

export type CompiledExpression = (bindings: Record<string, unknown>) => CelResult;

export interface CompiledPolicy {
  spec: PolicySpec;
  match?: CompiledExpression;
  validations: { message: string; run: CompiledExpression }[];
}

export interface CompiledException {
  spec: PolicyException;
  match?: CompiledExpression;
}

export class PolicyCompileError extends UserError {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`, {
      code: 'policy-invalid',
      operation: 'validate',
      advice: 'fix the CEL expression (https://github.com/google/cel-spec/blob/master/doc/langdef.md)',
    });
    this.name = 'PolicyCompileError';
  }
}

const env = celEnv({});

/**
 * `FILE:LINE:COL` of a position inside an expression that starts at `at`. An expression spans lines
 * only as a YAML block scalar (`|`), whose lines all carry the indentation of its first.
 */
export function positionIn(at: SourcePosition | undefined, line: number, column: number): string {
  if (!at) return `<policy>:${line}:${column}`;
  const l = at.line + line - 1;
  const c = line === 1 ? at.column + column - 1 : at.column - 1 + column;
  return `${at.file}:${l}:${c}`;
}

interface SyntaxErrorShape {
  rawMessage?: string;
  location?: { start?: { line: number; column: number } };
}

function comprehensionDepth(node: unknown): number {
  if (typeof node !== 'object' || node === null) return 0;
  if (Array.isArray(node)) return Math.max(0, ...node.map(comprehensionDepth));
  let deepest = 0;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$typeName' || key === 'sourceInfo') continue;
    deepest = Math.max(deepest, comprehensionDepth(value));
  }
  const kind = (node as { exprKind?: { case?: string } }).exprKind?.case;
  return kind === 'comprehensionExpr' ? deepest + 1 : deepest;
}

/** Parses and plans one expression; `what` names it in errors (`policy residency, validation 1`). */
export function compileExpression(
  expression: string,
  at: SourcePosition | undefined,
  what: string,
): CompiledExpression {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new PolicyCompileError(
      positionIn(at, 1, 1),
      `${what}: the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (e) {
    const err = e as SyntaxErrorShape;
    const start = err.location?.start ?? { line: 1, column: 1 };
    const detail = err.rawMessage ?? (e instanceof Error ? e.message : String(e));
    throw new PolicyCompileError(positionIn(at, start.line, start.column), `${what} does not compile: ${detail}`);
  }
  if (comprehensionDepth(parsed.expr) > MAX_COMPREHENSION_DEPTH) {
    throw new PolicyCompileError(
      positionIn(at, 1, 1),
      `${what}: comprehensions (all, exists, map, filter) nest deeper than ${MAX_COMPREHENSION_DEPTH}, which bounds evaluation time`,
    );
  }
  let planned: ReturnType<typeof plan>;
  try {
    planned = plan(env, parsed);
  } catch (e) {
    throw new PolicyCompileError(
      positionIn(at, 1, 1),
      `${what} does not compile: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return (bindings) => planned(bindings as Parameters<typeof planned>[0]);
}

export function compilePolicy(spec: PolicySpec): CompiledPolicy {
  // In the order they are written: the first broken expression is the one reported.
  const match =
    spec.match !== undefined
      ? compileExpression(spec.match, spec.matchAt ?? spec.at, `policy ${spec.name}, match`)
      : undefined;
  const compiled: CompiledPolicy = {
    spec,
    validations: spec.validations.map((v, i) => ({
      message: v.message,
      run: compileExpression(v.expression, v.at ?? spec.at, `policy ${spec.name}, validation ${i + 1}`),
    })),
  };
  if (match) compiled.match = match;
  return compiled;
}

export function compileException(spec: PolicyException): CompiledException {
  const compiled: CompiledException = { spec };
  if (spec.match !== undefined)
    compiled.match = compileExpression(
      spec.match,
      spec.matchAt ?? spec.at,
      `exception for policy ${spec.policy}, match`,
    );
  return compiled;
}
