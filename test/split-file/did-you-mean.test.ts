import { describe, expect, test } from 'vitest';
import { closestMatch, damerauLevenshtein, didYouMean } from '../../src/split-file/did-you-mean.js';

describe('damerauLevenshtein', () => {
  test('is 0 for equal words', () => {
    expect(damerauLevenshtein('endpoint', 'endpoint')).toBe(0);
  });

  test('counts a swap of two adjacent letters as one edit', () => {
    expect(damerauLevenshtein('endpiont', 'endpoint')).toBe(1);
  });

  test('counts insertions, deletions and substitutions as one edit each', () => {
    expect(damerauLevenshtein('kitten', 'sitting')).toBe(3);
    expect(damerauLevenshtein('', 'abc')).toBe(3);
    expect(damerauLevenshtein('abc', '')).toBe(3);
  });

  test('allows edits between transposed letters (unrestricted distance: "ca" → "abc" is 2)', () => {
    // The restricted variant (optimal string alignment) gives 3 here.
    expect(damerauLevenshtein('ca', 'abc')).toBe(2);
  });

  test('is symmetric', () => {
    for (const [a, b] of [
      ['namespace', 'nmaespcae'],
      ['tokenEnv', 'tokneFile'],
      ['a', 'ba'],
    ] as const) {
      expect(damerauLevenshtein(a, b)).toBe(damerauLevenshtein(b, a));
    }
  });
});

describe('closestMatch', () => {
  const fields = ['endpoint', 'namespace', 'auth', 'userIdHeader', 'caBundleFile', 'insecureSkipTlsVerify', 'version'];

  test('finds the field a typo was meant to be', () => {
    expect(closestMatch('endpiont', fields)).toBe('endpoint');
    expect(closestMatch('namespce', fields)).toBe('namespace');
    expect(closestMatch('insecureSkipTLSVerify', fields)).toBe('insecureSkipTlsVerify');
  });

  test('treats snake_case and kebab-case as the camelCase field', () => {
    expect(closestMatch('ca_bundle_file', fields)).toBe('caBundleFile');
    expect(closestMatch('user-id-header', fields)).toBe('userIdHeader');
  });

  test('suggests nothing for a word unlike every candidate', () => {
    expect(closestMatch('cron', fields)).toBeUndefined();
    expect(closestMatch('x', fields)).toBeUndefined();
  });

  test('suggests nothing for very long words rather than spending quadratic time on them', () => {
    expect(closestMatch('e'.repeat(10_000), ['e'.repeat(9_999)])).toBeUndefined();
  });
});

describe('didYouMean', () => {
  test('phrases the suggestion, or says nothing', () => {
    expect(didYouMean('manul', ['auto', 'manual'])).toBe(' (did you mean "manual"?)');
    expect(didYouMean('whatever', ['auto', 'manual'])).toBe('');
  });
});
