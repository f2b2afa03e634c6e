// A repository laid out as users lay them out: the split-pipeline file under deploy/, the compiled
// package under pipelines/compiled/, named from the file as ../pipelines/compiled/…
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';

const PACKAGE_LINE = '    package: pipelines/thesis-pipeline.yaml';

function repository(packagePath: string, withGit = true): { dir: string; file: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sp-repo-layout-')));
  if (withGit) execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'deploy'));
  mkdirSync(join(dir, 'pipelines/compiled'), { recursive: true });
  cpSync(join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml'), join(dir, 'pipelines/compiled/thesis.yaml'));
  const spec = readFileSync(join(repoRoot, 'examples/thesis/split-pipeline.yaml'), 'utf8');
  expect(spec).toContain(PACKAGE_LINE);
  const file = join(dir, 'deploy/split-pipeline.yaml');
  writeFileSync(file, spec.replace(PACKAGE_LINE, `    package: ${packagePath}`));
  return { dir, file };
}

describe('a package elsewhere in the repository', () => {
  it('validates and plans offline from the deploy folder', async () => {
    const { file } = repository('../pipelines/compiled/thesis.yaml');
    const v = await runCli(['validate', '-f', file]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/: valid \(split pipeline thesis, revision [0-9a-f]{12}, 3 stages\)/);
    const p = await runCli(['plan', '--offline', '--json', '-f', file]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({
      name: 'thesis',
      pipeline: { package: '../pipelines/compiled/thesis.yaml' },
    });
  });

  it('is refused outside the repository, at FILE:LINE:COL', async () => {
    const { file } = repository('../../elsewhere/thesis.yaml');
    const r = await runCli(['validate', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:10:14: spec.pipeline.package must be a path inside the repository that holds this file: `,
    );
  });

  it("is refused outside the file's directory when the file is in no git repository, as the error says", async () => {
    const { file } = repository('../pipelines/compiled/thesis.yaml', false);
    const r = await runCli(['validate', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:10:14: spec.pipeline.package must be a path inside this directory`);
    expect(r.stderr).toContain('the file is in no git repository, so its own directory is the limit');
  });
});
