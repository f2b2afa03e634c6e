import { describe, expect, it } from 'vitest';
import { cacheKeyVariant, parseKfpVersion } from '../../../src/pipeline/fingerprint/kfp-version.js';

describe('parseKfpVersion', () => {
  it('parses a release, a v-prefixed release and a pre-release with build metadata', () => {
    expect(parseKfpVersion('2.14.0')).toEqual({ major: 2, minor: 14, patch: 0, prerelease: '' });
    expect(parseKfpVersion('v2.15.1')).toEqual({ major: 2, minor: 15, patch: 1, prerelease: '' });
    expect(parseKfpVersion(' 2.18.0-rc.1+abc ')).toEqual({ major: 2, minor: 18, patch: 0, prerelease: 'rc.1' });
  });

  it('returns undefined for unknown, dev, master and the empty string', () => {
    for (const v of ['unknown', 'dev', 'master', '', '2.15']) expect(parseKfpVersion(v)).toBeUndefined();
  });
});

describe('cacheKeyVariant', () => {
  it('has no PVC names, no output artifact names and no custom key at 2.14.0', () => {
    expect(cacheKeyVariant('2.14.0')).toMatchObject({
      known: true,
      pvcNames: false,
      outputArtifactNames: false,
      customCacheKey: false,
    });
  });

  it('keeps the 2.14 shape for the 2.14.4 patch release, which did not get the 2.15 features', () => {
    expect(cacheKeyVariant('2.14.4')).toMatchObject({ pvcNames: false, outputArtifactNames: false });
  });

  it('adds PVC names and output artifact names from 2.15.0, still without a custom key', () => {
    expect(cacheKeyVariant('v2.15.0')).toMatchObject({
      pvcNames: true,
      outputArtifactNames: true,
      customCacheKey: false,
    });
  });

  it('ignores the custom cache key at 2.17.0 and its patch releases', () => {
    expect(cacheKeyVariant('2.17.0').customCacheKey).toBe(false);
    expect(cacheKeyVariant('2.17.1').customCacheKey).toBe(false);
  });

  it('honours the custom cache key from the first 2.18 pre-release on', () => {
    expect(cacheKeyVariant('2.18.0-rc.1').customCacheKey).toBe(true);
    expect(cacheKeyVariant('2.18.0').customCacheKey).toBe(true);
    expect(cacheKeyVariant('3.0.0').customCacheKey).toBe(true);
  });

  it('gives a known release no warning', () => {
    expect(cacheKeyVariant('2.16.1').warning).toBeUndefined();
  });

  it('assumes the newest shape for "unknown", marked unknown with a warning', () => {
    const variant = cacheKeyVariant('unknown');
    expect(variant).toMatchObject({ known: false, pvcNames: true, outputArtifactNames: true, customCacheKey: true });
    expect(variant.warning).toMatch(/"unknown" is not a release version/);
  });

  it('warns about versions older than 2.14.0, which were not checked', () => {
    const variant = cacheKeyVariant('2.5.0');
    expect(variant).toMatchObject({ known: true, pvcNames: false, customCacheKey: false });
    expect(variant.warning).toMatch(/older than 2\.14\.0/);
  });
});
