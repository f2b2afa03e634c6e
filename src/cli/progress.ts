// Apply's progress on the CLI: the shared renderer (src/report/progress.ts) writing to stderr.
// On a terminal the byte count of a copy — the reconciler's own, or a transfer Job's read from its
// pod's log — is redrawn in place as it grows. Elsewhere (CI, a pipe) the log stays quiet: the
// first count of a copy, then at most one line every 10 s, and the last, each in the same
// `done / total (moved)` form. With `--json` the same events are JSON lines. Nothing goes to stdout,
// which in JSON mode holds the one JSON document.
import type { ApplyEvent } from '../apply/events.js';
import { progressLine, progressRenderer, type ProgressOptions } from '../report/progress.js';
import type { Output } from './output.js';

/** Least time between two byte-count lines in a log that cannot redraw them. */
export const LOG_BYTES_EVERY_MS = 10_000;

/**
 * With `--json` the progress is structured too: one JSON object per event on stderr (stdout keeps the one
 * document), an operation named by its id, kind, stage and locations, byte counts as often as in a log.
 */
export function jsonProgressPrinter(out: Output, options: ProgressOptions = {}): (e: ApplyEvent) => void {
  const every = options.bytesEveryMs ?? LOG_BYTES_EVERY_MS;
  const now = options.now ?? Date.now;
  const lastBytes = new Map<string, number>();
  return (e) => {
    // The operation as `plan --json` names it, and the line a terminal would show, for a reader of the log.
    const event: Record<string, unknown> = { ...e, message: progressLine(e) };
    if ('op' in e) {
      const { id, kind, stage, location, from, steps, reasonCode } = e.op;
      event['op'] = {
        id,
        kind,
        stage,
        location,
        ...(from ? { from } : {}),
        ...(steps ? { steps } : {}),
        ...(reasonCode ? { reasonCode } : {}),
      };
      if (e.type === 'bytes') {
        const last = lastBytes.get(id);
        const t = now();
        if (last !== undefined && e.done < e.total && t - last < every) return;
        lastBytes.set(id, t);
      }
    }
    out.stderr(`${JSON.stringify(event)}\n`);
  };
}

export function progressPrinter(out: Output, options: ProgressOptions = {}): (e: ApplyEvent) => void {
  const line = (text: string) => out.stderr(`${text}\n`);
  if (!out.isTTY) return progressRenderer({ line }, { bytesEveryMs: LOG_BYTES_EVERY_MS, ...options });
  return progressRenderer(
    {
      line,
      redraw: (text) => out.stderr(`\r${text}\x1b[K`),
      clearRedraw: () => out.stderr('\r\x1b[K'),
    },
    options,
  );
}
