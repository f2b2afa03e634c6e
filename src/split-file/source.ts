// The text of a spec file, parsed with positions kept, so every problem found later — by the schema,
// the semantic checks, or the pipeline checks — can be reported as FILE:LINE:COL.
//
// Input is untrusted (a pull request can change it), so parsing is guarded: size is checked before
// parsing, nesting depth while parsing (the `yaml` composer recurses and aborts the process on very
// deep input), alias expansion while converting. Every rejection is a diagnostic, never a throw.

import { isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import type { Finding, SpecPath } from './path.js';
import { parseYamlGuarded } from './yaml-parse.js';
import { checkYamlDocument, convertDocument } from './yaml-checks.js';

export const SOURCE_LIMITS = {
  /** Larger files are refused unread: a pipeline spec is a few kilobytes. */
  maxBytes: 1024 * 1024,
  /** Deepest nesting of mappings and lists; the format itself needs 6. */
  maxDepth: 64,
  /** Alias expansions allowed when converting (the `yaml` package's `maxAliasCount`). */
  maxAliasCount: 100,
} as const;

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

export interface PositionOptions {
  /** Point at the mapping key rather than the value (for "unknown field", "missing field"). */
  on?: 'key' | 'value';
}

/** A spec file's text and its YAML document, answering "where is this path?". */
export class SpecSource {
  private readonly lines = new LineCounter();
  private readonly mapIndex = new WeakMap<object, Map<string, { key: Node | null; value: Node | null }>>();

  constructor(
    readonly file: string,
    readonly text: string,
    private readonly document?: Document.Parsed,
  ) {
    this.lines.addNewLine(0);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // YAML line breaks are LF, CRLF and a lone CR.
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.lines.addNewLine(i + 1);
    }
  }

  /** 1-based line and column of a character offset in the text. */
  positionAt(offset: number): Position {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: Math.max(1, line), col: Math.max(1, col) };
  }

  /**
   * Where the value (or, with `on: 'key'`, the key) at `path` is written. A path that does not exist
   * (a missing field, or a value that came through a merge key) gives the position of the nearest
   * parent that does, pointing at that parent's key when it has one.
   */
  positionOf(path: SpecPath, options: PositionOptions = {}): Position {
    const contents = this.document?.contents;
    if (contents === null || contents === undefined) return { line: 1, col: 1 };
    let node: Node | null = contents;
    let key: Node | null = null;
    for (const segment of path) {
      const next = this.child(node, segment);
      if (next === undefined) return this.positionAt(key?.range?.[0] ?? node?.range?.[0] ?? 0);
      node = next.value;
      key = next.key;
    }
    const emptyValue = node === null || (isScalar(node) && node.source === '' && node.value === null);
    if (key !== null && (options.on === 'key' || emptyValue)) return this.positionAt(key.range?.[0] ?? 0);
    return this.positionAt(node?.range?.[0] ?? key?.range?.[0] ?? 0);
  }

  /** A diagnostic for a finding, positioned in this file. */
  toDiagnostic(f: Finding): Diagnostic {
    return { file: this.file, ...this.positionOf(f.path, { on: f.on }), severity: f.severity, message: f.message };
  }

  /** A diagnostic at `path` (for checks outside this folder, e.g. the pipeline checks). */
  diagnosticAt(path: SpecPath, message: string, options: PositionOptions & { severity?: Severity } = {}): Diagnostic {
    return { file: this.file, ...this.positionOf(path, options), severity: options.severity ?? 'error', message };
  }

  private child(node: Node | null, segment: string | number): { key: Node | null; value: Node | null } | undefined {
    if (isMap(node)) {
      let index = this.mapIndex.get(node);
      if (index === undefined) {
        // Built once per mapping: positioning thousands of findings must not rescan it each time.
        index = new Map();
        for (const pair of node.items) {
          // With duplicate keys the converted data holds the last value, so the last pair wins.
          if (isScalar(pair.key))
            index.set(String(pair.key.value), { key: pair.key, value: (pair.value as Node | null) ?? null });
        }
        this.mapIndex.set(node, index);
      }
      return index.get(String(segment));
    }
    if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      return item === undefined ? undefined : { key: null, value: item };
    }
    return undefined;
  }
}

export interface ParsedSource {
  source: SpecSource;
  /** The document as plain data; absent when it could not be read safely (see diagnostics). */
  data?: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/** Parses spec text; never throws. */
export function parseSpecSource(text: string, file: string): ParsedSource {
  try {
    return parseGuarded(text, file);
  } catch (err) {
    // Not expected (every known failure is a diagnostic), but a parser bug must still not become a
    // stack trace. The error's message is not shown: it could quote the input.
    const name = err instanceof Error ? err.name : 'error';
    return {
      source: new SpecSource(file, ''),
      diagnostics: [
        { file, line: 1, col: 1, severity: 'error', message: `the YAML parser failed on this file (${name})` },
      ],
    };
  }
}

function parseGuarded(text: string, file: string): ParsedSource {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SOURCE_LIMITS.maxBytes) {
    const source = new SpecSource(file, '');
    return { source, diagnostics: [tooLarge(file, bytes)] };
  }
  // A byte-order mark is not content; dropping it keeps columns of the first line right.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lexical = new SpecSource(file, body);
  const at = (offset: number, message: string, severity: Severity = 'error'): Diagnostic => ({
    file,
    ...lexical.positionAt(offset),
    severity,
    message,
  });

  const parsed = parseYamlGuarded(body, SOURCE_LIMITS.maxDepth);
  if (parsed.kind === 'rejected') {
    return { source: lexical, diagnostics: parsed.problems.map((p) => at(p.offset, p.message, p.severity)) };
  }
  const diagnostics = parsed.problems.map((p) => at(p.offset, p.message, p.severity));
  const document = parsed.document;
  const source = new SpecSource(file, body, document);
  if (document === undefined || diagnostics.some((d) => d.severity === 'error')) return { source, diagnostics };

  const checks = checkYamlDocument(document, body, SOURCE_LIMITS.maxAliasCount, (o) => lexical.positionAt(o));
  diagnostics.push(...checks.problems.map((p) => at(p.offset, p.message, p.severity)));
  if (!checks.convertible) return { source, diagnostics };
  const converted = convertDocument(document, SOURCE_LIMITS.maxAliasCount);
  if (converted.kind === 'rejected') {
    diagnostics.push(at(converted.offset, converted.message));
    return { source, diagnostics };
  }
  return { source, data: converted.data, diagnostics };
}

export function tooLarge(file: string, bytes: number): Diagnostic {
  return {
    file,
    line: 1,
    col: 1,
    severity: 'error',
    message: `file is too large (${bytes} bytes; at most ${SOURCE_LIMITS.maxBytes} bytes are read): is this the right file?`,
  };
}
