// The semantic diff of one split-pipeline.yaml between a pull request's base and head: both
// versions of the file and of the pipeline package it names are read from git (`git show
// <sha>:<path>`), loaded by the same core as `plan`, and compared by `spec-changes.ts`.
import { mkdtemp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { loadProject } from '../../src/split-file/load-project.js';
import { loadSpecText } from '../../src/split-file/load.js';
import { describeChanges, type SpecSnapshot } from './spec-changes.js';

export interface SemanticDiff {
  /** The config, relative to the repository root. */
  path: string;
  /** Commit compared against: the merge base of base and head when known, else the base tip. */
  base: string;
  head: string;
  status: 'added' | 'changed' | 'unchanged' | 'unavailable';
  changes: string[];
  /** Why the comparison could not be made, or a caveat. */
  note?: string;
}

export interface SemanticDiffRequest {
  /** The config file, relative to `cwd` or absolute. */
  config: string;
  baseSha: string;
  headSha: string;
  cwd?: string;
}

export async function semanticDiff(req: SemanticDiffRequest): Promise<SemanticDiff> {
  const cwd = req.cwd ?? process.cwd();
  // The process environment is inherited as is (runners have no terminal, so git cannot prompt).
  const git = simpleGit(cwd);
  const unavailable = (path: string, note: string): SemanticDiff => ({
    path,
    base: req.baseSha,
    head: req.headSha,
    status: 'unavailable',
    changes: [],
    note,
  });
  let top: string;
  try {
    top = await realpath((await git.revparse(['--show-toplevel'])).trim());
  } catch {
    return unavailable(req.config, 'the working directory is not a git checkout');
  }
  const path = relative(top, await realpath(resolve(cwd, req.config)))
    .split(sep)
    .join('/');
  for (const sha of [req.baseSha, req.headSha]) {
    if (!(await hasCommit(git, sha))) {
      return unavailable(
        path,
        `commit ${sha.slice(0, 7)} is not in the checkout: ` +
          `check out with \`fetch-depth: 0\` (actions/checkout) to see what this pull request changes`,
      );
    }
  }
  // What the pull request changes is measured from where it branched, as GitHub's "Files changed"
  // does: the base branch may have moved on since.
  const base = (await tryGit(git, ['merge-base', req.baseSha, req.headSha]))?.trim() || req.baseSha;
  const head = req.headSha;
  const headSpec = await readAt(git, head, path);
  if (headSpec === undefined) return unavailable(path, `${path} is not in the pull request's head commit`);
  const baseSpec = await readAt(git, base, path);
  const headPkg = await packageAt(git, head, path, headSpec);
  if (baseSpec === undefined) {
    const snap = await snapshot(path, headSpec, headPkg);
    return { path, base, head, status: 'added', changes: [describeNew(snap)] };
  }
  const basePkg = await packageAt(git, base, path, baseSpec);
  if (baseSpec === headSpec && basePkg?.text === headPkg?.text)
    return { path, base, head, status: 'unchanged', changes: [] };
  const [b, h] = await Promise.all([snapshot(path, baseSpec, basePkg), snapshot(path, headSpec, headPkg)]);
  const changes = describeChanges(b, h);
  if (changes.length === 0) changes.push('formatting or comments only: the revision is unchanged');
  return { path, base, head, status: 'changed', changes };
}

async function tryGit(git: SimpleGit, args: string[]): Promise<string | undefined> {
  try {
    return await git.raw(args);
  } catch {
    return undefined;
  }
}

async function hasCommit(git: SimpleGit, sha: string): Promise<boolean> {
  if ((await tryGit(git, ['cat-file', '-e', `${sha}^{commit}`])) !== undefined) return true;
  // A shallow checkout (actions/checkout's default depth 1) lacks the pull request's commits; one
  // shallow fetch of the commit is cheap and needs only the credentials checkout left behind.
  if ((await tryGit(git, ['fetch', '--no-tags', '--depth=1', 'origin', sha])) === undefined) return false;
  return (await tryGit(git, ['cat-file', '-e', `${sha}^{commit}`])) !== undefined;
}

async function readAt(git: SimpleGit, sha: string, path: string): Promise<string | undefined> {
  return tryGit(git, ['show', `${sha}:${path}`]);
}

interface PackageAt {
  /** Package path relative to the repository root. */
  path: string;
  text?: string;
}

async function packageAt(
  git: SimpleGit,
  sha: string,
  specPath: string,
  specText: string,
): Promise<PackageAt | undefined> {
  const pkg = loadSpecText(specText, specPath).spec?.spec.pipeline.package;
  // The same rule as the loader (src/split-file/package-path.ts): written relative to the file,
  // anywhere inside the repository (`../pipelines/compiled/churn.yaml` from deploy/), never outside.
  if (!pkg || posix.isAbsolute(pkg) || /^[A-Za-z]:[\\/]/.test(pkg)) return undefined;
  const path = posix.normalize(posix.join(posix.dirname(specPath), pkg));
  if (path === '..' || path.startsWith('../')) return undefined;
  const text = await readAt(git, sha, path);
  return text === undefined ? { path } : { path, text };
}

/** Loads one version with the same loader as `plan` (in a scratch folder, as laid out in git). */
async function snapshot(specPath: string, specText: string, pkg: PackageAt | undefined): Promise<SpecSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), 'split-pipelines-diff-'));
  try {
    const specFile = join(dir, specPath);
    await mkdir(dirname(specFile), { recursive: true });
    await writeFile(specFile, specText);
    if (pkg?.text !== undefined) {
      const pkgFile = join(dir, pkg.path);
      await mkdir(dirname(pkgFile), { recursive: true });
      await writeFile(pkgFile, pkg.text);
    }
    // The scratch folder stands for the repository, so a package elsewhere in it is found.
    const { project } = await loadProject(specFile, { root: dir });
    if (project)
      return {
        spec: project.spec,
        graph: project.graph,
        revision: project.revision.short,
        packageText: pkg?.text ?? '',
      };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Not valid as a whole: compare what can be read.
  const snap: SpecSnapshot = {};
  const spec = loadSpecText(specText, specPath).spec;
  if (spec) snap.spec = spec;
  if (pkg?.text !== undefined) {
    snap.packageText = pkg.text;
    const graph = parsePipelineText(pkg.text, pkg.path).graph;
    if (graph) snap.graph = graph;
  }
  return snap;
}

function describeNew(s: SpecSnapshot): string {
  if (!s.spec) return 'new file (not a valid split pipeline yet)';
  const stages = s.spec.spec.stages;
  const where = [...new Set(stages.map((st) => st.location))].join(', ');
  return `new split pipeline ${s.spec.metadata.name}: ${stages.length} stage${stages.length === 1 ? '' : 's'} at ${where}`;
}
