// KFP's own test vectors from `backend/src/v2/cacheutils/cache_test.go` (kubeflow/pipelines at 2.15.0
// through HEAD 7b70c7b95f, and the python:3.9 variants at tag 2.14.0). Each test builds the same
// CacheKey as the Go test, in its protojson form, and expects KFP's published fingerprint.
import { describe, expect, it } from 'vitest';
import type { CacheKeyJson } from '../../../src/pipeline/fingerprint/generate-cache-key.js';
import { generateCacheKey } from '../../../src/pipeline/fingerprint/generate-cache-key.js';
import { cacheKeyFingerprint } from '../../../src/pipeline/fingerprint/fingerprint.js';

const MODEL_INSTANCE_SCHEMA =
  'title: kfp.Model\ntype: object\nproperties:\n' +
  '  framework:\n    type: string\n  framework_version:\n    type: string\n';

/** The `cacheKey` of TestGenerateFingerPrint, also the `want` of "Generate CacheKey Correctly". */
function sameFingerPrintKey(image: string): CacheKeyJson {
  return {
    inputArtifactNames: {
      dataset_one: { artifactNames: ['1'] },
      dataset_two: { artifactNames: ['2'] },
    },
    inputParameterValues: { message: 'Some string value', num_steps: 5 },
    outputArtifactsSpec: {
      model: { name: 'model', type: { instanceSchema: MODEL_INSTANCE_SCHEMA }, metadata: { name: 'model' } },
      metrics: { name: 'metrics', type: { schemaTitle: 'kfp.Metrics' }, metadata: { name: 'metrics' } },
    },
    outputParametersSpec: { output_parameter_one: 'STRING', output_parameter_two: 'INT' },
    containerSpec: { cmdArgs: ['sh', 'ec', 'test'], image },
  };
}

/** The `cacheKey` of the "Generated Different FingerPrint" case. */
function differentFingerPrintKey(image: string): CacheKeyJson {
  return {
    inputArtifactNames: { dataset: { artifactNames: ['10'] } },
    outputParametersSpec: { output_parameter: 'DOUBLE' },
    containerSpec: { cmdArgs: ['sh', 'ec', 'run'], image },
  };
}

describe('TestGenerateFingerPrint (cacheutils/cache_test.go)', () => {
  it('gives the published fingerprint b498530c… for "Generated Same FingerPrint"', () => {
    expect(cacheKeyFingerprint(sameFingerPrintKey('python:3.11'))).toBe(
      'b498530c9016917298999ec0b01f364a180f8a3862bea0fa672a383ca3f22e4e',
    );
  });

  it('gives the published fingerprint 3d9a2a77… for "Generated Different FingerPrint"', () => {
    expect(cacheKeyFingerprint(differentFingerPrintKey('python:3.11'))).toBe(
      '3d9a2a778fa3174c6cfc6e639c507c265b5f21ef6e5b1dd70b236462cc6da464',
    );
  });

  it('gives the same fingerprint for two equal keys and different ones for different keys (wantEqual)', () => {
    const base = cacheKeyFingerprint(sameFingerPrintKey('python:3.11'));
    expect(cacheKeyFingerprint(sameFingerPrintKey('python:3.11'))).toBe(base);
    expect(cacheKeyFingerprint(differentFingerPrintKey('python:3.11'))).not.toBe(base);
  });

  it('gives the 2.14.0 published fingerprint 4e8a5d7d… for "Generated Same FingerPrint" on python:3.9', () => {
    expect(cacheKeyFingerprint(sameFingerPrintKey('python:3.9'))).toBe(
      '4e8a5d7d70997b0a35429fcd481af8fcd5b9f58ef4391bdb6ad900fd1c63622b',
    );
  });

  it('gives the 2.14.0 published fingerprint 0a4cc1f1… for "Generated Different FingerPrint" on python:3.9', () => {
    expect(cacheKeyFingerprint(differentFingerPrintKey('python:3.9'))).toBe(
      '0a4cc1f15cdfad5170e1358518f7128c5278500a670db1b9a3f3d83b93db396e',
    );
  });
});

describe('TestGenerateCacheKey (cacheutils/cache_test.go)', () => {
  it('builds the wanted key for "Generate CacheKey Correctly", wiping output URIs', () => {
    const key = generateCacheKey({
      inputArtifactNames: { dataset_one: ['1'], dataset_two: ['2'] },
      inputParameterValues: { message: 'Some string value', num_steps: 5 },
      outputArtifacts: {
        model: { name: 'model', type: { instanceSchema: MODEL_INSTANCE_SCHEMA }, metadata: { name: 'model' } },
        metrics: { name: 'metrics', type: { schemaTitle: 'kfp.Metrics' }, metadata: { name: 'metrics' } },
      },
      outputParameterTypes: { output_parameter_one: 'STRING', output_parameter_two: 'INT' },
      cmdArgs: ['sh', 'ec', 'test'],
      image: 'python:3.11',
    });
    expect(key).toEqual(sameFingerPrintKey('python:3.11'));
  });

  it('keeps PVC names in the given order for "Generate CacheKey With PVC Names"', () => {
    const key = generateCacheKey({
      inputArtifactNames: { dataset_one: ['1'] },
      inputParameterValues: { message: 'Some string value', num_steps: 5 },
      outputArtifacts: {
        model: { name: 'model', type: { instanceSchema: MODEL_INSTANCE_SCHEMA }, metadata: { name: 'model' } },
      },
      outputParameterTypes: { output_parameter_one: 'STRING' },
      cmdArgs: ['sh', 'ec', 'test'],
      image: 'python:3.11',
      pvcNames: ['workspace-pvc', 'data-pvc'],
    });
    expect(key).toEqual({
      inputArtifactNames: { dataset_one: { artifactNames: ['1'] } },
      inputParameterValues: { message: 'Some string value', num_steps: 5 },
      outputArtifactsSpec: {
        model: { name: 'model', type: { instanceSchema: MODEL_INSTANCE_SCHEMA }, metadata: { name: 'model' } },
      },
      outputParametersSpec: { output_parameter_one: 'STRING' },
      containerSpec: { cmdArgs: ['sh', 'ec', 'test'], image: 'python:3.11', pvcNames: ['workspace-pvc', 'data-pvc'] },
    });
  });
});

describe('TestGenerateFingerPrint_ConsidersPVCNames (cacheutils/cache_test.go)', () => {
  const key = (pvcNames?: string[]): CacheKeyJson => ({
    inputArtifactNames: { dataset_one: { artifactNames: ['1'] } },
    outputParametersSpec: { output_parameter_one: 'STRING' },
    containerSpec: { cmdArgs: ['sh', 'ec', 'test'], image: 'python:3.11', ...(pvcNames ? { pvcNames } : {}) },
  });

  it('changes the fingerprint when PVC names are present', () => {
    expect(cacheKeyFingerprint(key(['workspace-pvc', 'data-pvc']))).not.toBe(cacheKeyFingerprint(key()));
  });

  it('gives the same fingerprint for the same PVC names', () => {
    expect(cacheKeyFingerprint(key(['workspace-pvc', 'data-pvc']))).toBe(
      cacheKeyFingerprint(key(['workspace-pvc', 'data-pvc'])),
    );
  });

  it('changes the fingerprint for different PVC names', () => {
    expect(cacheKeyFingerprint(key(['data-pvc', 'workspace-pvc', 'extra']))).not.toBe(
      cacheKeyFingerprint(key(['workspace-pvc', 'data-pvc'])),
    );
  });
});
