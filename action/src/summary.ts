// The job summary: the full report (every plan, every diff, every diagnostic), which the comment
// links to when it has to be summarised.
import type { SplitCore } from './core-api.js';
import type { RunReport } from './report.js';
import { renderRun } from './report-markdown.js';

/**
 * The runner refuses a step summary over 1024 KiB ("$GITHUB_STEP_SUMMARY upload aborted, supports
 * content up to a size of 1024k"); keep well under it, counting UTF-8 bytes.
 */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

export function composeSummary(report: RunReport, core: SplitCore, limitBytes: number = SUMMARY_LIMIT_BYTES): string {
  const full = renderRun(report, core, 'full');
  if (Buffer.byteLength(full) <= limitBytes) return full;
  const compact = renderRun(report, core, 'compact');
  const note =
    '\n\n> [!IMPORTANT]\n> The full report exceeds the job summary limit (1 MiB): this is a summary; `plan-json` holds the whole plan.\n';
  if (Buffer.byteLength(compact) + note.length <= limitBytes) return `${compact}${note}`;
  const bytes = Buffer.from(compact).subarray(0, limitBytes - Buffer.byteLength(note) - 8);
  // Drop a possibly cut multi-byte character at the end.
  return `${bytes.toString('utf8').replace(/\uFFFD+$/, '')}\n…${note}`;
}
