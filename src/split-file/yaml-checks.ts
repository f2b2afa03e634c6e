// Checks of a composed YAML document that the `yaml` package leaves to the caller, then its
// conversion to plain data with alias expansion bounded.

import { isAlias, isMap, isNode, isScalar, visit, type Document } from 'yaml';
import type { TextProblem } from './yaml-parse.js';

/** Tags that only restate what the plain value already is; any other tag is refused. */
const PLAIN_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `tag:yaml.org,2002:${name}`),
);

export interface YamlChecks {
  problems: TextProblem[];
  /** False when converting would fail or mislead (unresolved or too many aliases). */
  convertible: boolean;
}

/**
 * Duplicate keys, tags, aliases and non-finite numbers. Runs in one pass over the document, so it
 * stays linear in the file's size (the `yaml` package's own duplicate-key check and alias
 * resolution are not).
 */
export function checkYamlDocument(
  document: Document.Parsed,
  text: string,
  maxAliasCount: number,
  positionAt: (offset: number) => { line: number; col: number },
): YamlChecks {
  const problems: TextProblem[] = [];
  const anchors = new Set<string>();
  let aliases = 0;
  let convertible = true;
  const error = (offset: number | undefined, message: string): void => {
    problems.push({ offset: offset ?? 0, message, severity: 'error' });
  };

  visit(document, {
    Node(_key, node, ancestors) {
      if (isAlias(node)) {
        aliases++;
        if (aliases === maxAliasCount + 1) {
          error(node.range?.[0], `too many aliases: more than ${maxAliasCount} (*name) references`);
          convertible = false;
        }
        if (!anchors.has(node.source)) {
          error(node.range?.[0], `alias *${node.source} refers to no anchor &${node.source} before it`);
          convertible = false;
        } else if (ancestors.some((a) => isNode(a) && a.anchor === node.source)) {
          // `a: &x {b: *x}` converts to a cyclic object, which no later check could walk.
          error(node.range?.[0], `alias *${node.source} is inside the value it refers to (a recursive structure)`);
          convertible = false;
        }
        return;
      }
      if (node.anchor !== undefined) anchors.add(node.anchor);
      if (node.tag !== undefined && !PLAIN_TAGS.has(node.tag)) {
        error(
          tagOffset(text, node.range?.[0]),
          `YAML tags such as ${shortTag(node.tag)} are not supported: write a plain value`,
        );
        // The tag changes what the value means, so checking the value would mislead.
        convertible = false;
      }
      if (isScalar(node) && typeof node.value === 'number' && !Number.isFinite(node.value)) {
        error(node.range?.[0], 'numbers must be finite (.inf and .nan cannot be passed on)');
      }
      if (isMap(node)) {
        const seen = new Map<string, number>();
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const key = String(pair.key.value);
          // `<<` may repeat: each one merges another mapping.
          if (key === '<<') continue;
          const first = seen.get(key);
          if (first === undefined) seen.set(key, pair.key.range?.[0] ?? 0);
          else {
            const { line, col } = positionAt(first);
            error(pair.key.range?.[0], `duplicate key "${key}" (first written at line ${line}, column ${col})`);
          }
        }
      }
      return undefined;
    },
  });
  return { problems, convertible };
}

/** The tag is written before the node's range (possibly with an anchor); point at its first `!`. */
function tagOffset(text: string, nodeStart: number | undefined): number {
  if (nodeStart === undefined) return 0;
  let start = text.lastIndexOf('!', nodeStart);
  if (start < 0 || nodeStart - start > 1024) return nodeStart;
  // `!!binary`, `!e!tag`: the tag is one run of non-blank characters.
  while (start > 0 && !/[\s{[,]/.test(text.charAt(start - 1))) start--;
  return start;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

export type Conversion =
  { kind: 'converted'; data: Record<string, unknown> } | { kind: 'rejected'; offset: number; message: string };

/** The document as plain data; aliases are expanded at most `maxAliasCount` times (billion laughs). */
export function convertDocument(document: Document.Parsed, maxAliasCount: number): Conversion {
  try {
    const data: unknown = document.toJS({ maxAliasCount });
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return {
        kind: 'rejected',
        offset: 0,
        message: 'the top level must be a mapping (apiVersion, kind, metadata, spec)',
      };
    }
    return { kind: 'converted', data: data as Record<string, unknown> };
  } catch (err) {
    const offset = firstAliasOffset(document);
    const reason =
      err instanceof Error && /excessive alias count/i.test(err.message)
        ? `aliases expand too much (more than ${maxAliasCount} expansions): is this an alias bomb?`
        : `cannot convert the document: ${err instanceof Error ? err.message : String(err)}`;
    return { kind: 'rejected', offset, message: reason };
  }
}

function firstAliasOffset(document: Document.Parsed): number {
  let offset = 0;
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}
