// Apply's progress: redrawn lines on a terminal; plain lines in CI and logs; nothing on stdout in
// JSON mode (stdout holds the one JSON document).
import type { ApplyEvent } from '../apply/events.js';
import { operationTarget } from '../report/plan-text.js';
import { formatBytes } from './duration.js';
import type { Output } from './output.js';

export function progressPrinter(out: Output): (e: ApplyEvent) => void {
  let lastBytesLine = 0;
  return (e) => {
    switch (e.type) {
      case 'observed':
        out.stderr(`Observed every location: ${e.operations} operation(s) to apply.\n`);
        break;
      case 'lock-wait':
        out.stderr(`Waiting for the lock at ${e.location} (held by ${e.heldBy})…\n`);
        break;
      case 'warning':
        out.stderr(`warning: ${e.message}\n`);
        break;
      case 'operation-start':
        out.stderr(`→ ${e.op.kind} ${operationTarget(e.op)}${e.op.kind === 'handoff' && e.op.steps ? ` (${e.op.steps.join(', ')})` : ''}\n`);
        break;
      case 'run-state':
        out.stderr(`  run ${e.runId}: ${e.state.toLowerCase()}\n`);
        break;
      case 'bytes': {
        const now = Date.now();
        const line = `  ${formatBytes(e.done)} / ${formatBytes(e.total)} (${formatBytes(e.moved)} moved)`;
        if (out.isTTY) out.stderr(`\r${line}\x1b[K`);
        else if (now - lastBytesLine > 2000 || e.done === e.total) {
          lastBytesLine = now;
          out.stderr(`${line}\n`);
        }
        break;
      }
      case 'operation-done':
        if (out.isTTY) out.stderr('\r\x1b[K');
        out.stderr(`✓ ${e.op.kind} ${operationTarget(e.op)}: ${e.detail} [${(e.durationMs / 1000).toFixed(1)}s]\n`);
        break;
    }
  };
}
