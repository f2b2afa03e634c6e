import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Real compiled KFP pipelines and the real KFP REST swagger, copied unchanged (see their SOURCE.md). */
export const compiledFixturesDir = join(repoRoot, 'test/fixtures/kfp-v2-compiled');
export const swaggerDir = join(repoRoot, 'test/fixtures/kfp-api-swagger');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Every compiled KFP pipeline fixture, as [relative name, absolute path]. */
export function compiledFixtures(): [string, string][] {
  return walk(compiledFixturesDir).map((p) => [relative(compiledFixturesDir, p), p]);
}
