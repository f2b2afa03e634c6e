import { describe, expect, it } from 'vitest';
import { pollMsFromEnv } from '../../src/apply/poll-interval.js';

describe('SPLIT_PIPELINES_POLL_MS', () => {
  it('sets the first interval between two reads of a run, in whole milliseconds', () => {
    expect(pollMsFromEnv({ SPLIT_PIPELINES_POLL_MS: '100' })).toBe(100);
    expect(pollMsFromEnv({ SPLIT_PIPELINES_POLL_MS: '250.7' })).toBe(250);
  });

  it('leaves the defaults when unset, empty, below 10 ms or not a number', () => {
    for (const raw of [undefined, '', ' ', '5', '-100', 'fast', 'Infinity']) {
      expect(pollMsFromEnv(raw === undefined ? {} : { SPLIT_PIPELINES_POLL_MS: raw })).toBeUndefined();
    }
  });
});
