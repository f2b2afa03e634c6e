// KFP's own test vectors from `backend/src/v2/driver/cache_test.go` (kubeflow/pipelines HEAD
// 7b70c7b95f, after the custom cache key commit 46a45299f3). The Go tests run `getFingerPrint` with a
// mock cache client; here the same Options/ExecutorInput become a CacheKeyInput. Cases that only
// exercise the mock's error paths or the cache lookup (Test_getFingerPrintsAndID's enable/disable
// cases, Test_createCache) have nothing to compute and are not reproduced.
import { describe, expect, it } from 'vitest';
import { buildCacheKey, type CacheKeyInput } from '../../../src/pipeline/fingerprint/cache-key.js';
import { fingerprint } from '../../../src/pipeline/fingerprint/fingerprint.js';

// The driver tests run at HEAD, i.e. after 2.17.0; 2.18.0 is the first release with that behaviour.
const HEAD_VERSION = '2.18.0';

/** A task whose executor input is empty, as in the Go tests (so no outputs, no executor-logs). */
function task(overrides: Partial<CacheKeyInput>): CacheKeyInput {
  return {
    componentName: '',
    inputArtifactIds: {},
    inputParameterValues: {},
    outputArtifacts: {},
    outputParameters: {},
    image: '',
    command: [],
    args: [],
    publishLogs: false,
    ...overrides,
  };
}

describe('Test_getFingerPrint (driver/cache_test.go)', () => {
  it('passes the image and command followed by args for "basic fingerprint generation"', () => {
    const key = buildCacheKey(
      task({
        inputParameterValues: { input1: 'value1' },
        image: 'test-image:latest',
        command: ['python', 'main.py'],
        args: ['--flag'],
      }),
      HEAD_VERSION,
    );
    expect(key.containerSpec).toEqual({ image: 'test-image:latest', cmdArgs: ['python', 'main.py', '--flag'] });
  });

  it('de-duplicates and sorts PVC names for "PVC names are deduplicated and sorted"', () => {
    const key = buildCacheKey(
      task({ image: 'test-image:latest', pvcNames: ['pvc-b', 'pvc-a', 'pvc-b', 'pvc-c', 'pvc-a'] }),
      HEAD_VERSION,
    );
    expect(key.containerSpec?.pvcNames).toEqual(['pvc-a', 'pvc-b', 'pvc-c']);
  });

  it('builds a key holding only the image for "empty inputs produce valid fingerprint"', () => {
    expect(buildCacheKey(task({ image: 'test-image:latest' }), HEAD_VERSION)).toEqual({
      containerSpec: { image: 'test-image:latest' },
    });
  });

  it('gives the published fingerprint ad05e747… for "custom cache key overrides default fingerprint"', () => {
    const input = task({ componentName: 'my-component', customCacheKey: 'my-custom-cache-key' });
    expect(fingerprint(input, HEAD_VERSION)).toBe('ad05e747b67b95e4fc4ce080cdb5850f89744360a85753b90a1a434d46dedd2e');
  });

  it('gives the published fingerprint ad05e747… whatever the inputs, image, command and PVCs', () => {
    const input = task({
      componentName: 'my-component',
      customCacheKey: 'my-custom-cache-key',
      inputParameterValues: { input1: 'different-value' },
      outputParameters: { output1: 'STRING' },
      image: 'different-image:v2',
      command: ['python', 'other.py'],
      args: ['--other-flag'],
      pvcNames: ['some-pvc'],
    });
    expect(fingerprint(input, HEAD_VERSION)).toBe('ad05e747b67b95e4fc4ce080cdb5850f89744360a85753b90a1a434d46dedd2e');
  });

  it('gives the published fingerprint 3b3a067c… for "custom cache key scopes by component"', () => {
    const input = task({ componentName: 'other-component', customCacheKey: 'my-custom-cache-key' });
    expect(fingerprint(input, HEAD_VERSION)).toBe('3b3a067cac2d9161742542c6afa8a1291699e27c637dd0d5d66cd8b2bdc5ab76');
  });
});

describe('Test_getFingerPrintsAndID (driver/cache_test.go)', () => {
  it('gives the published fingerprint 7a5348eb… for "custom cache key in getFingerPrintsAndID"', () => {
    const input = task({ componentName: 'my-component', customCacheKey: 'custom-key' });
    expect(fingerprint(input, HEAD_VERSION)).toBe('7a5348ebd8b216ba326ef72a8cfa070636c903428e429684b03e42dd1e772641');
  });
});
