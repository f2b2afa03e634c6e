import { blockingResults } from '../plan-pipeline/enforce.js';
import { makePlan, planFileFor } from '../plan-pipeline/make-plan.js';
import { writePlanFile } from '../plan-pipeline/plan-file.js';
import { overridesFromFlags, policyContextFrom } from '../policy/context.js';
import type { PolicyOverride } from '../policy/types.js';
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

/** `--override-policy NAME --reason TEXT` (repeatable), given by the user running the command. */
export function overridesOf(args: ParsedArgs): PolicyOverride[] {
  const list = (name: string) => (args.values[name] as string[] | undefined) ?? [];
  const policies = list('override-policy');
  const reasons = list('reason');
  if (policies.length === 0 && reasons.length === 0) return [];
  return overridesFromFlags(policies, reasons, policyContextFrom('plan', process.env, new Date()).actor);
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
  const made = await makePlan(project, { offline: args.values['offline'] === true, overrides: overridesOf(args) });
  const plan = made.plan;
  writePlan(plan, args, out);
  const file = typeof args.values['out'] === 'string' ? args.values['out'] : undefined;
  if (file) {
    await writePlanFile(file, await planFileFor(project, made));
    out.stderr(
      `Plan written to ${file}; apply exactly this plan with: split-pipelines apply -f ${project.file} --plan ${file}\n`,
    );
  }
  const blocking = blockingResults(plan);
  if (blocking.length > 0) {
    // Exit 1: an apply of this plan would refuse before its first operation.
    out.stderr(
      `${blocking.length} policy failure(s) block apply (${[...new Set(blocking.map((r) => r.policy))].join(', ')}): ` +
        'change the file, add an approved exception, or override a soft failure with --override-policy NAME --reason TEXT\n',
    );
    return EXIT.error;
  }
  return args.values['detailed-exitcode'] && !plan.inSync ? EXIT.changes : EXIT.ok;
}
