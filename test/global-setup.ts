import { execFileSync } from 'node:child_process';

// CLI tests spawn bin/split-pipelines.js, which runs dist/cli.js: build it once so it is never stale.
// SPLIT_PIPELINES_SKIP_BUILD=1 skips it when only running tests that do not spawn the CLI.
export default function setup(): void {
  if (process.env['SPLIT_PIPELINES_SKIP_BUILD'] === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
