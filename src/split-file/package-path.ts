// Where `spec.pipeline.package` may point. Repositories keep compiled pipelines apart from deploy
// files (`deploy/split-pipeline.yaml` naming `../pipelines/compiled/churn.yaml`), so the package may
// be anywhere inside the repository that holds the file, written relative to the file. Never
// outside it: a file from a pull request must not make the reconciler read the runner's disk, and
// the Action's change detection only sees what git holds. A file in no git repository keeps the
// narrower rule (its own directory), which is all that can be said to belong to it.
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The directory a package must stay in, and why it is that one (for messages). */
export interface PackageRoot {
  dir: string;
  kind: 'repository' | 'file-directory';
}

export type PackagePathResult = { ok: true; path: string } | { ok: false; message: string };

/** The nearest directory at or above `dir` holding `.git` (a directory, or a worktree's file). */
export async function findRepositoryRoot(dir: string): Promise<string | undefined> {
  let current = resolve(dir);
  for (;;) {
    if (
      await stat(join(current, '.git')).then(
        () => true,
        () => false,
      )
    )
      return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The repository holding a file in `fileDir`, else that directory itself. */
export async function packageRootFor(fileDir: string): Promise<PackageRoot> {
  const repository = await findRepositoryRoot(fileDir);
  return repository ? { dir: repository, kind: 'repository' } : { dir: resolve(fileDir), kind: 'file-directory' };
}

function inside(path: string, dir: string): boolean {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

/** "must be a path inside …" and what to do, worded for the root the file has. */
function refusal(packageName: string, root: PackageRoot, how: string): string {
  return root.kind === 'repository'
    ? `spec.pipeline.package must be a path inside the repository that holds this file: "${packageName}" ${how} ` +
        `${root.dir}; move the package into the repository and write its path relative to this file`
    : `spec.pipeline.package must be a path inside this directory: "${packageName}" ${how} ${root.dir} (the file is ` +
        'in no git repository, so its own directory is the limit); move the package there, or keep this file in ' +
        'the git repository that holds the package';
}

/**
 * Resolves the package as written in the file (relative to the file's directory `fileDir`) and
 * checks it stays inside `root`, symbolic links followed. Messages say what to write instead.
 */
export async function resolvePackagePath(
  packageName: string,
  fileDir: string,
  root: PackageRoot,
): Promise<PackagePathResult> {
  if (isAbsolute(packageName) || /^[A-Za-z]:[\\/]/.test(packageName)) {
    return {
      ok: false,
      message:
        `spec.pipeline.package must be a path relative to this file, not absolute: "${packageName}" ` +
        '(e.g. pipelines/churn.yaml, or ../pipelines/compiled/churn.yaml from a deploy/ folder)',
    };
  }
  const path = resolve(fileDir, packageName);
  if (!inside(path, resolve(root.dir))) {
    return { ok: false, message: refusal(packageName, root, 'leads outside') };
  }
  // Checked on real paths as well: a symbolic link inside the repository may point anywhere.
  const real = await realpath(path).catch(() => path);
  const realRoot = await realpath(root.dir).catch(() => root.dir);
  if (!inside(real, realRoot)) {
    return { ok: false, message: refusal(packageName, root, `leads through a symbolic link to ${real}, outside`) };
  }
  return { ok: true, path };
}
