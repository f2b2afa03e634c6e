// Apply's progress on the CLI: the shared renderer (src/report/progress.ts) writing to stderr, with
// byte counts redrawn in place on a terminal. Nothing goes to stdout, which in JSON mode holds the
// one JSON document.
import type { ApplyEvent } from '../apply/events.js';
import { progressRenderer } from '../report/progress.js';
import type { Output } from './output.js';

export function progressPrinter(out: Output): (e: ApplyEvent) => void {
  const line = (text: string) => out.stderr(`${text}\n`);
  if (!out.isTTY) return progressRenderer({ line });
  return progressRenderer({
    line,
    redraw: (text) => out.stderr(`\r${text}\x1b[K`),
    clearRedraw: () => out.stderr('\r\x1b[K'),
  });
}
