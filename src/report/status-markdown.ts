// `status --markdown`: where the split pipeline stands, for job summaries and pull requests: the
// Mermaid diagram, then per stage its state, its run (a link to its page in the KFP UI when the
// location names its UI), which steps executed and which were cache hits, then drift.
import type { PlanDocument, PlannedStage } from '../plan/types.js';
import { mermaidBlock } from './mermaid.js';
import { pipelineGraph } from './pipeline-graph.js';

function esc(s: string): string {
  return s.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
}

/** A URL as a Markdown link target: characters that would end it are percent-encoded. */
export function linkTarget(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => encodeURIComponent(c));
}

/** The stage's run: a link to its page in the KFP UI when known, else its id. */
export function runCell(s: PlannedStage): string {
  if (!s.runId) return '—';
  const short = s.runId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 8);
  return s.runUrl ? `[${short}](${linkTarget(s.runUrl)})` : `\`${short}\``;
}

/** One line linking every stage's run to its KFP UI page, or nothing when no location names its UI. */
export function runLinksLine(plan: PlanDocument): string | undefined {
  const linked = plan.stages.filter((s) => s.runUrl);
  if (linked.length === 0) return undefined;
  return `Runs in the KFP UI: ${linked.map((s) => `[stage ${s.index} at ${esc(s.location)}](${linkTarget(s.runUrl!)})`).join(' · ')}`;
}

/** `recordsOnly`: location → `step.output` held there as records only (pipeline-graph.ts recordsOnlyByLocation). */
export function renderStatusMarkdown(
  plan: PlanDocument,
  recordsOnly: Readonly<Record<string, readonly string[]>> = {},
): string {
  const pending = plan.operations.length;
  const status = plan.inSync ? '✅ in sync' : `🔁 ${pending} operation${pending === 1 ? '' : 's'} pending`;
  const out = [`### Split pipeline \`${plan.name}\` — revision \`${plan.revision}\` — ${status}`, ''];
  out.push(mermaidBlock(pipelineGraph(plan)), '');
  out.push('| # | location | state | run | executed | cache hits |', '|---|---|---|---|---|---|');
  for (const s of plan.stages) {
    const executed = s.executed ? esc(s.executed.join(', ') || 'none') : '—';
    const cached = s.cached ? esc(s.cached.join(', ') || 'none') : '—';
    out.push(`| ${s.index} | ${esc(s.location)} | ${s.state} | ${runCell(s)} | ${executed} | ${cached} |`);
  }
  out.push('');
  const held = Object.entries(recordsOnly).filter(([, list]) => list.length > 0);
  if (held.length > 0) {
    out.push('**Held as records only** (no bytes: nothing there reads them)', '');
    for (const [location, list] of held) out.push(`- ${esc(location)}: ${esc(list.join(', '))}`);
    out.push('');
  }
  if (plan.drift.length > 0) {
    out.push('**Drift**', '');
    for (const d of plan.drift) out.push(`- ${esc(d)}`);
    out.push('');
  }
  return out.join('\n');
}
