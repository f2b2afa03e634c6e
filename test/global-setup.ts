import { execFileSync } from 'node:child_process';

// CLI tests spawn bin/split-pipelines.js, which runs dist/cli.js: build it once so it is never stale.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
