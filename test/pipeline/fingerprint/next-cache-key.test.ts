// The next KFP's cache key (kubeflow/pipelines #13986 at 6585b5143d671b9194cc0a93cfb37a8cd73d8106, "next").
// Inputs and expected values are KFP's own test facts at that commit, cited per test; the code under test
// is ours. Where KFP's test asserts a property (equal / different) and no hex, so does ours, plus the
// key's exact JSON written by hand from next:backend/src/v2/driver/cache.go:49-84 and cacheutils/cache.go.
import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { cacheKeyFingerprint } from '../../../src/pipeline/fingerprint/fingerprint.js';
import type { CacheKeyJson } from '../../../src/pipeline/fingerprint/generate-cache-key.js';
import { generateCacheKey } from '../../../src/pipeline/fingerprint/generate-cache-key.js';
import { cacheKeyVariant, isNextKfp } from '../../../src/pipeline/fingerprint/kfp-version.js';
import {
  inputArtifactIdentity,
  nextCacheKey,
  nextFingerprint,
  type NextCacheKeyInput,
} from '../../../src/pipeline/fingerprint/next-cache-key.js';

/** The shape of next:backend/src/v2/driver/cache_test.go's options: no outputs, no logs (no provisionOutputs). */
function driverTestInput(overrides: Partial<NextCacheKeyInput>): NextCacheKeyInput {
  return {
    componentName: '',
    inputArtifactIds: {},
    inputParameterValues: { input1: 'value1' },
    outputArtifacts: {},
    outputParameters: {},
    image: 'test-image:latest',
    command: ['python', 'main.py'],
    args: [],
    pipelineName: '',
    publishLogs: false,
    ...overrides,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('TestGenerateFingerPrint (next:backend/src/v2/cacheutils/cache_test.go:238-349)', () => {
  const modelSchema =
    'title: kfp.Model\ntype: object\nproperties:\n  framework:\n    type: string\n  framework_version:\n    type: string\n';
  it('"Generated Same FingerPrint" hashes to b498530c… (line 320)', () => {
    const key: CacheKeyJson = {
      inputArtifactNames: { dataset_one: { artifactNames: ['1'] }, dataset_two: { artifactNames: ['2'] } },
      inputParameterValues: { message: 'Some string value', num_steps: 5 },
      outputArtifactsSpec: {
        model: { name: 'model', type: { instanceSchema: modelSchema }, metadata: { name: 'model' } },
        metrics: { name: 'metrics', type: { schemaTitle: 'kfp.Metrics' }, metadata: { name: 'metrics' } },
      },
      outputParametersSpec: { output_parameter_one: 'STRING', output_parameter_two: 'INT' },
      containerSpec: { cmdArgs: ['sh', 'ec', 'test'], image: 'python:3.11' },
    };
    expect(cacheKeyFingerprint(key)).toBe('b498530c9016917298999ec0b01f364a180f8a3862bea0fa672a383ca3f22e4e');
  });
  it('"Generated Different FingerPrint" hashes to 3d9a2a77… (line 336)', () => {
    const key: CacheKeyJson = {
      inputArtifactNames: { dataset: { artifactNames: ['10'] } },
      outputParametersSpec: { output_parameter: 'DOUBLE' },
      containerSpec: { cmdArgs: ['sh', 'ec', 'run'], image: 'python:3.11' },
    };
    expect(cacheKeyFingerprint(key)).toBe('3d9a2a778fa3174c6cfc6e639c507c265b5f21ef6e5b1dd70b236462cc6da464');
  });
});

describe('input artifact identity (next:backend/src/v2/cacheutils/cache.go:52-62)', () => {
  it('uses the native artifact id when there is one', () => {
    expect(inputArtifactIdentity({ artifactId: 'a1b2', name: 'dataset' })).toBe('a1b2');
  });
  it('falls back to the name, as TestGenerateCacheKey does with Name "1" and no id (cache_test.go:43)', () => {
    expect(inputArtifactIdentity({ name: '1' })).toBe('1');
    expect(inputArtifactIdentity({ artifactId: '', name: '1' })).toBe('1');
  });
  it('puts the ids in the key in list order', () => {
    const key = nextCacheKey(driverTestInput({ inputArtifactIds: { data: ['id-b', 'id-a'] } }));
    expect(key.inputArtifactNames).toEqual({ data: { artifactNames: ['id-b', 'id-a'] } });
  });
});

describe('pipeline name in the key (next:backend/src/v2/driver/cache.go:53-58)', () => {
  it('appends __kfp_pipeline_name after command and args', () => {
    const key = nextCacheKey(driverTestInput({ args: ['--flag'], pipelineName: 'p' }));
    expect(key.containerSpec?.cmdArgs).toEqual(['python', 'main.py', '--flag', '__kfp_pipeline_name=p']);
  });
  it('hashes the key JSON written by hand from the Go code', () => {
    const expected =
      '{"containerSpec":{"cmdArgs":["python","main.py","__kfp_pipeline_name=pipeline-a"],"image":"test-image:latest"},' +
      '"inputParameterValues":{"input1":"value1"}}';
    expect(nextFingerprint(driverTestInput({ pipelineName: 'pipeline-a' }))).toBe(sha256(expected));
  });
  it('TestGetFingerPrintIncludesPipelineName (cache_test.go:64-97): pipeline-a and pipeline-b differ', () => {
    expect(nextFingerprint(driverTestInput({ pipelineName: 'pipeline-a' }))).not.toBe(
      nextFingerprint(driverTestInput({ pipelineName: 'pipeline-b' })),
    );
  });
  it('differs from the 2.18 key for the same task (which has no pipeline name)', () => {
    const input = driverTestInput({ pipelineName: 'p' });
    expect(
      cacheKeyFingerprint(
        generateCacheKey({
          inputArtifactNames: {},
          inputParameterValues: input.inputParameterValues,
          outputArtifacts: {},
          outputParameterTypes: {},
          cmdArgs: input.command,
          image: input.image,
        }),
      ),
    ).not.toBe(nextFingerprint(input));
  });
});

describe('PVC names (next:backend/src/v2/driver/cache.go:60-70)', () => {
  it('TestGetFingerPrintIsDeterministicForEquivalentPVCSets (cache_test.go:30-62)', () => {
    const base = { args: ['--flag'], outputParameters: {} };
    const a = nextFingerprint(driverTestInput({ ...base, pvcNames: ['pvc-b', 'pvc-a', 'pvc-b'] }));
    const b = nextFingerprint(driverTestInput({ ...base, pvcNames: ['pvc-a', 'pvc-b'] }));
    expect(a).toBe(b);
    expect(nextCacheKey(driverTestInput({ ...base, pvcNames: ['pvc-b', 'pvc-a'] })).containerSpec?.pvcNames).toEqual([
      'pvc-a',
      'pvc-b',
    ]);
  });
});

describe('custom cache key (next:backend/src/v2/driver/cache.go:39-48)', () => {
  const custom = (componentName: string, extra: Partial<NextCacheKeyInput> = {}): string =>
    nextFingerprint(driverTestInput({ componentName, customCacheKey: 'my-custom-cache-key', ...extra }));
  it('TestGetFingerPrintUsesCustomCacheKey (cache_test.go:373-387): ad05e747…', () => {
    expect(custom('my-component', { pvcNames: ['ignored-pvc'] })).toBe(
      'ad05e747b67b95e4fc4ce080cdb5850f89744360a85753b90a1a434d46dedd2e',
    );
  });
  it('TestGetFingerPrintCustomCacheKeyIgnoresResolvedInputsAndContainerShape (cache_test.go:389-442)', () => {
    const a = custom('my-component', {
      image: 'image-a:latest',
      args: ['--flag-a'],
      inputParameterValues: { input1: 'value-a' },
      outputParameters: { output1: 'STRING' },
      pvcNames: ['pvc-a'],
      pipelineName: 'pipeline-a',
    });
    const b = custom('my-component', {
      image: 'image-b:latest',
      command: ['python', 'other.py'],
      args: ['--flag-b'],
      inputParameterValues: { input1: 'value-b' },
      pvcNames: ['pvc-b', 'pvc-c'],
      pipelineName: 'pipeline-b',
    });
    expect(a).toBe(b);
    expect(a).toBe('ad05e747b67b95e4fc4ce080cdb5850f89744360a85753b90a1a434d46dedd2e');
  });
  it('TestGetFingerPrintCustomCacheKeyStillScopesByComponent (cache_test.go:444-472): 3b3a067c… for other-component', () => {
    expect(custom('other-component')).toBe('3b3a067cac2d9161742542c6afa8a1291699e27c637dd0d5d66cd8b2bdc5ab76');
  });
  it('an empty custom key falls back to the computed key (GetCacheKey() != "")', () => {
    expect(nextFingerprint(driverTestInput({ customCacheKey: '', pipelineName: 'p' }))).toBe(
      nextFingerprint(driverTestInput({ pipelineName: 'p' })),
    );
  });
});

describe('the next release value (kfp-version.ts)', () => {
  it('names the next KFP', () => {
    expect(isNextKfp('next')).toBe(true);
    expect(isNextKfp(' Next ')).toBe(true);
    expect(isNextKfp('2.18.0')).toBe(false);
    expect(cacheKeyVariant('next')).toMatchObject({ known: true, next: true, pvcNames: true, customCacheKey: true });
    expect(cacheKeyVariant('2.17.0').next).toBeUndefined();
  });
});
