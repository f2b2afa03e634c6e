// Untrusted YAML text → one YAML document, with every syntax error, and without ever handing the
// `yaml` composer input it cannot survive: the composer recurses once per nesting level and, a few
// thousand levels down, V8 aborts the whole process (not a catchable RangeError). The lexer and the
// CST parser are iterative, so the CST parser's stack is watched and parsing stops past the limit.

import {
  Composer,
  isMap,
  isScalar,
  Lexer,
  Parser,
  type Document,
  type ErrorCode,
  type Node,
  type YAMLError,
} from 'yaml';
import type { Severity } from '../diagnostics/diagnostic.js';

export interface TextProblem {
  offset: number;
  message: string;
  severity: Severity;
}

export type GuardedParse =
  | { kind: 'rejected'; problems: TextProblem[] }
  | { kind: 'parsed'; document?: Document.Parsed; problems: TextProblem[] };

/** Characters YAML 1.2 does not allow in a stream (§5.1 c-printable); finding one means binary junk. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point of this pattern
const NON_PRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;

/**
 * Options for the composer. Keys must be strings (the format has no other kind); duplicate keys are
 * found by `yaml-checks.ts` instead of `uniqueKeys`, whose pairwise comparison is quadratic in the
 * size of a mapping. `<<` merge keys are honoured, as Kubernetes' YAML reader does.
 */
export const COMPOSE_OPTIONS = {
  version: '1.2',
  schema: 'core',
  merge: true,
  stringKeys: true,
  uniqueKeys: false,
  strict: true,
  logLevel: 'error',
} as const;

export function parseYamlGuarded(text: string, maxDepth: number): GuardedParse {
  const control = NON_PRINTABLE.exec(text);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return {
      kind: 'rejected',
      problems: [
        {
          offset: control.index,
          message: `file contains the control character U+${code}, which YAML does not allow: is this a binary file?`,
          severity: 'error',
        },
      ],
    };
  }

  const lexer = new Lexer();
  const parser = new Parser();
  const tokens = [];
  for (const lexeme of lexer.lex(text, false)) {
    const start = parser.offset;
    for (const token of parser.next(lexeme)) tokens.push(token);
    // The stack holds the document plus one entry per open collection.
    if (parser.stack.length - 1 > maxDepth) {
      const message = `nesting is too deep: more than ${maxDepth} levels of mappings and lists`;
      return { kind: 'rejected', problems: [{ offset: start, message, severity: 'error' }] };
    }
  }
  for (const token of parser.end()) tokens.push(token);

  const composer = new Composer(COMPOSE_OPTIONS);
  const documents = Array.from(composer.compose(tokens, true, text.length));
  const problems: TextProblem[] = [];
  for (const doc of documents) {
    problems.push(...firstErrorPerLine(doc.errors, text));
    for (const warning of doc.warnings) {
      // Unknown tags are reported, as errors, by yaml-checks.ts.
      if (warning.code === 'TAG_RESOLVE_FAILED') continue;
      problems.push({ offset: warning.pos[0], message: yamlMessage(warning, ''), severity: 'warning' });
    }
  }
  if (documents.length === 0) {
    problems.push(...firstErrorPerLine(composer.streamInfo().errors, text));
  }

  const withContent = documents.filter((doc) => !isEmpty(doc.contents));
  const first = withContent[0];
  if (first === undefined) {
    if (problems.length === 0) {
      problems.push({
        offset: 0,
        message: 'file is empty: expected a SplitPipeline (apiVersion, kind, metadata, spec)',
        severity: 'error',
      });
    }
    return { kind: 'parsed', document: documents[0], problems };
  }
  for (const extra of withContent.slice(1)) {
    problems.push({
      offset: extra.range[0],
      message: 'a second YAML document: a file holds one SplitPipeline (pass several files with -f instead)',
      severity: 'error',
    });
  }
  const contents = first.contents as Node | null;
  if (contents !== null && !isMap(contents) && !problems.some((p) => p.severity === 'error')) {
    problems.push({
      offset: contents.range?.[0] ?? 0,
      message: `the top level must be a mapping (apiVersion, kind, metadata, spec), not ${describeNode(contents)}`,
      severity: 'error',
    });
  }
  return { kind: 'parsed', document: first, problems };
}

function isEmpty(contents: unknown): boolean {
  return (
    contents === null ||
    contents === undefined ||
    (isScalar(contents) && contents.value === null && contents.source === '')
  );
}

function describeNode(node: Node): string {
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    return typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`;
  }
  return isMap(node) ? 'a mapping' : 'a list';
}

/**
 * One syntax error often makes the parser report two or three more on the same line (an unclosed
 * `[` swallows the next line's key, …); the first is the one to fix, so keep one per line.
 */
function firstErrorPerLine(errors: readonly YAMLError[], text: string): TextProblem[] {
  const byLine = new Map<number, TextProblem>();
  const sorted = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  for (const error of sorted) {
    const offset = error.pos[0];
    const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
    if (!byLine.has(lineStart)) byLine.set(lineStart, { offset, message: yamlMessage(error), severity: 'error' });
  }
  return [...byLine.values()];
}

/** Hints for messages that describe the parser's view rather than the likely mistake. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'is the next line indented too far, or a ":" missing?',
  MULTILINE_IMPLICIT_KEY: 'is the next line indented too far, or a ":" missing?',
  TAB_AS_INDENT: 'indent with spaces',
};

/** The `yaml` package's messages, as ours read: `invalid YAML: tabs are not allowed as indentation`. */
function yamlMessage(error: YAMLError, prefix = 'invalid YAML: '): string {
  if (error.code === 'NON_STRING_KEY') return `${prefix}keys must be plain strings, not lists or mappings`;
  if (error.code === 'BAD_DQ_ESCAPE') return `${prefix}invalid escape sequence in a double-quoted string`;
  let firstLine = error.message.split('\n')[0] ?? error.message;
  // "Block scalar header includes extra characters: <source>", "Not a YAML token: <source>": the
  // source could be a secret, and messages go to CI logs.
  if (error.code === 'UNEXPECTED_TOKEN') firstLine = firstLine.replace(/:\s.*$/, '');
  // Lower-case the first word unless it is an acronym ("YAML", "JSON").
  const text = /^[A-Z][a-z]/.test(firstLine) ? firstLine.charAt(0).toLowerCase() + firstLine.slice(1) : firstLine;
  const hint = HINTS[error.code];
  return `${prefix}${text}${hint === undefined ? '' : ` (${hint})`}`;
}
