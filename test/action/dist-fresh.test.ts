// The action runs the committed bundle, not the sources: a change to action/src/ or to the core
// it bundles (src/) without `npm run build:action` would ship the old behaviour.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';
import { tempDir } from './support/workspace.js';

const dir = tempDir('dist');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the committed action/dist/index.js is what the sources build to (run `npm run build:action` if not)', () => {
  const fresh = join(dir, 'index.js');
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-action.mjs'), '--outfile', fresh], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
  const committed = readFileSync(join(repoRoot, 'action/dist/index.js'));
  const rebuilt = readFileSync(fresh);
  // Not toEqual on 2 MB buffers: the message would be useless; say what to do instead.
  expect(committed.equals(rebuilt), 'action/dist/index.js is stale: run `npm run build:action` and commit it').toBe(
    true,
  );
});
