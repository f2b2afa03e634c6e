import { describe, expect, it } from 'vitest';
import { alignLists, describeChanges, type SpecSnapshot } from '../../action/src/spec-changes.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { loadSpecText } from '../../src/split-file/load.js';
import { edit, thesisPipelineText, thesisSpecText } from './support/workspace.js';

function snap(spec: string, pipeline: string = thesisPipelineText): SpecSnapshot {
  const s: SpecSnapshot = { packageText: pipeline };
  const loaded = loadSpecText(spec, 'split-pipeline.yaml').spec;
  if (loaded) s.spec = loaded;
  const graph = parsePipelineText(pipeline, 'pipelines/thesis-pipeline.yaml').graph;
  if (graph) s.graph = graph;
  return s;
}

describe('what a change means', () => {
  it('names the fields of a location that changed, not their values', () => {
    const head = edit(thesisSpecText, 'endpoint: http://127.0.0.1:18890', 'endpoint: https://kfp.b.example.com');
    expect(describeChanges(snap(thesisSpecText), snap(head))).toEqual(['location b changed: kfp.endpoint']);
  });

  it('warns that renaming the pipeline empties the cache', () => {
    const renamed = edit(thesisPipelineText, '  name: split-pipelines-thesis', '  name: thesis-v2');
    expect(describeChanges(snap(thesisSpecText), snap(thesisSpecText, renamed))[0]).toMatch(
      /^pipeline name split-pipelines-thesis → thesis-v2 \(KFP scopes its cache/,
    );
  });

  it('reports a stage whose gate became manual', () => {
    const head = edit(
      thesisSpecText,
      '    - location: c\n      steps: [serve-model]\n',
      '    - location: c\n      steps: [serve-model]\n      gate: manual\n',
    );
    expect(describeChanges(snap(thesisSpecText), snap(head))).toEqual(['stage 3 (at c) gate auto → manual']);
  });

  it('says when the base version cannot be compared', () => {
    expect(describeChanges({}, snap(thesisSpecText))).toEqual([
      'the base version is not a valid split pipeline: compared as text only',
    ]);
  });

  it('aligns stage lists by their longest common subsequence', () => {
    expect(alignLists(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual({
      pairs: [
        [0, 0],
        [2, 2],
      ],
      onlyA: [1],
      onlyB: [1, 3],
    });
  });
});
