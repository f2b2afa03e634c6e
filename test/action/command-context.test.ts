import { describe, expect, it } from 'vitest';
import { progressLogger } from '../../action/src/command-context.js';
import type { ApplyProgress } from '../../action/src/core-api.js';
import type { ActionIO } from '../../action/src/io.js';
import type { PlannedOperation } from '../../src/plan/types.js';

const op: PlannedOperation = {
  id: 'handoff:2:a',
  kind: 'handoff',
  stage: 2,
  location: 'b',
  from: 'a',
  steps: ['load-data'],
  reason: 'stage 2 needs load-data as a cache hit',
};

function recordingIO() {
  const log: string[] = [];
  const io = {
    info: (m: string) => void log.push(`info ${m}`),
    warning: (m: string) => void log.push(`warning ${m}`),
  } as unknown as ActionIO;
  return { io, log };
}

describe('apply progress in the log', () => {
  it('draws the same lines as the CLI: an operation with its reason, then its detail and duration', () => {
    const { io, log } = recordingIO();
    const show = progressLogger(io);
    show({ type: 'operation-start', op });
    show({ type: 'operation-done', op, detail: '3 objects, 2 executions', durationMs: 1530 });
    expect(log).toEqual([
      'info → handoff a → b (load-data): stage 2 needs load-data as a cache hit',
      'info ✓ handoff a → b: 3 objects, 2 executions [1.5s]',
    ]);
  });

  it('says whose lock it waits for, and raises warnings as warnings', () => {
    const { io, log } = recordingIO();
    const show = progressLogger(io);
    show({ type: 'lock-wait', location: 'a', heldBy: 'cron-7f' });
    show({ type: 'warning', message: 'caching switched on' });
    expect(log).toEqual(['info Waiting for the lock at a (held by cron-7f)…', 'warning warning: caching switched on']);
  });

  it("logs a completed copy's byte count, and shows unknown events rather than dropping them", () => {
    const { io, log } = recordingIO();
    const show = progressLogger(io);
    show({ type: 'bytes', op, done: 2048, total: 2048, moved: 1024 });
    show({ type: 'something-new', location: 'a' } as unknown as ApplyProgress);
    expect(log).toEqual(['info   2.0 KiB / 2.0 KiB (1.0 KiB moved)', 'info {"type":"something-new","location":"a"}']);
  });
});
