// The programmatic surface shared by the CLI and the GitHub Action: the same core, two front ends.
import type { PlanDocument } from '../plan/types.js';
import { planOffline } from '../plan/offline.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadProject, type Project } from '../split-file/load-project.js';
import { planDiagnosticsOf } from '../split-file/warnings.js';

export type { PlanDocument } from '../plan/types.js';
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
}

export interface PlanResult {
  project?: Project;
  plan?: PlanDocument;
  /** Input problems (errors stop before anything is contacted) and warnings. */
  diagnostics: Diagnostic[];
}

export async function planFile(file: string, options: PlanOptions = {}): Promise<PlanResult> {
  const { project, diagnostics } = await loadProject(file);
  if (!project) return { diagnostics };
  if (!options.offline) {
    const { planOnline } = await import('./plan-online.js');
    return { project, plan: await planOnline(project, options), diagnostics };
  }
  return { project, plan: offlinePlanOf(project), diagnostics };
}

export function offlinePlanOf(project: Project): PlanDocument {
  return planOffline({
    name: project.spec.metadata.name,
    revision: project.revision,
    pipeline: { name: project.graph.name, package: project.packageName },
    layouts: project.layouts,
    diagnostics: planDiagnosticsOf(project),
  });
}

export interface ApplyFileOptions {
  through?: string;
  lockTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: import('../apply/events.js').ApplyListener;
}

/** Applies a file: the result, or the input problems that stopped it before anything was contacted. */
export async function applyFile(
  file: string,
  options: ApplyFileOptions = {},
): Promise<{ result?: import('../apply/apply.js').ApplyResult; diagnostics: Diagnostic[] }> {
  const { project, diagnostics } = await loadProject(file);
  if (!project) return { diagnostics };
  const { applyProject } = await import('../apply/apply.js');
  const o: import('../apply/apply.js').ApplyOptions = {};
  if (options.through !== undefined) o.through = options.through;
  if (options.lockTimeoutMs !== undefined) o.lockTimeoutMs = options.lockTimeoutMs;
  if (options.env) o.env = options.env;
  if (options.onProgress) o.onEvent = options.onProgress;
  return { result: await applyProject(project, o), diagnostics };
}
