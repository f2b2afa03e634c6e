import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { findProtoRoot } from '../../../src/location/mlmd/proto-definition.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

test('the proto root is found from where the esbuild bundle lives', () => {
  expect(findProtoRoot(path.join(REPO, 'dist', 'cli.js'))).toBe(path.join(REPO, 'proto'));
});

test('outside the package the proto root lookup fails with an explanation', () => {
  expect(() => findProtoRoot('/nonexistent/place/module.js')).toThrow(/cannot find the split-pipelines package root/);
});

test('a bundled client and lab server load the protos and talk to each other', async () => {
  // Inside the repository (its /tmp/ is git-ignored) so the bundle resolves node_modules and the
  // package root the way dist/cli.js does.
  const scratch = path.join(REPO, 'tmp');
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(path.join(scratch, 'mlmd-bundle-'));
  try {
    const outfile = path.join(dir, 'probe.mjs');
    await build({
      stdin: {
        contents: `
          import { startMlmdServer } from './packages/lab/src/mlmd/index.js';
          import { MlmdClient } from './src/location/mlmd/index.js';
          const server = await startMlmdServer();
          const client = new MlmdClient({ location: 'bundle', address: server.address });
          await client.putArtifactType({ name: 'system.Dataset' });
          console.log(JSON.stringify((await client.getArtifactTypes()).map((t) => t.name)));
          client.close();
          await server.close();
        `,
        resolveDir: REPO,
        loader: 'ts',
        sourcefile: 'probe.ts',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      outfile,
      logLevel: 'silent',
    });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual(['system.Dataset']);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rmdir(scratch).catch(() => undefined); // only when empty: other tests may use it too
  }
});
