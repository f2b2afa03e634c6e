// The lab's API server reads a package as KFP's release does: protojson with DiscardUnknown false, so a
// key the release does not know makes the pipeline document unrecognised ("unknown template format",
// 2.17.0:backend/src/apiserver/template/template.go:93-101,134-143), and a platform document with such
// a key is passed over without a word (v2_template.go:216,428-440).
import { describe, expect, it } from 'vitest';
import { parsePipelinePackage } from '../../../packages/lab/src/kfp/pipeline-spec.js';

const spec = (extra = '') =>
  [
    'pipelineInfo: {name: p}',
    'schemaVersion: 2.1.0',
    'root:',
    '  inputDefinitions:',
    '    parameters:',
    `      mode: {parameterType: STRING${extra}}`,
    '  dag: {tasks: {}}',
  ].join('\n');
const platform = (config: string) =>
  ['---', 'platforms:', '  kubernetes:', `    pipelineConfig: {${config}}`].join('\n');

describe('a package read by the release the lab emulates', () => {
  it('refuses a field its release does not know, and takes it where the release knows it', () => {
    const text = spec(', literals: [a, b]');
    expect(() => parsePipelinePackage(text, '2.15.0')).toThrow(/unknown template format/);
    expect(parsePipelinePackage(text, '2.16.0').pipelineSpec).toBeDefined();
  });

  it('refuses a key no release knows, and an enum value its release does not have', () => {
    expect(() => parsePipelinePackage(spec(', colour: blue'), '2.17.0')).toThrow(/unknown template format/);
    const taskConfig = spec().replace('parameterType: STRING', 'parameterType: TASK_CONFIG');
    expect(() => parsePipelinePackage(taskConfig, '2.14.0')).toThrow(/unknown template format/);
    expect(parsePipelinePackage(taskConfig, '2.15.0').pipelineSpec).toBeDefined();
  });

  it('drops a platform spec with a key its release does not know, and keeps one it can read', () => {
    const text = `${spec()}\n${platform('resourceTtl: 60')}`;
    expect(parsePipelinePackage(text, '2.17.0').platformSpec).toBeUndefined();
    expect(parsePipelinePackage(text, '2.16.0').platformSpec).toBeDefined();
  });
});
