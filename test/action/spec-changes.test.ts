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

  it('reports a parameter given from the environment, naming the variable, never a value', () => {
    const head = edit(
      thesisSpecText,
      '  pipeline:\n',
      '  pipeline:\n    parametersFromEnv: { source_token: SOURCE_TOKEN }\n',
    );
    expect(describeChanges(snap(thesisSpecText), snap(head))).toEqual([
      'parameter source_token now given from the environment (SOURCE_TOKEN)',
    ]);
    const renamed = edit(head, 'SOURCE_TOKEN', 'OTHER_TOKEN');
    expect(describeChanges(snap(head), snap(renamed))).toEqual([
      'parameter source_token from the environment: SOURCE_TOKEN → OTHER_TOKEN',
    ]);
    expect(describeChanges(snap(head), snap(thesisSpecText))).toEqual([
      'parameter source_token no longer given from the environment (was SOURCE_TOKEN)',
    ]);
  });

  it('reports a built-in default policy relaxed or restored (it changes what is enforced)', () => {
    const relaxed = `${thesisSpecText.trimEnd()}\n  defaultPolicies:\n    secret-parameters: { enforcement: soft, owners: [lab-admins] }\n`;
    expect(describeChanges(snap(thesisSpecText), snap(relaxed))).toEqual([
      'default policy secret-parameters: hard (built-in default) → soft (owners: lab-admins)',
    ]);
    const owners = edit(relaxed, '[lab-admins]', '[lab-admins, ana]');
    expect(describeChanges(snap(relaxed), snap(owners))).toEqual([
      'default policy secret-parameters: soft (owners: lab-admins) → soft (owners: lab-admins, ana)',
    ]);
    expect(describeChanges(snap(relaxed), snap(thesisSpecText))).toEqual([
      'default policy secret-parameters: soft (owners: lab-admins) → hard (built-in default)',
    ]);
  });

  it("reports the file's policies, policy files, exceptions and residency rules", () => {
    const policy = [
      '  policies:',
      '    - name: small',
      '      enforcement: soft',
      '      owners: [ana]',
      '      scope: handoff',
      '      validations: [{ expression: "handoff.bytes < 10", message: big }]',
    ].join('\n');
    const base = `${thesisSpecText.trimEnd()}\n${policy}\n`;
    const head = [
      edit(base, 'enforcement: soft', 'enforcement: advisory').trimEnd(),
      '  policyFiles: [policies.yaml]',
      '  data: [{ step: load-data, keepIn: [a] }]',
      '  policyExceptions: [{ policy: small, why: w, approvedBy: ana, until: 2027-01-01 }]',
      '',
    ].join('\n');
    expect(describeChanges(snap(base), snap(head))).toEqual([
      'policy small changed: enforcement',
      'policy file policies.yaml added',
      'exception for policy small added',
      'data residency and labels (spec.data) changed: 0 → 1 entries',
    ]);
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
