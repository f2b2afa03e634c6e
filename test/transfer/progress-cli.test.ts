// The CLI's byte progress while a handoff copies (a transfer Job's, read from its pod's log, or the
// reconciler's own): redrawn in place on a terminal; in CI and --json mode (no terminal) quiet —
// the first count, then at most one line every 10 s, and the last.
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { progressPrinter } from '../../src/cli/progress.js';
import { recordingOutput } from '../../src/cli/output.js';
import type { PlannedOperation } from '../../src/plan/types.js';

const op: PlannedOperation = {
  id: 'handoff:3:b',
  kind: 'handoff',
  stage: 3,
  location: 'c',
  from: 'b',
  reason: 'c needs the model',
};
const MiB = 1024 * 1024;
const bytes = (done: number): ApplyEvent => ({ type: 'bytes', op, done: done * MiB, total: 1024 * MiB, moved: 0 });

describe('byte progress on the CLI', () => {
  it('in a log: the first count, one line per 10 s at most, and the last', () => {
    const out = recordingOutput();
    let t = 0;
    const print = progressPrinter(out, { now: () => t });
    for (const [at, done] of [
      [0, 0],
      [2_000, 100],
      [9_000, 300],
      [10_500, 400],
      [15_000, 600],
      [21_000, 900],
      [22_000, 1024],
    ] as const) {
      t = at;
      print(bytes(done));
    }
    print({ type: 'operation-done', op, detail: 'copied by job kubeflow/sp-xfer-x at c', durationMs: 22_000 });
    expect(out.err.split('\n').filter(Boolean)).toEqual([
      '  0 B / 1.0 GiB (0 B moved)',
      '  400 MiB / 1.0 GiB (0 B moved)',
      '  900 MiB / 1.0 GiB (0 B moved)',
      '  1.0 GiB / 1.0 GiB (0 B moved)',
      expect.stringMatching(/^✓ handoff .*copied by job kubeflow\/sp-xfer-x at c/),
    ]);
    expect(out.err).not.toContain('\r');
  });

  it('on a terminal: every count redrawn in place, cleared before the next line', () => {
    const rec = recordingOutput();
    const print = progressPrinter({ ...rec, isTTY: true });
    print(bytes(100));
    print(bytes(200));
    print({ type: 'operation-done', op, detail: 'done', durationMs: 1 });
    expect(rec.err).toContain(
      '\r  100 MiB / 1.0 GiB (0 B moved)\x1b[K\r  200 MiB / 1.0 GiB (0 B moved)\x1b[K\r\x1b[K✓',
    );
  });
});
