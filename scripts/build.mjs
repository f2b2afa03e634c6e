// Bundles the CLI into dist/cli.js and the lab (packages/lab) into dist/lab.js. Runs on `npm ci`
// (prepare), before tests, before benchmarks, and on `npm pack`.
//
// Dependencies are bundled too: Node loads one file instead of some thousands (the Kubernetes
// client alone is ~1500 modules), which cuts a CLI start from ~1.3 to ~0.4 CPU-seconds. Only the
// lab's own dependencies stay external: better-sqlite3 is a native module, and s3rver reads its
// files relative to itself; both load from node_modules, where the lab workspace installs them.
//
// The CLI loads the lab with a dynamic import, and code splitting keeps one copy of the product
// code both use in shared chunks (dist/chunk-*.js): the lab's errors and the reconciler's stay the
// same classes in one process. The npm tarball ships dist/cli.js and the chunks but not dist/lab.js
// (package.json `files`), so an installed copy has no lab and none of its dependencies.
import { build } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', lab: 'packages/lab/src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3', 's3rver', 's3rver/*'],
  // CommonJS dependencies call require() for Node built-ins; an ESM bundle has no require
  // (esbuild: "Dynamic require of ... is not supported") unless one is made for it.
  banner: {
    js: "import { createRequire as __splitPipelinesCreateRequire } from 'node:module';\nconst require = __splitPipelinesCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
});

// Chunk names carry content hashes: remove the previous builds' chunks, so none goes stale into a
// tarball. Only files this build did not write, and never the whole directory: tests and other
// shells may be running dist/cli.js while a build runs.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => basename(file)));
for (const file of await readdir(resolve(root, 'dist'))) {
  if (/^chunk-.*\.js(\.map)?$/.test(file) && !written.has(file)) await rm(resolve(root, 'dist', file), { force: true });
}
