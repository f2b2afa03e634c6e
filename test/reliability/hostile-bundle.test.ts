// Handoff bundles travel between air-gapped locations on disks and shares, so `import` treats one as
// untrusted: a path that leaves the bundle directory would read any local file and upload it to the
// target's store, and an artifact URI with `..` would give KFP's launcher a path outside the
// pipeline root. Each tampered bundle must be refused with exit 1, leaving nothing of it at the
// target; the untampered bundle, imported last, shows the refusals came from the tampering.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { collectPages, MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import type { BundleArtifact, HandoffBundle } from '../../src/sync/bundle.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

describe('import of a tampered handoff bundle', () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  let original: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-hostile-bundle-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    file = exampleOnLabs([lab], dir);
    env = labEnv([lab]);
    await applyProject(await projectOf(file), { env, pollMs: 100, through: '1' });
    original = join(dir, 'stage-1.bundle');
    const exp = await runCli(['export', '-f', file, '--location', 'a', '--stage', '1', '-o', original], { env });
    expect(exp.code, exp.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the exported bundle with `change` applied to its first carried artifact. */
  function tampered(name: string, change: (a: BundleArtifact, bundle: HandoffBundle) => void): string {
    const copy = join(dir, name);
    cpSync(original, copy, { recursive: true });
    const bundle = JSON.parse(readFileSync(join(copy, 'bundle.json'), 'utf8')) as HandoffBundle;
    const carried = bundle.artifacts.find((a) => a.relativePath !== undefined && a.objects.length > 0);
    if (!carried) throw new Error('the exported bundle carries no artifact');
    change(carried, bundle);
    writeFileSync(join(copy, 'bundle.json'), JSON.stringify(bundle, null, 2));
    return copy;
  }

  /** Nothing of a refused bundle reached b: no imported metadata, no stray object. */
  async function expectTargetUntouched(): Promise<void> {
    const b = lab.locations['b']!;
    const mlmd = new MlmdClient({ location: 'b', address: b.mlmd });
    const store = new ObjectStore({
      location: 'b',
      endpoint: b.objectStore,
      credentials: b.credentials,
      pipelineRoot: b.pipelineRoot,
    });
    try {
      const artifacts = await collectPages((t) =>
        mlmd.getArtifacts({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
      );
      expect(artifacts.filter((a) => a.externalId).map((a) => a.uri)).toEqual([]);
      for await (const o of store.list(b.bucket, '')) expect(o.key).not.toMatch(/\.\.|passwd|hostname/);
    } finally {
      mlmd.close();
      store.close();
    }
  }

  const cases: { name: string; change: (a: BundleArtifact, bundle: HandoffBundle) => void; message: RegExp }[] = [
    {
      name: 'an artifact path that climbs out of the bundle (relativePath ../../etc)',
      change: (a) => {
        a.relativePath = '../../../../../../../../etc';
        a.objects = [{ path: 'hostname', size: 1 }];
      },
      message: /leaves the bundle directory/,
    },
    {
      name: 'an object path that climbs out of the bundle',
      change: (a) => {
        a.objects = [{ path: '../../../../../../../../../etc/hostname', size: 1 }];
      },
      message: /leaves the bundle directory/,
    },
    {
      name: 'a path with .. that stays inside the bundle but not under the target root',
      change: (a) => {
        a.relativePath = `x/../${a.relativePath!}`;
      },
      message: /path traversal|\.\./,
    },
    {
      name: 'an artifact URI with .. and no bytes to move',
      change: (a) => {
        a.uri = 'minio://mlpipeline/v2/artifacts/../../../../etc/passwd';
        delete a.relativePath;
        a.objects = [];
      },
      message: /path traversal|\.\./,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const bundle = tampered(c.name.replace(/\W+/g, '-'), c.change);
      const r = await runCli(['import', '-f', file, '--location', 'b', bundle], { env });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      await expectTargetUntouched();
    });
  }

  it('imports the untampered bundle', async () => {
    const r = await runCli(['import', '-f', file, '--location', 'b', original], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Imported load-data, split-data into b/);
  });
});
