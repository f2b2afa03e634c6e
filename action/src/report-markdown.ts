// Markdown for the pull-request comment and the job summary. `full` shows each plan as the CLI's
// `plan --markdown` does; `compact` keeps what a reviewer decides on (what the pull request changes,
// where each stage runs, how many operations) for plans too long for a comment.
import type { ConfigReport, RunReport } from './report.js';
import type { SplitCore } from './core-api.js';
import type { SemanticDiff } from './semantic-diff.js';
import { policySection } from './policy-section.js';
import { mermaidBlock } from '../../src/report/mermaid.js';
import { pipelineGraph, transfersOf } from '../../src/report/pipeline-graph.js';
import { runLinksLine } from '../../src/report/status-markdown.js';

export type Detail = 'full' | 'compact';
/** The comment keeps policies short (its section); the job summary also has every result. */
export type Target = 'comment' | 'summary';

/** Escapes text for inline Markdown (plan contents come from user files). */
export function md(s: string): string {
  return s.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

const TITLES = { plan: 'plan', apply: 'apply', reconcile: 'reconcile' } as const;

export function renderTitle(r: RunReport): string {
  return `## split-pipelines ${TITLES[r.command]}`;
}

export function offlineNote(r: RunReport): string | undefined {
  if (r.offlineReason === 'fork') {
    return (
      '> [!NOTE]\n> **Offline plan: this pull request comes from a fork.** No location was contacted and no secret was used, ' +
      "because a fork's file could point a location's endpoint anywhere. The plan shows the stage layout and what each stage " +
      'hands off; the online plan runs once the change is on a branch of this repository.'
    );
  }
  if (r.offlineReason === 'input') return '> [!NOTE]\n> **Offline plan** (`offline: true`): no location was contacted.';
  return undefined;
}

export function renderRun(r: RunReport, core: SplitCore, detail: Detail, target: Target = 'summary'): string {
  const parts = [renderTitle(r)];
  const note = offlineNote(r);
  if (note) parts.push(note);
  for (const c of r.configs) parts.push(renderConfig(c, r, core, detail, target));
  parts.push(footer(r));
  return `${parts.join('\n\n')}\n`;
}

/** `**Error:**`, naming the location and the operation when the failure says which. */
function errorLabel(c: ConfigReport): string {
  const where = [
    c.failure?.location ? `location ${code(c.failure.location)}` : '',
    c.failure?.operation ? code(c.failure.operation) : '',
  ];
  const at = where.filter(Boolean).join(', ');
  return at ? `**Error** (${at}):` : '**Error:**';
}

function footer(r: RunReport): string {
  const run = r.runUrl ? ` · [workflow run](${r.runUrl})` : '';
  return `<sub>split-pipelines ${r.command}${run}</sub>`;
}

export function renderConfig(
  c: ConfigReport,
  r: RunReport,
  core: SplitCore,
  detail: Detail,
  target: Target = 'summary',
): string {
  const out: string[] = [`### ${c.error ? '❌' : '📄'} ${code(c.config)}`];
  if (c.diff) out.push(renderDiff(c.diff, detail));
  if (c.error) out.push(`${errorLabel(c)} ${md(c.error)}`);
  if (c.plan?.policies) out.push(policySection(c.plan.policies, target === 'comment'));
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (c.diagnostics.length > 0) {
    const shown = detail === 'full' ? c.diagnostics : errors.slice(0, 20);
    if (shown.length > 0) out.push(fenced(shown.map((d) => core.formatDiagnostic(d)).join('\n')));
  }
  if (c.applied) out.push(renderApplied(c, detail));
  if (c.drift.length > 0 && r.command !== 'plan')
    out.push(`**Drift found**\n\n${c.drift.map((d) => `- ${md(d)}`).join('\n')}`);
  if (c.plan) {
    // After an apply the diagram's arrows also say how many bytes each handoff moved.
    const transfers = transfersOf(c.applied ?? []);
    // The comment's policy section stands for the plan's full policy table, which the job summary shows.
    const shown = target === 'comment' ? withoutPolicies(c.plan) : c.plan;
    const planMd = detail === 'full' ? core.renderPlanMarkdown(shown, { transfers }) : compactPlan(c);
    // Without `applied` the plan is the one observed before applying (the apply failed).
    const label = c.applied ? `Plan after ${r.command}` : 'Plan observed before applying';
    out.push(r.command === 'plan' ? planMd : `<details><summary>${label}</summary>\n\n${planMd}\n</details>`);
  }
  return out.join('\n\n');
}

function withoutPolicies(plan: NonNullable<ConfigReport['plan']>): NonNullable<ConfigReport['plan']> {
  const { policies: _dropped, ...rest } = plan;
  return rest;
}

function renderDiff(d: SemanticDiff, detail: Detail): string {
  const range = `${code(d.base.slice(0, 7))} → ${code(d.head.slice(0, 7))}`;
  if (d.status === 'unavailable') return `_Could not compare with the base branch: ${md(d.note ?? 'unknown reason')}_`;
  if (d.status === 'unchanged')
    return `_This pull request does not change this file or its pipeline package (${range})._`;
  const limit = detail === 'full' ? d.changes.length : 30;
  const items = d.changes.slice(0, limit).map((c) => `- ${md(c)}`);
  if (d.changes.length > limit) items.push(`- … and ${d.changes.length - limit} more (see the job summary)`);
  return `**What this pull request changes** (${range})\n\n${items.join('\n')}`;
}

function renderApplied(c: ConfigReport, detail: Detail): string {
  const ops = c.applied ?? [];
  if (ops.length === 0)
    return c.plan?.inSync ? 'Nothing to do: every location was already in sync.' : 'No operation was performed.';
  const rows = detail === 'full' ? ops : ops.slice(0, 50);
  const table = ['| operation | location | status | detail |', '|---|---|---|---|'];
  for (const op of rows)
    table.push(`| ${code(op.id)} | ${md(op.location)} | ${md(op.status)} | ${md(op.detail ?? '')} |`);
  if (rows.length < ops.length) table.push(`| … | | | ${ops.length - rows.length} more in the job summary |`);
  return `**Applied** (${ops.length} operation${ops.length === 1 ? '' : 's'})\n\n${table.join('\n')}`;
}

const COMPACT_STEPS = 8;
/** Steps per stage in the compact diagram: the comment must fit GitHub's limit. */
const COMPACT_DIAGRAM_STEPS = 4;

/** The diagram with few steps per stage, the stage table with step counts, and operations counted by kind. */
export function compactPlan(c: ConfigReport): string {
  const plan = c.plan!;
  const status = plan.inSync
    ? '✅ in sync'
    : plan.offline
      ? '📝 offline plan'
      : `🔁 ${plan.operations.length} operation(s)`;
  const out = [`**Split pipeline ${code(plan.name)}** — revision ${code(plan.revision)} — ${status}`, ''];
  const graph = pipelineGraph(plan, { transfers: transfersOf(c.applied ?? []) });
  out.push(mermaidBlock(graph, { maxStepsPerStage: COMPACT_DIAGRAM_STEPS }), '');
  out.push('| # | location | steps | state |', '|---|---|---|---|');
  for (const s of plan.stages) {
    const names =
      s.steps.slice(0, COMPACT_STEPS).join(', ') +
      (s.steps.length > COMPACT_STEPS ? `, … (${s.steps.length} steps)` : '');
    out.push(`| ${s.index} | ${md(s.location)} | ${md(names)} | ${s.state} |`);
  }
  const runs = runLinksLine(plan);
  if (runs) out.push('', runs);
  const byKind = new Map<string, number>();
  for (const op of plan.operations) byKind.set(op.kind, (byKind.get(op.kind) ?? 0) + 1);
  out.push('');
  out.push(
    plan.operations.length === 0
      ? 'No changes.'
      : `**${plan.operations.length} operations:** ${[...byKind].map(([k, n]) => `${n} × ${code(k)}`).join(', ')}`,
  );
  return out.join('\n');
}

function fenced(text: string): string {
  const fence = text.includes('```') ? '````' : '```';
  return `${fence}\n${text}\n${fence}`;
}
