// Apply's progress as lines, drawn by one renderer for the CLI's stderr and the Action's log.
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import type { PlannedOperation } from '../../src/plan/types.js';
import { progressLine, progressRenderer } from '../../src/report/progress.js';

const op: PlannedOperation = {
  id: 'handoff:2:train',
  kind: 'handoff',
  stage: 2,
  location: 'serve',
  from: 'train',
  steps: ['train-model'],
  reason: 'stage 2 needs train-model as a cache hit',
};
const bytes = (done: number): ApplyEvent => ({ type: 'bytes', op, done, total: 4096, moved: done });

describe('progress lines', () => {
  it('name the operation, where it runs, why, and how it ended', () => {
    expect(progressLine({ type: 'observed', operations: 3 })).toBe('Observed every location: 3 operation(s) to apply.');
    expect(progressLine({ type: 'operation-start', op })).toBe(
      '→ handoff train → serve (train-model): stage 2 needs train-model as a cache hit',
    );
    expect(progressLine({ type: 'run-state', op, runId: 'r-1', state: 'RUNNING' })).toBe('  run r-1: running');
    expect(progressLine({ type: 'operation-done', op, detail: '2 objects', durationMs: 12_340 })).toBe(
      '✓ handoff train → serve: 2 objects [12.3s]',
    );
  });
});

describe('progress renderer', () => {
  it('redraws byte counts in place on a terminal and clears them before the next line', () => {
    const calls: string[] = [];
    const render = progressRenderer({
      line: (t, kind) => void calls.push(`${kind}:${t}`),
      redraw: (t) => void calls.push(`redraw:${t}`),
      clearRedraw: () => void calls.push('clear'),
    });
    render(bytes(1024));
    render(bytes(4096));
    render({ type: 'operation-done', op, detail: 'done', durationMs: 1000 });
    expect(calls).toEqual([
      'redraw:  1.0 KiB / 4.0 KiB (1.0 KiB moved)',
      'redraw:  4.0 KiB / 4.0 KiB (4.0 KiB moved)',
      'clear',
      'info:✓ handoff train → serve: done [1.0s]',
    ]);
  });

  it('in a log, prints byte counts at most every interval and always when the copy completes', () => {
    let clock = 0;
    const lines: string[] = [];
    const render = progressRenderer({ line: (t) => void lines.push(t) }, { bytesEveryMs: 2000, now: () => clock });
    render(bytes(1)); // first: shown
    clock = 1000;
    render(bytes(2)); // too soon: dropped
    clock = 2500;
    render(bytes(3)); // interval passed: shown
    clock = 2600;
    render(bytes(4096)); // complete: shown although soon
    expect(lines).toEqual([
      '  1 B / 4.0 KiB (1 B moved)',
      '  3 B / 4.0 KiB (3 B moved)',
      '  4.0 KiB / 4.0 KiB (4.0 KiB moved)',
    ]);
  });

  it('hands warnings on as warnings', () => {
    const kinds: string[] = [];
    progressRenderer({ line: (_t, kind) => void kinds.push(kind) })({ type: 'warning', message: 'x' });
    expect(kinds).toEqual(['warning']);
  });
});
