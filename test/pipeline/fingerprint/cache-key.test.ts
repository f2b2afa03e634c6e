import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCacheKey, type CacheKeyInput } from '../../../src/pipeline/fingerprint/cache-key.js';
import { fingerprint, fingerprintBasis } from '../../../src/pipeline/fingerprint/fingerprint.js';
import { CacheKeyError } from '../../../src/pipeline/fingerprint/generate-cache-key.js';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A small component: one input artifact, two parameters, a Dataset and a Metrics output. */
function trainTask(overrides: Partial<CacheKeyInput> = {}): CacheKeyInput {
  return {
    componentName: 'comp-train',
    inputArtifactIds: { data: ['42'] },
    inputParameterValues: { lr: 0.001, name: 'a<b' },
    outputArtifacts: {
      model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } },
    },
    outputParameters: { Output: 'NUMBER_DOUBLE' },
    image: 'python:3.11',
    command: ['sh', '-c'],
    args: ['--lr', "{{$.inputs.parameters['lr']}}"],
    ...overrides,
  };
}

describe('buildCacheKey and fingerprint end to end', () => {
  it('hashes, at 2.15.0, the Go JSON text written out by hand for a typical task', () => {
    const goJson =
      '{"containerSpec":{"cmdArgs":["sh","-c","--lr","{{$.inputs.parameters[\'lr\']}}"],"image":"python:3.11"},' +
      '"inputArtifactNames":{"data":{"artifactNames":["42"]}},' +
      '"inputParameterValues":{"lr":0.001,"name":"a\\u003cb"},' +
      '"outputArtifactsSpec":{' +
      '"executor-logs":{"name":"executor-logs","type":{"schemaTitle":"system.Artifact"}},' +
      '"model":{"name":"model","type":{"schemaTitle":"system.Model","schemaVersion":"0.0.1"}}},' +
      '"outputParametersSpec":{"Output":"NUMBER_DOUBLE"}}';
    expect(fingerprint(trainTask(), '2.15.0')).toBe(sha256(goJson));
  });

  it('leaves output artifact names out of the key at 2.14.0', () => {
    expect(buildCacheKey(trainTask(), '2.14.0').outputArtifactsSpec).toEqual({
      'executor-logs': { type: { schemaTitle: 'system.Artifact' } },
      model: { type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } },
    });
  });
});

describe('buildCacheKey: outputs as provisionOutputs makes them', () => {
  it('adds no executor-logs output when logs are not published', () => {
    const key = buildCacheKey(trainTask({ publishLogs: false }), '2.15.0');
    expect(Object.keys(key.outputArtifactsSpec ?? {})).toEqual(['model']);
  });

  it('publishes no logs by default for the argostub/createpvc platform op', () => {
    const key = buildCacheKey(trainTask({ image: 'argostub/createpvc', outputArtifacts: {} }), '2.15.0');
    expect(key.outputArtifactsSpec).toBeUndefined();
  });

  it('replaces a declared output named executor-logs by the system.Artifact log output', () => {
    const key = buildCacheKey(
      trainTask({ outputArtifacts: { 'executor-logs': { artifactType: { schemaTitle: 'system.Dataset' } } } }),
      '2.15.0',
    );
    expect(key.outputArtifactsSpec?.['executor-logs']).toEqual({
      name: 'executor-logs',
      type: { schemaTitle: 'system.Artifact' },
    });
  });

  it('keeps empty metadata as {} because protojson writes a set Struct', () => {
    const key = buildCacheKey(trainTask({ outputArtifacts: { m: { metadata: {} } }, publishLogs: false }), '2.15.0');
    expect(key.outputArtifactsSpec).toEqual({ m: { name: 'm', metadata: {} } });
  });

  it('rejects an artifact type with two kinds, which the proto oneof cannot hold', () => {
    const outputArtifacts = { m: { artifactType: { schemaTitle: 'system.Model', instanceSchema: 'x' } } };
    expect(() => buildCacheKey(trainTask({ outputArtifacts }), '2.15.0')).toThrow(CacheKeyError);
  });
});

describe('buildCacheKey: inputs and empty fields', () => {
  it('writes an input artifact with no artifacts as an empty entry', () => {
    expect(buildCacheKey(trainTask({ inputArtifactIds: { data: [] } }), '2.15.0').inputArtifactNames).toEqual({
      data: {},
    });
  });

  it('leaves out empty input, output and parameter maps', () => {
    const empty = { inputArtifactIds: {}, inputParameterValues: {}, outputArtifacts: {}, outputParameters: {} };
    const key = buildCacheKey(trainTask({ ...empty, publishLogs: false }), '2.15.0');
    expect(Object.keys(key)).toEqual(['containerSpec']);
  });
});

describe('fingerprint across KFP versions', () => {
  it('changes with a PVC name at 2.15.0', () => {
    expect(fingerprint(trainTask({ pvcNames: ['shared'] }), '2.15.0')).not.toBe(fingerprint(trainTask(), '2.15.0'));
  });

  it('ignores PVC names at 2.14.0', () => {
    expect(fingerprint(trainTask({ pvcNames: ['shared'] }), '2.14.0')).toBe(fingerprint(trainTask(), '2.14.0'));
  });

  it('differs between 2.14.0 and 2.15.0 for a task with output artifacts', () => {
    expect(fingerprint(trainTask(), '2.14.0')).not.toBe(fingerprint(trainTask(), '2.15.0'));
  });

  it('ignores a custom cache key at 2.17.0', () => {
    expect(fingerprint(trainTask({ customCacheKey: 'v1' }), '2.17.0')).toBe(fingerprint(trainTask(), '2.17.0'));
  });

  it('uses a custom cache key at 2.18.0 in place of the computed key', () => {
    expect(fingerprint(trainTask({ customCacheKey: 'v1' }), '2.18.0')).toBe(sha256('comp-train\u0000v1'));
  });

  it('falls back to the computed key when the custom cache key is empty', () => {
    expect(fingerprintBasis(trainTask({ customCacheKey: '' }), '2.18.0').kind).toBe('cache-key');
  });

  it('hashes only the custom key when the component name is empty', () => {
    expect(fingerprint(trainTask({ componentName: '', customCacheKey: 'v1' }), '2.18.0')).toBe(sha256('v1'));
  });
});
