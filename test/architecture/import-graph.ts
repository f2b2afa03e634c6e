// The import graph between the repository's folders (src/<folder>, the Action, workspace packages),
// read from the sources with a regular expression: relative specifiers only, since a package import
// cannot create a cycle between folders of this repository.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface FolderEdge {
  from: string;
  to: string;
  /** `file: specifier` of every import that makes the edge. */
  via: string[];
}

const STATIC = String.raw`(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]`;
const DYNAMIC = String.raw`\bimport\(\s*['"]([^'"]+)['"]\s*\)`;
const IMPORT = new RegExp(`${STATIC}|${DYNAMIC}`, 'g');

/** Relative module specifiers a TypeScript source imports or re-exports, dynamic imports included. */
export function importsOf(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of withoutComments.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec?.startsWith('.')) out.push(spec);
  }
  return out;
}

/** `src/plan/x.ts` → `plan`; `action/src/x.ts` → `action`; `packages/lab/src/x.ts` → `packages/lab`. */
export function folderOf(repoRelative: string): string {
  const parts = repoRelative.split(sep).join('/').split('/');
  if (parts[0] === 'src') return parts.length > 2 ? parts[1]! : '(src root)';
  if (parts[0] === 'packages') return `packages/${parts[1]}`;
  return parts[0]!;
}

function tsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every source file of the product: src, the Action's sources, and workspace packages' src. */
export function productSources(root: string): string[] {
  let packageDirs: string[];
  try {
    packageDirs = readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src'));
  } catch {
    packageDirs = [];
  }
  return [join(root, 'src'), join(root, 'action', 'src'), ...packageDirs].flatMap(tsFiles);
}

export function edgesBetweenFolders(root: string, files: readonly string[]): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const file of files) {
    const from = folderOf(relative(root, file));
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = relative(root, resolve(dirname(file), spec));
      const to = folderOf(target);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      const edge = edges.get(key) ?? { from, to, via: [] };
      edge.via.push(`${relative(root, file)}: ${spec}`);
      edges.set(key, edge);
    }
  }
  return [...edges.values()];
}

/** Cycles between folders (each as its folders in order), found by a depth-first search. */
export function folderCycles(edges: readonly FolderEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 'open') {
        const cycle = stack.slice(stack.indexOf(m));
        const key = [...cycle].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, m]);
        }
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}
