// Durations as people write them: the CLI's --lock-timeout and --run-timeout, the Action's
// lock-timeout input, and how messages print a duration back. One grammar for both, so a value
// copied from a workflow into a terminal means the same.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

// `ms` before `m`, so that `500ms` is not read as 500 minutes followed by garbage.
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export const DURATION_EXAMPLES = '30s, 10m, 6h, 1h30m or 500ms';

/**
 * `30s`, `10m`, `6h`, `1h30m`, `1.5h`, `2d`, `500ms`, or a plain number of seconds → milliseconds;
 * undefined when the text is not a duration (negative, empty, unknown unit, trailing text).
 */
export function readDuration(text: string): number | undefined {
  const t = text.trim();
  if (t.length === 0) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < t.length) {
    const m = PART.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
  }
  return Math.round(total);
}

/** As `readDuration`, for callers that stop at a bad value: the error says what is accepted. */
export function parseDuration(text: string): number {
  const ms = readDuration(text);
  if (ms === undefined) throw new Error(`"${text}" is not a duration (use e.g. ${DURATION_EXAMPLES})`);
  return ms;
}

/** Milliseconds as the largest whole units that say it exactly, e.g. `24h`, `1h30m`, `45s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms === 0) return '0s';
  const units: [string, number][] = [
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
    ['ms', UNIT_MS.ms],
  ];
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** An elapsed time for progress lines: one decimal of seconds, which is what a person compares. */
export function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
