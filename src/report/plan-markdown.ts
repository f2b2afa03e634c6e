// Markdown rendering of a plan for pull-request comments and job summaries.
import { travelSummary } from '../plan/travel.js';
import type { PlanDocument } from '../plan/types.js';
import { operationTarget, transferSummary } from './plan-text.js';
import { diagnosticsMarkdown } from './plan-diagnostics.js';
import { policyMarkdown } from './plan-policies.js';
import { mermaidBlock, type MermaidOptions } from './mermaid.js';
import { pipelineGraph, type GraphOptions } from './pipeline-graph.js';
import { runLinksLine } from './status-markdown.js';

/** The diagram's handoff sizes (known after an apply) and how many steps it draws per stage. */
export type PlanMarkdownOptions = GraphOptions & MermaidOptions;

function esc(s: string): string {
  return s.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);
}

export function renderPlanMarkdown(plan: PlanDocument, options: PlanMarkdownOptions = {}): string {
  const out: string[] = [];
  const status = plan.inSync
    ? '✅ in sync'
    : plan.offline
      ? '📝 offline plan'
      : `🔁 ${plan.operations.length} operation(s)`;
  out.push(`### Split pipeline \`${plan.name}\` — revision \`${plan.revision}\` — ${status}`);
  out.push('');
  out.push(
    `Pipeline \`${esc(plan.pipeline.name)}\` from \`${esc(plan.pipeline.package)}\`.${plan.offline ? ' Locations were not contacted.' : ''}`,
  );
  out.push('');
  out.push(mermaidBlock(pipelineGraph(plan, options), options), '');
  out.push('| # | location | steps | from cache | state |');
  out.push('|---|---|---|---|---|');
  for (const s of plan.stages) {
    out.push(
      `| ${s.index} | ${esc(s.location)} | ${esc(s.steps.join(', '))} | ${esc(s.fromCache.join(', ') || '—')} | ${s.state} |`,
    );
  }
  out.push('');
  const runs = runLinksLine(plan);
  if (runs) out.push(runs, '');
  if (plan.drift.length > 0) {
    out.push('**Drift**');
    out.push('');
    for (const d of plan.drift) out.push(`- ${esc(d)}`);
    out.push('');
  }
  if (plan.operations.length > 0) {
    out.push('**Operations**');
    out.push('');
    plan.operations.forEach((op, i) => {
      const steps = op.kind === 'handoff' && op.steps ? ` (${esc(op.steps.join(', '))})` : '';
      const travel = travelSummary(op);
      const transfer = transferSummary(op);
      out.push(
        `${i + 1}. \`${op.kind}\` ${esc(operationTarget(op))}${steps} — ${esc(op.reason)}${travel ? ` (${esc(travel)})` : ''}` +
          (transfer ? `; ${esc(transfer)}` : ''),
      );
    });
    out.push('');
  } else {
    out.push('No changes.');
    out.push('');
  }
  const policies = policyMarkdown(plan);
  if (policies) out.push(policies);
  out.push(...diagnosticsMarkdown(plan.diagnostics, esc));
  return out.join('\n');
}
