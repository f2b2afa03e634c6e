// The folders' layering, checked on every test run: the pure core (the split file, the pipeline, the
// planner) sees interfaces, never clients or commands, and no two folders import each other in a
// circle (a circle makes both halves one module, whatever the folder names say).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { edgesBetweenFolders, folderCycles, importsOf, productSources, type FolderEdge } from './import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Folders that must stay pure: they may import only each other and the leaves. */
const CORE = ['split-file', 'pipeline', 'plan', 'policy'];
/** Shared vocabulary with no imports of its own in this repository. */
const LEAVES = ['diagnostics', 'errors', 'units'];
const ALLOWED_FROM_CORE = new Set([...CORE, ...LEAVES, '(src root)', 'schemas']);

const edges = edgesBetweenFolders(root, productSources(root));
const explain = (list: readonly FolderEdge[]) => list.map((e) => `${e.from} -> ${e.to} (${e.via.join('; ')})`);

describe('folder layering', () => {
  it('reads the import graph (an empty graph would pass every rule below)', () => {
    const names = edges.map((e) => `${e.from} -> ${e.to}`);
    expect(names).toContain('split-file -> pipeline');
    expect(names).toContain('cli -> apply');
  });

  it('has no import cycle between folders', () => {
    const cycles = folderCycles(edges).map((c) => c.join(' -> '));
    const involved = edges.filter((e) => folderCycles(edges).some((c) => c.includes(e.from) && c.includes(e.to)));
    expect(cycles, explain(involved).join('\n')).toEqual([]);
  });

  it('keeps the pure core off locations, sync, apply, commands and the lab', () => {
    const bad = edges.filter((e) => CORE.includes(e.from) && !ALLOWED_FROM_CORE.has(e.to));
    expect(explain(bad)).toEqual([]);
  });

  it('keeps the leaves free of imports from other folders', () => {
    const bad = edges.filter((e) => LEAVES.includes(e.from));
    expect(explain(bad)).toEqual([]);
  });
});

describe('the import reader and the cycle finder', () => {
  it('finds static, type-only, re-exported, multi-line and dynamic imports, and skips comments', () => {
    const source = [
      "import { a } from '../x/a.js';",
      "import type { B } from './b.js';",
      "export { c } from '../y/c.js';",
      'import {\n  d,\n  e,\n} from "../z/d.js";',
      "const f = await import('../w/f.js');",
      "// import { g } from '../commented/g.js';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['../x/a.js', './b.js', '../y/c.js', '../z/d.js', '../w/f.js']);
  });

  it('finds a cycle through three folders and none in a layered graph', () => {
    const e = (from: string, to: string): FolderEdge => ({ from, to, via: [] });
    expect(folderCycles([e('a', 'b'), e('b', 'c'), e('c', 'a')])).toEqual([['a', 'b', 'c', 'a']]);
    expect(folderCycles([e('a', 'b'), e('b', 'c'), e('a', 'c')])).toEqual([]);
  });
});
