import { offlinePlanOf } from '../api/index.js';
import { planProject } from '../apply/apply.js';
import type { PlanDocument } from '../plan/types.js';
import { renderPlanMarkdown } from '../report/plan-markdown.js';
import { renderPlanText } from '../report/plan-text.js';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';
import { loadProject, type Project } from '../split-file/load-project.js';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import { filesOf, type ParsedArgs } from './run.js';

/** Loads one file for a command that needs a valid project; input errors become exit 1. */
export async function requireProject(args: ParsedArgs, out: Output): Promise<Project> {
  const files = [...filesOf(args), ...args.positionals];
  if (files.length !== 1) throw new CliError(`expects one file, got ${files.length}: ${files.join(', ')}`);
  const { project, diagnostics } = await loadProject(files[0]!);
  for (const d of diagnostics) out.stderr(`${formatDiagnostic(d)}\n`);
  if (!project) throw new CliError(`${files[0]}: invalid; nothing was contacted`);
  return project;
}

export function writePlan(plan: PlanDocument, args: ParsedArgs, out: Output): void {
  if (args.values['json']) {
    out.stdout(`${JSON.stringify(plan, null, 2)}\n`);
    out.stderr(renderPlanText(plan));
  } else if (args.values['markdown']) {
    out.stdout(renderPlanMarkdown(plan));
  } else {
    out.stdout(renderPlanText(plan));
  }
}

export async function planCommand(args: ParsedArgs, out: Output): Promise<number> {
  const project = await requireProject(args, out);
  const plan = args.values['offline'] ? offlinePlanOf(project) : await planProject(project);
  writePlan(plan, args, out);
  return args.values['detailed-exitcode'] && !plan.inSync ? EXIT.changes : EXIT.ok;
}
