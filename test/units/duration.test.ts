// Durations as the CLI (--lock-timeout, --run-timeout) and the Action (lock-timeout) read them, and as
// messages print them: one grammar for both.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, readDuration } from '../../src/units/duration.js';

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

  it('read units, fractions, days, and plain numbers as seconds', () => {
    expect(['30s', '10m', '6h', '500ms', '2d', '1.5h', ' 10m ', '0', '90', '2.5'].map(readDuration)).toEqual([
      30_000, 600_000, 21_600_000, 500, 172_800_000, 5_400_000, 600_000, 0, 90_000, 2500,
    ]);
  });

  it('refuse what is not a duration instead of reading part of it', () => {
    for (const bad of ['', 'm', '-1s', '10 minutes', '10x', '1h30', 's10', '1h 30m', '5mss']) {
      expect(readDuration(bad), bad).toBeUndefined();
    }
    expect(() => parseDuration('10 minutes')).toThrow('"10 minutes" is not a duration (use e.g. 30s, 10m, 6h');
  });
});
