import { describe, expect, it } from 'vitest';
import {
  driveRun,
  goFormatFloatF,
  goFormatG,
  pbValueToText,
  rootInputParameters,
} from '../../../src/pipeline/driver/index.js';
import { FakeVisitor, loadFixture } from './fake-visitor.js';
import { graphFromYaml } from './inline-pipelines.js';
import { stringMatching } from '../../support/matchers.js';

const run = {
  runId: 'run-1',
  runName: 'my run',
  jobResourceName: 'wf-abc',
  createTimeUtc: '2026-01-02T03:04:05Z',
  concurrency: 1,
};

describe('root input parameters', () => {
  const defs = graphFromYaml('literals').pkg.spec.root.inputDefinitions!.parameters!;

  it('takes run values over defaults and fills defaults of the others', () => {
    expect(rootInputParameters(defs, { mode: 'fast', flag: false })).toEqual({
      ok: true,
      parameters: { mode: 'fast', count: 2, flag: false },
    });
    expect(rootInputParameters(defs, { mode: 'slow', flag: true, count: 5 })).toEqual({
      ok: true,
      parameters: { mode: 'slow', count: 5, flag: true },
    });
  });

  it('refuses a missing required parameter with a clear message', () => {
    expect(rootInputParameters(defs, { mode: 'fast' })).toEqual({
      ok: false,
      error: 'parameter flag is not optional, yet has neither default value nor user provided value',
    });
  });

  it('refuses a value of the wrong kind, a value outside the literals and an unknown parameter', () => {
    expect(rootInputParameters(defs, { mode: 'fast', flag: 'yes' })).toMatchObject({
      ok: false,
      error: stringMatching(/flag requires type BOOLEAN/),
    });
    expect(rootInputParameters(defs, { mode: 'medium', flag: true })).toMatchObject({
      ok: false,
      error: stringMatching(/allowed literal values/),
    });
    expect(rootInputParameters(defs, { mode: 'fast', flag: true, extra: 1 })).toMatchObject({
      ok: false,
      error: stringMatching(/not required by pipeline: extra/),
    });
  });

  it('fails the run before visiting anything when its parameters are refused', async () => {
    const graph = loadFixture('pvc_mount.yaml');
    const visitor = new FakeVisitor();
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result).toMatchObject({
      state: 'failed',
      error:
        "the run's parameters are refused: parameter pvc_name is not optional, yet has neither default value nor user provided value",
    });
    expect(visitor.entered).toEqual([]);
  });

  it('passes the root defaults through nested pipelines to their components', async () => {
    const graph = loadFixture('parallel_and_nested/nested_pipeline_opt_inputs_parent_level_compiled.yaml');
    const visitor = new FakeVisitor();
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('nested-pipeline-non-nil-defaults/component-int-default')!.inputs.parameters).toEqual({
      componentInput: 1,
    });
    expect(visitor.calls.get('nested-pipeline-nil-defaults/component-nil-str-default')!.inputs.parameters).toEqual({
      componentInput: 'Input - parent pipeline',
    });
  });
});

describe('resolved task inputs', () => {
  it('gives a nested pipeline the defaults, or null, of optional inputs its task does not pass', async () => {
    const graph = graphFromYaml('nested-optional');
    const visitor = new FakeVisitor();
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.entered.find((c) => c.path.join('/') === 'inner')!.inputs.parameters).toEqual({
      opt: null,
      with_default: 'dflt',
    });
    // An optional component input fed null is left out, for the launcher to apply its default.
    expect(visitor.calls.get('inner/takes-optional')!.inputs.parameters).toEqual({});
    expect(result.byKey.get('inner/takes-required')!.error).toBe(
      'failed to resolve inputs: parameter "y": the resolved input parameter is null: opt',
    );
  });

  it('substitutes run placeholders, the task name, the parent DAG id and the workspace path, and keeps other text', async () => {
    const graph = graphFromYaml('run-placeholders');
    const visitor = new FakeVisitor();
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    const call = visitor.calls.get('show')!;
    expect(call.inputs.parameters).toEqual({
      job_name: 'my run',
      resource_name: 'wf-abc',
      job_id: 'run-1',
      task_name: 'show',
      task_id: '100', // the fake visitor's id for the root DAG frame
      created: '2026-01-02T03:04:05Z',
      workspace: '/kfp-workspace/data',
      root: 'in {{$.pipeline_root}}',
      number: 2.5,
    });
    // The workspace path makes the driver mount the workspace PVC.
    expect(call.cacheKeyInput!.pvcNames).toEqual(['wf-abc-kfp-workspace']);
    expect(call.cacheKeyInput!.customCacheKey).toBe('my-key');
  });

  it('fails a task using a run placeholder the caller did not give', async () => {
    const graph = graphFromYaml('run-placeholders');
    const result = await driveRun(graph, { parameters: {}, runName: 'r', jobResourceName: 'w' }, new FakeVisitor());
    expect(result.state).toBe('failed');
    expect(result.error).toMatch(/{{\$\.pipeline_job_uuid}}, which needs the run's runId/);
  });

  it('converts non-string values for STRING inputs to text and drops a null optional input', async () => {
    const graph = graphFromYaml('types');
    const visitor = new FakeVisitor({ outputs: { produce: { num: 1e21, items: ['a', { b: '<&>' }], text: 'seven' } } });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('consume')!.inputs.parameters).toEqual({
      as_text: '1000000000000000000000',
      list_as_text: '["a",{"b":"\\u003c\\u0026\\u003e"}]',
    });
    expect(result.byKey.get('strict')!.error).toBe(
      'failed to resolve inputs: input parameter "n" type mismatch: expect NUMBER_INTEGER, got string',
    );
  });
});

describe('Go number text', () => {
  it("formats like strconv.FormatFloat(v, 'f', -1, 64)", () => {
    expect([1, 1.5, -0.25, 1e21, 1e-7, 123456789012345680000, 0.1 + 0.2].map(goFormatFloatF)).toEqual([
      '1',
      '1.5',
      '-0.25',
      '1000000000000000000000',
      '0.0000001',
      '123456789012345680000',
      '0.30000000000000004',
    ]);
  });

  it('formats like fmt %g', () => {
    expect([1, 100000, 1e6, 1234567, 0.0001, 0.00001, -2.5e-10, Infinity, NaN].map(goFormatG)).toEqual([
      '1',
      '100000',
      '1e+06',
      '1.234567e+06',
      '0.0001',
      '1e-05',
      '-2.5e-10',
      '+Inf',
      'NaN',
    ]);
  });

  it('writes the text of each parameter kind as metadata.PbValueToText does', () => {
    expect([null, 'a', 3, true, { b: 1, a: [2.5] }].map(pbValueToText)).toEqual([
      '',
      'a',
      '3',
      'true',
      '{"a":[2.5],"b":1}',
    ]);
  });
});
