// The policy section of a plan's text and markdown renderings (the plan carries its results in JSON form).
import type { PlanDocument, PlanPolicies } from '../plan/types.js';
import { renderPolicyMarkdown, renderPolicyText } from '../policy/report.js';
import type { PolicyReport } from '../policy/types.js';

export function policyReportOf(p: PlanPolicies): PolicyReport {
  return {
    results: p.results,
    exceptionsUsed: p.exceptionsUsed,
    expiredExceptions: p.expiredExceptions,
    blocking: p.results.filter((r) => r.blocking),
  };
}

/** Lines for the text rendering (empty without policies). */
export function policyTextLines(plan: PlanDocument): string[] {
  if (!plan.policies) return [];
  return [
    'Policies:',
    ...renderPolicyText(policyReportOf(plan.policies))
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  ];
}

export function policyMarkdown(plan: PlanDocument): string {
  return plan.policies ? renderPolicyMarkdown(policyReportOf(plan.policies)) : '';
}
