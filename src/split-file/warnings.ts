// What a plan tells its reader beside its operations: the file's warnings, and facts about the
// stage layout that change what runs (caching switched on where the package had it off).
import { planDiagnosticOf, warningLine, type PlanDiagnostic } from '../diagnostics/plan-diagnostic.js';
import type { Project } from './load-project.js';

export function planDiagnosticsOf(project: Project): PlanDiagnostic[] {
  const out: PlanDiagnostic[] = [];
  for (const l of project.layouts) {
    const changed = l.enableCaching.filter((k) => {
      const t = project.graph.rootTasks.get(k)!;
      return !t.cachingEnabled && t.kind !== 'dag';
    });
    if (changed.length === 0) continue;
    out.push({
      severity: 'info',
      summary: `caching switched on for ${changed.join(', ')} so they can be handed off or served from cache`,
      detail:
        'The package switches caching off for these tasks; the pipeline this stage runs switches it on, ' +
        'because KFP serves a task from cache only when its caching is enabled. ' +
        'Their results are reused at later stages, not recomputed.',
      where: { stage: l.index, location: l.location },
    });
  }
  for (const d of project.diagnostics) if (d.severity === 'warning') out.push(planDiagnosticOf(d));
  return out;
}

/** The same, one line each (the plan's `warnings`; kept for callers of the programmatic API). */
export function warningsOf(project: Project): string[] {
  return planDiagnosticsOf(project).map(warningLine);
}
