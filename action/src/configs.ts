// Which split-pipeline files the `config` input names: literal paths, or globs (`*`, `**`, `?`,
// `{a,b}`, `[abc]`) over the working directory. Node 20 has no `fs.glob` (added in Node 22), and
// the few patterns a workflow writes do not justify a dependency in the bundle.
import { readdirSync, statSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { UserError } from '../../src/errors/user-error.js';

export class ConfigError extends UserError {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super(message, { code: 'action-config', operation: 'find-configs' });
  }
}

/** Folders never searched: they hold no configs of the repository, and can be huge. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
/** A glob walking more entries than this is refused: it would only slow every run. */
const MAX_ENTRIES = 50_000;

export function isGlob(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/** Translates a glob into an anchored RegExp over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Resolves the patterns against `workingDirectory` (itself relative to `cwd`). Returns paths
 * relative to `cwd`, sorted and unique, so diagnostics and annotations name files as the
 * repository does.
 */
export function resolveConfigs(
  patterns: readonly string[],
  workingDirectory: string,
  cwd: string = process.cwd(),
): string[] {
  const base = resolve(cwd, workingDirectory);
  const found = new Set<string>();
  let listing: string[] | undefined;
  for (const pattern of patterns) {
    const clean = pattern.replace(/^\.\//, '');
    if (!isGlob(clean)) {
      const abs = resolve(base, clean);
      if (!isFile(abs)) throw new ConfigError(`config "${pattern}" does not exist in ${displayDir(cwd, base)}`);
      found.add(toCwdRelative(cwd, abs));
      continue;
    }
    listing ??= listFiles(base);
    const re = globToRegExp(clean);
    const matches = listing.filter((p) => re.test(p));
    if (matches.length === 0) throw new ConfigError(`config "${pattern}" matches no file in ${displayDir(cwd, base)}`);
    for (const m of matches) found.add(toCwdRelative(cwd, join(base, m)));
  }
  return [...found].sort();
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function toCwdRelative(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return (rel === '' || rel.startsWith('..') ? abs : rel).split(sep).join('/');
}

function displayDir(cwd: string, abs: string): string {
  return toCwdRelative(cwd, abs) || '.';
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const stack = [''];
  let seen = 0;
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES) {
        throw new ConfigError(
          `config glob searches more than ${MAX_ENTRIES} entries under ${dir}: set working-directory to a smaller folder`,
        );
      }
      const p = rel === '' ? entry.name : posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) stack.push(p);
      } else if (entry.isFile()) out.push(p);
    }
  }
  return out.sort();
}
