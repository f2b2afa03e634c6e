import { describe, expect, it } from 'vitest';
import { ConfigError, globToRegExp, resolveConfigs } from '../../action/src/configs.js';
import { tempDir, writeFiles } from './support/workspace.js';

function workspace(): string {
  const dir = tempDir('configs');
  writeFiles(dir, {
    'split-pipeline.yaml': 'x',
    'ml/churn/split-pipeline.yaml': 'x',
    'ml/fraud/split-pipeline.yaml': 'x',
    'ml/fraud/notes.md': 'x',
    'node_modules/pkg/split-pipeline.yaml': 'x',
  });
  return dir;
}

describe('config resolution', () => {
  it('resolves a literal file relative to the working directory, as a workspace-relative path', () => {
    expect(resolveConfigs(['churn/split-pipeline.yaml'], 'ml', workspace())).toEqual(['ml/churn/split-pipeline.yaml']);
  });

  it('matches globs at any depth with ** and skips node_modules', () => {
    expect(resolveConfigs(['**/split-pipeline.yaml'], '.', workspace())).toEqual([
      'ml/churn/split-pipeline.yaml',
      'ml/fraud/split-pipeline.yaml',
      'split-pipeline.yaml',
    ]);
  });

  it('lists a file matched by two patterns once', () => {
    expect(resolveConfigs(['ml/*/split-pipeline.yaml', 'ml/fraud/split-pipeline.yaml'], '.', workspace())).toEqual([
      'ml/churn/split-pipeline.yaml',
      'ml/fraud/split-pipeline.yaml',
    ]);
  });

  it('fails on a missing file or a glob that matches nothing, naming the folder searched', () => {
    const dir = workspace();
    expect(() => resolveConfigs(['nope.yaml'], 'ml', dir)).toThrow(/config "nope.yaml" does not exist in ml/);
    expect(() => resolveConfigs(['**/*.json'], '.', dir)).toThrow(ConfigError);
  });

  it('translates braces, classes and single-segment stars', () => {
    const re = globToRegExp('ml/{churn,fraud}/[a-s]*.yaml');
    expect(
      ['ml/churn/split-pipeline.yaml', 'ml/fraud/split.yaml', 'ml/other/split.yaml', 'ml/churn/x/split.yaml'].map((p) =>
        re.test(p),
      ),
    ).toEqual([true, true, false, false]);
  });
});
