// A plan's diagnostics for people: severity, where, summary, and the detail that says why and what
// to do. Errors first; facts (info) last. Text for terminals and logs, Markdown for comments.
import { bySeverity, whereText, type PlanDiagnostic, type PlanSeverity } from '../diagnostics/plan-diagnostic.js';

const ICON: Record<PlanSeverity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

/** `1 warning, 2 info`. */
export function severityCounts(diagnostics: readonly PlanDiagnostic[]): string {
  const parts: string[] = [];
  for (const severity of ['error', 'warning', 'info'] as const) {
    const n = diagnostics.filter((d) => d.severity === severity).length;
    if (n > 0) parts.push(`${n} ${severity}${n > 1 && severity !== 'info' ? 's' : ''}`);
  }
  return parts.join(', ');
}

/** Lines of the text report's "Diagnostics:" section (none when there is nothing to say). */
export function diagnosticsText(diagnostics: readonly PlanDiagnostic[]): string[] {
  if (diagnostics.length === 0) return [];
  const lines = [`Diagnostics (${severityCounts(diagnostics)}):`];
  for (const d of bySeverity(diagnostics)) {
    const where = whereText(d.where);
    lines.push(`  ${d.severity.padEnd(7)}  ${where ? `${where}: ` : ''}${d.summary}`);
    if (d.detail) lines.push(`           ${d.detail}`);
  }
  return lines;
}

/** Lines of the Markdown report's diagnostics; folded unless something needs attention. */
export function diagnosticsMarkdown(diagnostics: readonly PlanDiagnostic[], esc: (s: string) => string): string[] {
  if (diagnostics.length === 0) return [];
  const open = diagnostics.some((d) => d.severity !== 'info') ? ' open' : '';
  const lines = [`<details${open}><summary>Diagnostics (${severityCounts(diagnostics)})</summary>`, ''];
  for (const d of bySeverity(diagnostics)) {
    const where = whereText(d.where);
    const at = where ? ` \`${where.replace(/`/g, "'")}\`` : '';
    const detail = d.detail ? `<br>${esc(d.detail)}` : '';
    lines.push(`- ${ICON[d.severity]} **${d.severity}**${at} — ${esc(d.summary)}${detail}`);
  }
  lines.push('', '</details>', '');
  return lines;
}
