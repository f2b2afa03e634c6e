// Where spec.pipeline.package may point: anywhere inside the repository that holds the file,
// written relative to the file; never outside it, not even through a symbolic link.
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepositoryRoot, packageRootFor, resolvePackagePath } from '../../src/split-file/package-path.js';

/** A repository laid out as deploy/ + pipelines/compiled/, with a secret file beside it. */
function layout() {
  const outer = realpathSync(mkdtempSync(join(tmpdir(), 'sp-package-path-')));
  const repo = join(outer, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(repo, 'deploy'));
  mkdirSync(join(repo, 'pipelines/compiled'), { recursive: true });
  writeFileSync(join(repo, 'pipelines/compiled/churn.yaml'), 'x');
  writeFileSync(join(outer, 'secret.yaml'), 'x');
  return { outer, repo, deploy: join(repo, 'deploy') };
}

describe('the package path', () => {
  it('may lead anywhere inside the repository, relative to the file', async () => {
    const { repo, deploy } = layout();
    const root = await packageRootFor(deploy);
    expect(root).toEqual({ dir: repo, kind: 'repository' });
    expect(await resolvePackagePath('../pipelines/compiled/churn.yaml', deploy, root)).toEqual({
      ok: true,
      path: join(repo, 'pipelines/compiled/churn.yaml'),
    });
    expect(await resolvePackagePath('churn.yaml', join(repo, 'pipelines/compiled'), root)).toMatchObject({ ok: true });
  });

  it('is refused when .. leads outside the repository, saying which repository and what to do', async () => {
    const { repo, deploy } = layout();
    const r = await resolvePackagePath('../../secret.yaml', deploy, await packageRootFor(deploy));
    expect(r).toEqual({
      ok: false,
      message:
        `spec.pipeline.package must be a path inside the repository that holds this file: "../../secret.yaml" ` +
        `leads outside ${repo}; move the package into the repository and write its path relative to this file`,
    });
  });

  it('is refused when absolute, even inside the repository', async () => {
    const { repo, deploy } = layout();
    const absolute = join(repo, 'pipelines/compiled/churn.yaml');
    const r = await resolvePackagePath(absolute, deploy, await packageRootFor(deploy));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^spec\.pipeline\.package must be a path relative to this file, not absolute: /);
  });

  it('is refused when a symbolic link inside the repository leads out of it', async () => {
    const { outer, repo, deploy } = layout();
    symlinkSync(join(outer, 'secret.yaml'), join(repo, 'pipelines/linked.yaml'));
    symlinkSync(outer, join(repo, 'pipelines/outside'));
    const root = await packageRootFor(deploy);
    const viaFile = await resolvePackagePath('../pipelines/linked.yaml', deploy, root);
    expect(!viaFile.ok && viaFile.message).toContain(
      `"../pipelines/linked.yaml" leads through a symbolic link to ${join(outer, 'secret.yaml')}, outside ${repo}`,
    );
    const viaFolder = await resolvePackagePath('../pipelines/outside/secret.yaml', deploy, root);
    expect(viaFolder.ok).toBe(false);
    // A link that stays inside the repository is fine.
    symlinkSync(join(repo, 'pipelines/compiled/churn.yaml'), join(repo, 'deploy/churn.yaml'));
    expect(await resolvePackagePath('churn.yaml', deploy, root)).toMatchObject({ ok: true });
  });

  it("stays in the file's own directory when the file is in no git repository, and says so", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sp-package-path-nogit-')));
    mkdirSync(join(dir, 'deploy'));
    const precondition = 'the test needs a temporary directory outside any git repository';
    expect(await findRepositoryRoot(dir), precondition).toBeUndefined();
    const root = await packageRootFor(join(dir, 'deploy'));
    expect(root).toEqual({ dir: join(dir, 'deploy'), kind: 'file-directory' });
    const r = await resolvePackagePath('../pipelines/churn.yaml', join(dir, 'deploy'), root);
    expect(!r.ok && r.message).toBe(
      `spec.pipeline.package must be a path inside this directory: "../pipelines/churn.yaml" leads outside ` +
        `${join(dir, 'deploy')} (the file is in no git repository, so its own directory is the limit); move the ` +
        'package there, or keep this file in the git repository that holds the package',
    );
  });

  it('finds the repository by a .git file too (worktrees and submodules)', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sp-package-path-worktree-')));
    writeFileSync(join(dir, '.git'), 'gitdir: /elsewhere\n');
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    expect(await findRepositoryRoot(join(dir, 'a/b'))).toBe(dir);
  });
});
