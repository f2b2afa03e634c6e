// The package is read as KFP's API server reads it (protojson): JSON null for a field is unset,
// enums may be numbers, fields may carry their proto names. What the SDK writes is left unchanged,
// and the hand-written forms KFP accepts hash exactly as the SDK's form does.
import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { driveRun } from '../../src/pipeline/driver/index.js';
import { buildCacheKey, fingerprint } from '../../src/pipeline/fingerprint/index.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { readPipelineSpecJson } from '../../src/pipeline/protojson-read.js';
import { compiledFixtures } from '../support/fixtures.js';
import { FakeVisitor } from './driver/fake-visitor.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };

/** One container task `train` with an output parameter and an output artifact, in the SDK's form. */
function pkg(outputs: { parameter: string; artifact: string }): string {
  return [
    'pipelineInfo: {name: p}',
    'schemaVersion: 2.1.0',
    'components:',
    '  comp-train:',
    '    executorLabel: exec-train',
    '    outputDefinitions:',
    '      parameters:',
    '        score:',
    `          ${outputs.parameter}`,
    '      artifacts:',
    '        model:',
    '          artifactType:',
    '            schemaTitle: system.Model',
    ...outputs.artifact.split('\n').map((l) => `          ${l}`),
    'deploymentSpec:',
    '  executors:',
    '    exec-train: {container: {image: python:3.11, command: [python, train.py]}}',
    'root:',
    '  dag:',
    '    tasks:',
    '      train: {componentRef: {name: comp-train}, cachingOptions: {enableCache: true}, taskInfo: {name: train}}',
  ].join('\n');
}

const SDK = pkg({ parameter: 'parameterType: STRING', artifact: '  schemaVersion: 0.0.1' });

async function keyOf(text: string) {
  const loaded = parsePipelineText(text, 'p.yaml');
  expect(loaded.diagnostics).toEqual([]);
  const visitor = new FakeVisitor();
  await driveRun(loaded.graph!, { parameters: {}, ...run }, visitor);
  const input = visitor.calls.get('train')!.cacheKeyInput!;
  return { input, fp: (v: string) => fingerprint(input, v), key: JSON.stringify(buildCacheKey(input, '2.17.0')) };
}

