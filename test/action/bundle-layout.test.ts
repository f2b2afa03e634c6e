// The bundle runs from the action's own checkout (`${{ github.action_path }}`), without
// node_modules: what the core reads at run time (proto/, schemas/) must be found from
// action/dist/, and the bundle must need no package from node_modules.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageRoot } from '../../src/cli/package-root.js';
import { findProtoRoot } from '../../src/location/mlmd/proto-definition.js';
import { repoRoot } from '../support/fixtures.js';
import { bundlePath } from './support/run-bundle.js';

/**
 * Optional accelerators that bundled libraries try to load inside try/catch and do without:
 * node-fetch (via @kubernetes/client-node 1.x) tries `encoding`, ws tries `bufferutil` and
 * `utf-8-validate`.
 */
const OPTIONAL = new Set(['encoding', 'bufferutil', 'utf-8-validate']);

describe('the action bundle in its checkout', () => {
  it('finds the package root and the MLMD protocol definitions from action/dist/', () => {
    expect(findPackageRoot(dirname(bundlePath))).toBe(repoRoot);
    expect(findProtoRoot(bundlePath)).toBe(join(repoRoot, 'proto'));
  });

  it('imports nothing but Node built-ins at run time', () => {
    const text = readFileSync(bundlePath, 'utf8');
    // esbuild writes module imports at line starts, dynamic ones as import("…") and CommonJS ones as
    // __require("…") (JSDoc types in bundled libraries use import('…') in comments: not loads).
    const specifiers = [
      ...text.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm),
      ...text.matchAll(/\bimport\("([^"]+)"\)/g),
      ...text.matchAll(/__require\("([^"]+)"\)/g),
    ].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && !OPTIONAL.has(s))).toEqual(
      [],
    );
  });

  it('is an ES module under the package.json that says so', () => {
    expect((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { type?: string }).type).toBe('module');
  });
});
