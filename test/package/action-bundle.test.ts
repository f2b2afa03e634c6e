// The Action runs its committed bundle (kept fresh by test/action/dist-fresh.test.ts); the lab and
// its dependencies are for the repository's demo and tests, never for a workflow run. esbuild marks
// every module it bundles with a `// path` comment, which is what this reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';

const bundle = readFileSync(join(repoRoot, 'action/dist/index.js'), 'utf8');
const modules = [...bundle.matchAll(/^\/\/ ((?:src|action|packages|node_modules)\/\S+)$/gm)].map((m) => m[1]!);

it('the Action bundle is made of marked modules (so the check below sees what it carries)', () => {
  expect(modules.some((m) => m.startsWith('src/'))).toBe(true);
  expect(modules.some((m) => m.startsWith('node_modules/@aws-sdk/client-s3/'))).toBe(true);
});

it('the Action bundle carries neither the lab nor its dependencies', () => {
  const lab = modules.filter((m) => /^(packages\/lab\/|node_modules\/(better-sqlite3|s3rver|koa|bindings)\/)/.test(m));
  expect(lab).toEqual([]);
  expect(bundle).not.toMatch(/require\(["'](better-sqlite3|s3rver)["']\)|from ["'](better-sqlite3|s3rver)["']/);
});