describe('reading a package as protojson does', () => {
  for (const [name, text] of [
    [
      '`metadata:` with no value under an output artifact',
      pkg({ parameter: 'parameterType: STRING', artifact: '  schemaVersion: 0.0.1\nmetadata:' }),
    ],
    ['`schemaVersion:` with no value', pkg({ parameter: 'parameterType: STRING', artifact: '  schemaVersion:' })],
    ['`parameterType: 3`', pkg({ parameter: 'parameterType: 3', artifact: '  schemaVersion: 0.0.1' })],
    [
      '`parameter_type: STRING` (the proto name)',
      pkg({ parameter: 'parameter_type: STRING', artifact: '  schemaVersion: 0.0.1' }),
    ],
  ] as const) {
    it(`hashes ${name} exactly as the SDK's form, on every key variant`, async () => {
      const sdk = await keyOf(SDK);
      const hand = await keyOf(text);
      if (name.startsWith('`schemaVersion')) {
        // KFP leaves the version out of the key, as for a type written without one.
        const noVersion = await keyOf(pkg({ parameter: 'parameterType: STRING', artifact: '' }));
        expect(hand.key).toBe(noVersion.key);
        expect(hand.key).not.toContain('null');
        for (const v of ['2.14.0', '2.15.0', '2.17.0']) expect(hand.fp(v)).toBe(noVersion.fp(v));
        return;
      }
      expect(hand.key).toBe(sdk.key);
      expect(hand.key).not.toContain('null');
      expect(hand.key).toContain('"outputParametersSpec":{"score":"STRING"}');
      for (const v of ['2.14.0', '2.15.0', '2.17.0']) expect(hand.fp(v)).toBe(sdk.fp(v));
    });
  }

  it('keeps nulls inside a Struct: metadata {k: null} is a NullValue in the key, unlike {}', async () => {
    const withNull = await keyOf(
      pkg({ parameter: 'parameterType: STRING', artifact: '  schemaVersion: 0.0.1\nmetadata: {k: null}' }),
    );
    const empty = await keyOf(
      pkg({ parameter: 'parameterType: STRING', artifact: '  schemaVersion: 0.0.1\nmetadata: {}' }),
    );
    expect(withNull.input.outputArtifacts.model!.metadata).toEqual({ k: null });
    expect(withNull.key).toContain('"metadata":{"k":null}');
    expect(withNull.fp('2.17.0')).not.toBe(empty.fp('2.17.0'));
  });

  it('drops null fields, keeps a null google.protobuf.Value, and names enum numbers', () => {
    const read = readPipelineSpecJson({
      pipelineInfo: { name: 'p', description: null },
      sdkVersion: null,
      root: {
        inputDefinitions: {
          parameters: {
            a: { parameterType: 1, defaultValue: null, isOptional: true, literals: null },
            b: { type: 3, parameterType: 6 },
          },
        },
        dag: {
          tasks: {
            t: {
              componentRef: { name: 'c' },
              dependentTasks: null,
              triggerPolicy: { condition: 'x', strategy: 2 },
              iteratorPolicy: { parallelismLimit: '2' },
              inputs: { parameters: { x: { runtimeValue: { constant: null } } } },
            },
          },
        },
      },
    });
    expect(read.problems).toEqual([]);
    expect(read.value).toEqual({
      pipelineInfo: { name: 'p' },
      root: {
        inputDefinitions: {
          parameters: {
            a: { parameterType: 'NUMBER_DOUBLE', defaultValue: null, isOptional: true },
            b: { type: 'STRING', parameterType: 'STRUCT' },
          },
        },
        dag: {
          tasks: {
            t: {
              componentRef: { name: 'c' },
              triggerPolicy: { condition: 'x', strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
              iteratorPolicy: { parallelismLimit: 2 },
              inputs: { parameters: { x: { runtimeValue: { constant: null } } } },
            },
          },
        },
      },
    });
  });

  it('reads deploymentSpec as PipelineDeploymentConfig and keeps Struct contents and unknown fields untouched', () => {
    const read = readPipelineSpecJson({
      deploymentSpec: {
        executors: {
          imp: {
            importer: {
              artifact_uri: { constant: 's3://b/x' },
              metadata: { a: null },
              typeSchema: { schemaTitle: 'system.Dataset', schemaVersion: null },
            },
          },
          c: { container: { image: 'i', args: null, env: [{ name: 'A', value: null }] } },
        },
      },
      someFutureField: { x: null },
    });
    expect(read.value).toEqual({
      deploymentSpec: {
        executors: {
          imp: {
            importer: {
              artifactUri: { constant: 's3://b/x' },
              metadata: { a: null },
              typeSchema: { schemaTitle: 'system.Dataset' },
            },
          },
          c: { container: { image: 'i', env: [{ name: 'A' }] } },
        },
      },
      someFutureField: { x: null },
    });
  });

  it('refuses a field given under both names, at its position, as KFP does', () => {
    const text = SDK.replace('parameterType: STRING', 'parameterType: STRING\n          parameter_type: STRING');
    const loaded = parsePipelineText(text, 'p.yaml');
    expect(loaded.diagnostics).toEqual([
      {
        file: 'p.yaml',
        line: 10,
        col: 27,
        severity: 'error',
        message:
          'field "parameterType" is given twice (as "parameterType" and "parameter_type"); KFP refuses the package (protojson: duplicate field)',
      },
    ]);
  });

  it('names a numeric enum in the platform spec reader too, and drops its null fields', () => {
    const text = `${SDK}\n---\nplatforms:\n  kubernetes:\n    pipelineConfig: {workspace: {size: 1Gi, kubernetes: null}}\n    deploymentSpec: null\n`;
    const loaded = parsePipelineText(text, 'p.yaml');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.graph!.pkg.platformSpec).toEqual({
      platforms: { kubernetes: { pipelineConfig: { workspace: { size: '1Gi' } } } },
    });
  });
});

describe('every real compiled KFP pipeline', () => {
  for (const [rel, path] of compiledFixtures()) {
    it(`reads ${rel} unchanged: the SDK already writes what protojson would`, () => {
      const text = readFileSync(path, 'utf8');
      const loaded = parsePipelineText(text, rel);
      expect(loaded.diagnostics).toEqual([]);
      const docs = rawDocuments(text);
      expect(loaded.graph!.pkg.spec).toEqual(docs[0]);
      if (docs[1] !== undefined) expect(loaded.graph!.pkg.platformSpec).toEqual(docs[1]);
    });
  }
});

function rawDocuments(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.every((d) => d.errors.length === 0))
    return list.filter((d) => d.contents !== null).map((d): unknown => d.toJS());
  return jsYaml.loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA }).filter((v) => v !== null && v !== undefined);
}
