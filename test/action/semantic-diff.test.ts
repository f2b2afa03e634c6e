// The semantic diff reads both versions from a real git repository (simple-git), as the action
// does in a pull request's checkout.
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { semanticDiff } from '../../action/src/semantic-diff.js';
import { edit, gitRepo, thesisFiles, thesisPipelineText, thesisSpecText, writeFiles } from './support/workspace.js';

const STAGES = `  stages:
    - location: a
      steps: [load-data, split-data]
    - location: b
      steps: [train-model, evaluate-model]
    - location: c
      steps: [serve-model]
`;

function withStages(stages: string): string {
  return edit(thesisSpecText, STAGES, stages);
}

async function diffOf(
  head: Record<string, string | null>,
  base: Record<string, string | null> = thesisFiles(),
  config = 'split-pipeline.yaml',
) {
  const { dir, shas } = await gitRepo([base, head]);
  return semanticDiff({ config, baseSha: shas[0]!, headSha: shas[1]!, cwd: dir });
}

describe('semantic diff of a split pipeline between base and head', () => {
  it('names a changed parameter with both values, and the new revision', async () => {
    const d = await diffOf({
      'split-pipeline.yaml': edit(thesisSpecText, 'learning_rate: 0.01', 'learning_rate: 0.02'),
    });
    expect(d.status).toBe('changed');
    expect(d.changes[0]).toBe('parameter learning_rate 0.01 → 0.02');
    expect(d.changes[1]).toMatch(/^revision [0-9a-f]{12} → [0-9a-f]{12}$/);
  });

  it('says which step moved from which location to which', async () => {
    const moved = STAGES.replace('[train-model, evaluate-model]', '[train-model]').replace(
      '[serve-model]',
      '[evaluate-model, serve-model]',
    );
    const d = await diffOf({ 'split-pipeline.yaml': withStages(moved) });
    expect(d.changes).toContain('evaluate-model moved from b to c');
  });

  it('counts the steps whose compiled definition changed, and names them', async () => {
    const one = await diffOf({
      'pipelines/thesis-pipeline.yaml': edit(
        thesisPipelineText,
        '        - train_model\n',
        '        - train_model_v2\n',
      ),
    });
    expect(one.changes[0]).toBe('package changed: 1 step differs (train-model)');
    const all = await diffOf({
      'pipelines/thesis-pipeline.yaml': thesisPipelineText.replaceAll('image: python:3.11', 'image: python:3.12'),
    });
    expect(all.changes[0]).toBe(
      'package changed: 5 steps differ (load-data, split-data, train-model, evaluate-model, serve-model)',
    );
  });

  it('reports locations and stages added and removed', async () => {
    const spec = withStages(
      STAGES.replace(
        '    - location: c\n      steps: [serve-model]\n',
        '    - location: d\n      steps: [serve-model]\n',
      ),
    ).replace('  - name: c\n', '  - name: d\n');
    const d = await diffOf({ 'split-pipeline.yaml': spec });
    expect(d.changes).toEqual(
      expect.arrayContaining([
        'location d added',
        'location c removed',
        'stage 3 (at c: serve-model) removed',
        'stage added: 3 (at d: serve-model)',
        'serve-model moved from c to d',
      ]),
    );
  });

  it('reports a stage added at the same location, and the step that moved into it', async () => {
    const split = STAGES.replace(
      '      steps: [train-model, evaluate-model]\n',
      '      steps: [train-model]\n    - location: b\n      steps: [evaluate-model]\n',
    );
    const d = await diffOf({ 'split-pipeline.yaml': withStages(split) });
    expect(d.changes).toEqual(
      expect.arrayContaining([
        'stage added: 3 (at b: evaluate-model)',
        'evaluate-model moved from stage 2 to stage 3 (still at b)',
      ]),
    );
  });

  it('finds the package next to a config in a subfolder', async () => {
    const base = { 'ml/split-pipeline.yaml': thesisSpecText, 'ml/pipelines/thesis-pipeline.yaml': thesisPipelineText };
    const d = await diffOf(
      {
        'ml/pipelines/thesis-pipeline.yaml': edit(
          thesisPipelineText,
          '        - train_model\n',
          '        - train_model_v2\n',
        ),
      },
      base,
      'ml/split-pipeline.yaml',
    );
    expect(d).toMatchObject({ path: 'ml/split-pipeline.yaml', status: 'changed' });
    expect(d.changes[0]).toBe('package changed: 1 step differs (train-model)');
  });

  it('finds a package elsewhere in the repository, and notices when only that package changes', async () => {
    const spec = edit(
      thesisSpecText,
      'package: pipelines/thesis-pipeline.yaml',
      'package: ../pipelines/compiled/thesis-pipeline.yaml',
    );
    const base = { 'deploy/split-pipeline.yaml': spec, 'pipelines/compiled/thesis-pipeline.yaml': thesisPipelineText };
    const changed = edit(thesisPipelineText, '        - train_model\n', '        - train_model_v2\n');
    const d = await diffOf({ 'pipelines/compiled/thesis-pipeline.yaml': changed }, base, 'deploy/split-pipeline.yaml');
    expect(d).toMatchObject({ path: 'deploy/split-pipeline.yaml', status: 'changed' });
    expect(d.changes[0]).toBe('package changed: 1 step differs (train-model)');
    expect(d.changes[1]).toMatch(/^revision [0-9a-f]{12} → [0-9a-f]{12}$/);
  });

  it('says when the pull request changes neither the file nor its package', async () => {
    const d = await diffOf({ 'README.md': 'unrelated' });
    expect(d).toMatchObject({ status: 'unchanged', changes: [] });
  });

  it('describes a file the pull request adds', async () => {
    const d = await diffOf(thesisFiles(), { 'README.md': 'first' });
    expect(d).toMatchObject({ status: 'added', changes: ['new split pipeline thesis: 3 stages at a, b, c'] });
  });

  it('says formatting-only changes keep the revision', async () => {
    const d = await diffOf({ 'split-pipeline.yaml': `# reviewed\n${thesisSpecText}` });
    expect(d.changes).toEqual(['formatting or comments only: the revision is unchanged']);
  });

  it('measures from the merge base, so changes made on the base branch since are not shown as reverted', async () => {
    const { dir, shas } = await gitRepo([thesisFiles()]);
    const git = simpleGit(dir);
    const branchPoint = shas[0]!;
    await git.checkout(['-q', '-b', 'feature']);
    await git.checkout(['-q', '-b', 'main-moves-on', branchPoint]);
    writeFiles(dir, { 'split-pipeline.yaml': edit(thesisSpecText, 'learning_rate: 0.01', 'learning_rate: 0.05') });
    await git.add(['-A']).commit('main moves on');
    const baseTip = (await git.revparse(['HEAD'])).trim();
    await git.checkout(['-q', 'feature']);
    writeFiles(dir, { 'split-pipeline.yaml': edit(thesisSpecText, 'epochs: 10', 'epochs: 20') });
    await git.add(['-A']).commit('pull request');
    const head = (await git.revparse(['HEAD'])).trim();
    const d = await semanticDiff({ config: 'split-pipeline.yaml', baseSha: baseTip, headSha: head, cwd: dir });
    expect(d.base).toBe(branchPoint);
    expect(d.changes.filter((c) => c.startsWith('parameter'))).toEqual(['parameter epochs 10 → 20']);
  });

  it('explains how to fix a checkout that lacks the base commit', async () => {
    const { dir, shas } = await gitRepo([thesisFiles()]);
    const d = await semanticDiff({
      config: 'split-pipeline.yaml',
      baseSha: 'f'.repeat(40),
      headSha: shas[0]!,
      cwd: dir,
    });
    expect(d).toMatchObject({ status: 'unavailable' });
    expect(d.note).toMatch(/fetch-depth: 0/);
  });
});
