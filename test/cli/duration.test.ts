// Durations as the CLI reads them (--lock-timeout, --run-timeout) and as messages print them.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/cli/duration.js';

describe('durations', () => {
  it('print in the largest whole units that say them exactly, and read back the same', () => {
    for (const [ms, text] of [
      [24 * 3_600_000, '24h'],
      [5_400_000, '1h30m'],
      [45_000, '45s'],
      [1500, '1s500ms'],
      [0, '0s'],
    ] as const) {
      expect(formatDuration(ms)).toBe(text);
      expect(parseDuration(text)).toBe(ms);
    }
  });
});
