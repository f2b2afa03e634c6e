// The policy section of every plan and apply report (text, markdown, JSON): every result, what
// blocks, who may override, the exceptions used and those that expired.
import type { PolicyReport, PolicyResult } from './types.js';

function status(r: PolicyResult): string {
  if (r.passed) return 'passed';
  if (r.exception)
    return `failed, excepted (approved by ${r.exception.approvedBy} until ${r.exception.until}: ${r.exception.why})`;
  if (r.override) return `failed, overridden by ${r.override.actor}: ${r.override.reason}`;
  if (r.enforcement === 'advisory') return 'failed (advisory)';
  const who = r.overridable
    ? ` (owners who may override: ${r.owners.join(', ') || 'none named'})`
    : ' (hard: not overridable)';
  return `FAILED, blocks${who}`;
}

export function summaryLine(report: PolicyReport): string {
  const failed = report.results.filter((r) => !r.passed).length;
  return (
    `policies: ${report.results.length} result(s), ${failed} failed, ${report.blocking.length} blocking, ` +
    `${report.exceptionsUsed} exception(s) used, ${report.expiredExceptions.length} expired`
  );
}

export function renderPolicyText(report: PolicyReport): string {
  const lines = [summaryLine(report)];
  for (const r of report.results) {
    lines.push(`  [${r.enforcement}] ${r.policy} on ${r.item}: ${status(r)}`);
    for (const m of r.messages) lines.push(`      - ${m}`);
  }
  for (const e of report.expiredExceptions)
    lines.push(`  expired exception for ${e.policy} (until ${e.until}, approved by ${e.approvedBy}) no longer applies`);
  return `${lines.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderPolicyMarkdown(report: PolicyReport): string {
  const lines = [`### Policies`, '', summaryLine(report), ''];
  if (report.results.length > 0) {
    lines.push('| Policy | Enforcement | Item | Result | Messages |', '| --- | --- | --- | --- | --- |');
    for (const r of report.results) {
      lines.push(
        `| ${cell(r.policy)} | ${r.enforcement} | ${cell(r.item)} | ${cell(status(r))} | ${cell(r.messages.join('; '))} |`,
      );
    }
  }
  for (const e of report.expiredExceptions)
    lines.push('', `- expired exception for \`${e.policy}\` (until ${e.until}) no longer applies`);
  return `${lines.join('\n')}\n`;
}

/** The JSON form (stable field names; `exception.at` positions are dropped). */
export function policyReportJson(report: PolicyReport): unknown {
  const strip = (e: { policy: string; why: string; approvedBy: string; until: string; match?: string }) => ({
    policy: e.policy,
    why: e.why,
    approvedBy: e.approvedBy,
    until: e.until,
    ...(e.match !== undefined ? { match: e.match } : {}),
  });
  return {
    results: report.results.map((r) => ({ ...r, ...(r.exception ? { exception: strip(r.exception) } : {}) })),
    exceptionsUsed: report.exceptionsUsed,
    expiredExceptions: report.expiredExceptions.map(strip),
    blocking: report.blocking.map((r) => ({ policy: r.policy, item: r.item, enforcement: r.enforcement })),
  };
}
