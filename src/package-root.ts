// Files the program reads at run time (proto/, schemas/, examples/) live in the package, found by
// walking up from the running module to the package.json named split-pipelines: that works from the
// TypeScript sources (vitest), the CLI bundle (dist/cli.js) and the Action bundle (action/dist/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'split-pipelines';

/** `from` is a file or directory inside the package (default: this module). */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = existsSync(join(from, 'package.json')) ? from : dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cannot find the ${PACKAGE_NAME} package root above ${from}: run split-pipelines from its checkout or an installed copy`,
      );
    }
    dir = parent;
  }
}
