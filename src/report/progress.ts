// Apply's progress as lines of text, for the CLI (stderr) and the Action (the step's log) alike.
// On a terminal the byte count of a copy is redrawn in place; in CI logs it is printed at most every
// few seconds (and when the copy completes), so a long handoff shows it is alive without flooding.
import type { ApplyEvent } from '../apply/events.js';
import { formatBytes } from '../units/bytes.js';
import { formatElapsed } from '../units/duration.js';
import { operationTarget } from './plan-text.js';

export interface ProgressSink {
  /** Writes one line (without its newline). */
  line(text: string, kind: 'info' | 'warning'): void;
  /** Redraws the current line in place; present only on a terminal. */
  redraw?(text: string): void;
  /** Clears a line drawn by `redraw`. */
  clearRedraw?(): void;
}

export interface ProgressOptions {
  /** Least time between two byte-count lines when they cannot be redrawn. */
  bytesEveryMs?: number;
  now?: () => number;
}

/** The text of one event; bytes lines included (the renderer decides how often to show them). */
export function progressLine(e: ApplyEvent): string {
  switch (e.type) {
    case 'observed':
      return `Observed every location: ${e.operations} operation(s) to apply.`;
    case 'lock-wait':
      return `Waiting for the lock at ${e.location} (held by ${e.heldBy})…`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'operation-start': {
      const steps = e.op.kind === 'handoff' && e.op.steps ? ` (${e.op.steps.join(', ')})` : '';
      return `→ ${e.op.kind} ${operationTarget(e.op)}${steps}: ${e.op.reason}`;
    }
    case 'run-state':
      return `  run ${e.runId}: ${e.state.toLowerCase()}`;
    case 'bytes':
      return `  ${formatBytes(e.done)} / ${formatBytes(e.total)} (${formatBytes(e.moved)} moved)`;
    case 'operation-done':
      return `✓ ${e.op.kind} ${operationTarget(e.op)}: ${e.detail} [${formatElapsed(e.durationMs)}]`;
    default: {
      // An event kind newer than this renderer (a core and an Action bundle of different builds):
      // shown as data rather than dropped.
      const unknown: unknown = e;
      return JSON.stringify(unknown);
    }
  }
}

export function progressRenderer(sink: ProgressSink, options: ProgressOptions = {}): (e: ApplyEvent) => void {
  const every = options.bytesEveryMs ?? 2000;
  const now = options.now ?? Date.now;
  let lastBytesLine: number | undefined;
  let redrawn = false;
  return (e) => {
    const text = progressLine(e);
    if (e.type === 'bytes') {
      if (sink.redraw) {
        sink.redraw(text);
        redrawn = true;
        return;
      }
      const t = now();
      if (lastBytesLine === undefined || t - lastBytesLine >= every || e.done === e.total) {
        lastBytesLine = t;
        sink.line(text, 'info');
      }
      return;
    }
    if (redrawn) {
      sink.clearRedraw?.();
      redrawn = false;
    }
    sink.line(text, e.type === 'warning' ? 'warning' : 'info');
  };
}
