// The policy step of the plan pipeline: every plan (plan, apply, reconcile; CLI, library, Action) is
// evaluated against the file's policies here, with the overrides given for this command.
import { checkOverrides, evaluatePolicies } from '../policy/evaluate.js';
import { parameterInputs, policyInputsFromPlan } from '../policy/inputs.js';
import { policyReportJson } from '../policy/report.js';
import type { PolicyContext, PolicyOverride, PolicyReport } from '../policy/types.js';
import type { PlanDocument, PlanPolicies } from '../plan/types.js';
import type { Project } from '../split-file/load-project.js';
import { isSecretKey } from '../split-file/secrets.js';

export function hasPolicies(project: Project): boolean {
  return (project.policies?.policies.length ?? 0) > 0;
}

/** Checks overrides before anything is contacted: an unknown, advisory or hard policy, or no reason, is a user error. */
export function checkProjectOverrides(project: Project, overrides: readonly PolicyOverride[]): void {
  if (overrides.length > 0) checkOverrides(project.policies?.policies ?? [], [...overrides]);
}

export function evaluatePlanPolicies(
  project: Project,
  plan: PlanDocument,
  context: PolicyContext,
  overrides: readonly PolicyOverride[] = [],
): PlanPolicies | undefined {
  if (!project.policies || !hasPolicies(project)) return undefined;
  const inputs = policyInputsFromPlan(plan, {
    locations: project.spec.spec.locations,
    steps: project.graph.rootTasks,
    parameters: parameterInputs(project.spec.spec.pipeline, isSecretKey),
  });
  const report: PolicyReport = evaluatePolicies(project.policies.policies, inputs, context, {
    exceptions: project.policies.exceptions,
    overrides: [...overrides],
  });
  return policyReportJson(report) as PlanPolicies;
}

/** The plan with its policy results (none when the file has no policies). */
export function withPolicies(
  project: Project,
  plan: PlanDocument,
  context: PolicyContext,
  overrides: readonly PolicyOverride[] = [],
): PlanDocument {
  const policies = evaluatePlanPolicies(project, plan, context, overrides);
  return policies ? { ...plan, policies } : plan;
}
