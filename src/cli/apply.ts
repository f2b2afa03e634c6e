import { applyWithPipeline, type ApplyPipelineOptions } from '../plan-pipeline/make-plan.js';
import { renderPlanText } from '../report/plan-text.js';
import { parseDuration } from '../units/duration.js';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import { overridesOf, requireProject } from './plan.js';
import { jsonProgressPrinter, progressPrinter } from './progress.js';
import type { ParsedArgs } from './run.js';

export async function applyCommand(args: ParsedArgs, out: Output): Promise<number> {
  const project = await requireProject(args, out);
  let lockTimeoutMs = 10 * 60_000;
  if (typeof args.values['lock-timeout'] === 'string') {
    try {
      lockTimeoutMs = parseDuration(args.values['lock-timeout']);
    } catch (e) {
      throw new CliError(`--lock-timeout: ${(e as Error).message}`);
    }
  }
  let runTimeoutMs: number | undefined;
  if (typeof args.values['run-timeout'] === 'string') {
    try {
      runTimeoutMs = parseDuration(args.values['run-timeout']);
    } catch (e) {
      throw new CliError(`--run-timeout: ${(e as Error).message}`);
    }
    if (runTimeoutMs <= 0)
      throw new CliError(`--run-timeout: must be longer than 0 (e.g. 30m, 6h; the default is 24h)`);
  }
  const json = Boolean(args.values['json']);
  const through = typeof args.values['through'] === 'string' ? args.values['through'] : undefined;
  const reviewedPlan = typeof args.values['plan'] === 'string' ? args.values['plan'] : undefined;
  const options: ApplyPipelineOptions = {
    lockTimeoutMs,
    onEvent: json ? jsonProgressPrinter(out) : progressPrinter(out),
    overrides: overridesOf(args),
    ...(through ? { through } : {}),
    ...(runTimeoutMs !== undefined ? { runTimeoutMs } : {}),
    ...(reviewedPlan !== undefined ? { reviewedPlan } : {}),
  };
  // Failures carry their exit code (a held or lost lock: 3; a refused plan or a blocking policy: 1) and their advice.
  const result = await applyWithPipeline(project, options);
  if (json) out.stdout(`${JSON.stringify({ ...result.plan, applied: result.applied }, null, 2)}\n`);
  out.stderr(`\n${renderPlanText(result.plan)}`);
  for (const r of result.planned.policies?.results ?? [])
    if (r.override)
      out.stderr(`Policy ${r.policy} on ${r.item} was overridden by ${r.override.actor}: ${r.override.reason}\n`);
  if (!result.inSync && !through)
    out.stderr('Not in sync after apply: see the operations above; apply again to continue.\n');
  return EXIT.ok;
}
