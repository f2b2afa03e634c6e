// `apply --json`: the progress on stderr is structured too, one JSON event a line with the line a terminal would
// show, the operation by id, and byte counts as seldom as in a log (first, every 10 s, last).
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { jsonProgressPrinter } from '../../src/cli/progress.js';
import type { PlannedOperation } from '../../src/plan/types.js';

const op = {
  id: 'handoff:2:a',
  kind: 'handoff',
  stage: 2,
  location: 'b',
  from: 'a',
  steps: ['load-data'],
  reason: 'b needs load-data',
  reasonCode: 'handoff-needed',
} as unknown as PlannedOperation;

describe('apply --json progress', () => {
  it('writes one JSON event a line on stderr, with the terminal line as message, throttling byte counts', () => {
    const lines: string[] = [];
    let t = 0;
    const print = jsonProgressPrinter(
      { stdout: () => expect.fail('progress never goes to stdout'), stderr: (s) => lines.push(s), isTTY: false },
      { now: () => t },
    );
    const events: ApplyEvent[] = [
      { type: 'operation-start', op },
      { type: 'bytes', op, done: 1, total: 100, moved: 1 },
      { type: 'bytes', op, done: 50, total: 100, moved: 50 },
      { type: 'bytes', op, done: 100, total: 100, moved: 100 },
      { type: 'operation-done', op, detail: 'copied', durationMs: 1200, bytesMoved: 100 },
    ];
    for (const e of events) {
      print(e);
      t += 1000;
    }
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // The middle count came 1 s after the first: left out; the last (done) always shown.
    expect(parsed.map((e) => [e['type'], e['done'] ?? null])).toEqual([
      ['operation-start', null],
      ['bytes', 1],
      ['bytes', 100],
      ['operation-done', null],
    ]);
    expect(parsed[0]).toMatchObject({
      op: { id: 'handoff:2:a', kind: 'handoff', stage: 2, location: 'b', from: 'a', reasonCode: 'handoff-needed' },
      message: '→ handoff a → b (load-data): b needs load-data',
    });
    expect(parsed[3]!['message']).toMatch(/^✓ handoff a → b: copied/);
  });
});
