// Bundles the CLI into dist/cli.js (dependencies stay external, so native modules load from
// node_modules). Runs on `npm ci` (prepare), before tests, and before benchmarks.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
