// The programmatic surface shared by the CLI and the GitHub Action: the same core, two front ends.
// Plans are made by the one plan pipeline (src/plan-pipeline), as the CLI's are.
import type { PlanDocument } from '../plan/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PolicyOverride } from '../policy/types.js';
import { loadProject, type Project } from '../split-file/load-project.js';
import { offlinePlanOf } from '../plan-pipeline/make-plan.js';

export type { PlanDocument, PlanPolicies, PlanPolicyResult, PlannedOperation } from '../plan/types.js';
export type { ReasonCode } from '../plan/reason-codes.js';
export type { PolicyOverride } from '../policy/types.js';
export { offlinePlanOf };
export { blockingResults, PolicyBlockedError, PlanChangedError } from '../plan-pipeline/index.js';
export type { Diagnostic } from '../diagnostics/diagnostic.js';
export { formatDiagnostic } from '../diagnostics/diagnostic.js';
export { renderPlanMarkdown } from '../report/plan-markdown.js';
export { renderPlanText } from '../report/plan-text.js';
export { planDiagnosticsOf, warningsOf } from '../split-file/warnings.js';
export type { PlanDiagnostic, PlanSeverity, DiagnosticWhere } from '../diagnostics/plan-diagnostic.js';
export type { ApplyEvent } from '../apply/events.js';
// Failures a user can act on are UserErrors (location, operation, advice, exit code); anything else is a bug.
export { EXIT, UserError, type ExitCode } from '../errors/user-error.js';
export { errorReport, type ErrorReport } from '../errors/error-report.js';

export interface PlanOptions {
  /** Plan without contacting any location (no secrets needed). */
  offline?: boolean;
  /** Environment to read secrets from (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** `context.command` of the policies: `plan` (default), or `reconcile` for a scheduled reconcile's look. */
  command?: 'plan' | 'apply' | 'reconcile';
  /** Soft policy failures to override (a policy's name, why, and who). */
  overrides?: PolicyOverride[];
  /** `context.changed` of the policies: paths the change under review touches. */
  changed?: string[];
}

export interface PlanResult {
  project?: Project;
  plan?: PlanDocument;
  /** Input problems (errors stop before anything is contacted) and warnings. */
  diagnostics: Diagnostic[];
  /** The file's policies: how each is enforced and who owns it (who may override a soft failure). */
  policies?: PolicyOwners[];
}

export interface PolicyOwners {
  name: string;
  enforcement: 'advisory' | 'soft' | 'hard';
  owners: string[];
}

export async function planFile(file: string, options: PlanOptions = {}): Promise<PlanResult> {
  const { project, diagnostics } = await loadProject(file);
  if (!project) return { diagnostics };
  const { makePlan } = await import('../plan-pipeline/make-plan.js');
  const made = await makePlan(project, {
    offline: options.offline === true,
    ...(options.env ? { env: options.env } : {}),
    ...(options.command ? { command: options.command } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.changed ? { changed: options.changed } : {}),
  });
  const policies = (project.policies?.policies ?? []).map((p) => ({
    name: p.spec.name,
    enforcement: p.spec.enforcement,
    owners: p.spec.owners ?? [],
  }));
  return { project, plan: made.plan, diagnostics, policies };
}

export interface ApplyFileOptions {
  through?: string;
  lockTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: import('../apply/events.js').ApplyListener;
  /** `context.command` of the policies (default `apply`). */
  command?: 'apply' | 'reconcile';
  /** Soft policy failures to override: written in the apply's output and in the stage runs' records. */
  overrides?: PolicyOverride[];
  /** Apply only if a fresh plan matches this reviewed plan file (`plan --out`). */
  reviewedPlan?: string;
  changed?: string[];
}

/** Applies a file: the result, or the input problems that stopped it before anything was contacted. */
export async function applyFile(
  file: string,
  options: ApplyFileOptions = {},
): Promise<{ result?: import('../apply/apply.js').ApplyResult; diagnostics: Diagnostic[] }> {
  const { project, diagnostics } = await loadProject(file);
  if (!project) return { diagnostics };
  const { applyWithPipeline } = await import('../plan-pipeline/make-plan.js');
  const o: import('../plan-pipeline/make-plan.js').ApplyPipelineOptions = {};
  if (options.through !== undefined) o.through = options.through;
  if (options.lockTimeoutMs !== undefined) o.lockTimeoutMs = options.lockTimeoutMs;
  if (options.env) o.env = options.env;
  if (options.onProgress) o.onEvent = options.onProgress;
  if (options.command) o.command = options.command;
  if (options.overrides) o.overrides = options.overrides;
  if (options.reviewedPlan !== undefined) o.reviewedPlan = options.reviewedPlan;
  if (options.changed) o.changed = options.changed;
  return { result: await applyWithPipeline(project, o), diagnostics };
}
