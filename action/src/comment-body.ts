// The sticky comment's body, within GitHub's 65,536-character limit. Atlantis splits long plans
// over several comments (runatlantis/atlantis#55, #1889: dozens of comments); here the comment stays
// one, summarised, and the full plan goes to the job summary, which allows 1 MiB.
import type { SplitCore } from './core-api.js';
import type { RunReport } from './report.js';
import { renderRun } from './report-markdown.js';
import { COMMENT_LIMIT } from './sticky-comment.js';

export function summarisedNote(runUrl: string | undefined): string {
  const where = runUrl ? `the [job summary](${runUrl})` : "the workflow run's job summary";
  const limit = COMMENT_LIMIT.toLocaleString('en-US');
  return (
    `> [!IMPORTANT]\n> The full plan is longer than a pull-request comment can hold (${limit} characters): ` +
    `this is a summary. The full plan is in ${where}.`
  );
}

/** The comment: the full report if it fits, else the compact one, else the compact one cut short. */
export function composeComment(
  marker: string,
  report: RunReport,
  core: SplitCore,
  limit: number = COMMENT_LIMIT,
): string {
  const full = `${marker}\n${renderRun(report, core, 'full', 'comment')}`;
  if (full.length <= limit) return full;
  const note = summarisedNote(report.runUrl);
  const compact = `${marker}\n${note}\n\n${renderRun(report, core, 'compact', 'comment')}`;
  if (compact.length <= limit) return compact;
  // Many configs, or huge diagnostics: keep the head, on a line boundary, and say where the rest is.
  const tail = `\n\n…\n\n${note}\n`;
  const room = limit - tail.length;
  const cut = compact.lastIndexOf('\n', room);
  return `${compact.slice(0, outsideFence(compact, cut > marker.length ? cut : room))}${tail}`;
}

/** A cut inside a fenced block (a Mermaid diagram) moves before the block: half a diagram does not render. */
export function outsideFence(text: string, cut: number): number {
  let open: { at: number; fence: string } | undefined;
  for (const m of text.slice(0, cut).matchAll(/^(`{3,})(.*)$/gm)) {
    const fence = m[1] ?? '';
    if (!open) open = { at: m.index, fence };
    else if (fence.length >= open.fence.length && (m[2] ?? '').trim() === '') open = undefined;
  }
  return open === undefined ? cut : open.at;
}
