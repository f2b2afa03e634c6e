import { describe, expect, it } from 'vitest';
import { progressText } from '../../action/src/command-context.js';

const op = { id: 'handoff:2:a', kind: 'handoff', location: 'b', from: 'a', reason: 'stage 2 needs load-data as a cache hit' };

describe('apply progress in the log', () => {
  it('shows an operation starting with its reason, and done with its detail and duration', () => {
    expect(progressText({ type: 'operation-start', op })).toBe('▶ handoff a → b: stage 2 needs load-data as a cache hit');
    expect(progressText({ type: 'operation-done', op, detail: '3 objects, 2 executions', durationMs: 1530 })).toBe('✓ handoff a → b: 3 objects, 2 executions (1.5 s)');
  });

  it('says whose lock it waits for', () => {
    expect(progressText({ type: 'lock-wait', location: 'a', heldBy: 'cron-7f' })).toBe('waiting for the lock at a, held by cron-7f');
  });

  it('leaves byte counts out of the log, and shows unknown events rather than dropping them', () => {
    expect(progressText({ type: 'bytes', done: 1, total: 2 })).toBeUndefined();
    expect(progressText({ type: 'something-new', location: 'a' })).toBe('{"type":"something-new","location":"a"}');
  });
});
