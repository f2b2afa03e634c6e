// Bundles the GitHub Action (action/src/main.ts) into one committed file, action/dist/index.js.
// A JavaScript action runs from its repository checkout without `npm ci`, so every dependency is
// bundled (unlike the CLI's dist/cli.js). Data files stay outside the bundle: proto/ and schemas/
// are found at run time by walking up from the bundle to the package.json named split-pipelines.
//
//   node scripts/build-action.mjs [--outfile PATH]     (default action/dist/index.js)
//
// The output must be byte-for-byte reproducible: test/action/dist-fresh.test.ts rebuilds it to a
// temporary path and compares, so a stale committed bundle fails the suite.
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--outfile');
const outfile = at >= 0 && args[at + 1] ? resolve(args[at + 1]) : resolve(root, 'action/dist/index.js');

await build({
  absWorkingDir: root,
  entryPoints: ['action/src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  // Runners execute it with Node 24 (`runs.using: node24`); local runs and tests use Node 20.
  target: 'node20',
  format: 'esm',
  // CommonJS dependencies call require() for Node built-ins; an ESM bundle has no require
  // (esbuild: "Dynamic require of ... is not supported") unless one is made for it.
  banner: {
    js: "import { createRequire as __splitPipelinesCreateRequire } from 'node:module';\nconst require = __splitPipelinesCreateRequire(import.meta.url);",
  },
  legalComments: 'eof',
  sourcemap: false,
  logLevel: 'warning',
});
