// Paths into a spec document (`['spec', 'locations', 1, 'kfp']`) and the findings that checks report
// against them. A check names WHERE a problem is as a path; the source turns the path into a line and
// column, so checks stay pure functions of the parsed data.

import type { Severity } from '../diagnostics/diagnostic.js';

export type SpecPath = readonly (string | number)[];

/** A problem found by a check, positioned by path; `on: 'key'` points at the mapping key, not the value. */
export interface Finding {
  path: SpecPath;
  on: 'key' | 'value';
  message: string;
  severity: Severity;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.locations[1].kfp`, `metadata.labels["app.kubernetes.io/name"]`; the empty path is the document. */
export function formatPath(path: SpecPath): string {
  if (path.length === 0) return '(document)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A message about the thing at `path`, prefixed with the path so it reads on its own. */
export function finding(
  path: SpecPath,
  message: string,
  options: { on?: 'key' | 'value'; severity?: Severity } = {},
): Finding {
  return {
    path,
    on: options.on ?? 'value',
    message: path.length === 0 ? message : `${formatPath(path)}: ${message}`,
    severity: options.severity ?? 'error',
  };
}

/**
 * Turns a JSON pointer (ajv's `instancePath`) into a path, using the data to tell array indexes
 * from mapping keys that happen to be digits.
 */
export function pathFromPointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key)) {
      const index = Number(key);
      path.push(index);
      node = node[index];
    } else {
      path.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return path;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
