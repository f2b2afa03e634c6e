// `command: apply` — on merge: bring every location to the file's revision (up to `through-stage`
// for gated promotions). Each file is validated offline first, so an invalid file fails before any
// lock is taken or any location contacted; any failed operation fails the step.
import { annotate, invalidMessage, progressLogger, stepDebug, type CommandContext } from './command-context.js';
import { requireApply, type ApplyFileOptions, type ApplyFileResult, type PolicyOverride } from './core-api.js';
import type { PolicyOwners } from './policy-approvals.js';
import { approvedOverrides } from './policy-overrides.js';
import { recordFailure, type ConfigReport } from './report.js';

export async function runApply(ctx: CommandContext): Promise<ConfigReport[]> {
  const apply = requireApply(ctx.core, 'apply');
  const reports: ConfigReport[] = [];
  for (const config of ctx.configs) {
    reports.push(
      await ctx.io.group(`split-pipelines apply ${config}`, async () => {
        const { report, policies } = await validated(ctx, config);
        if (report.error) return report;
        try {
          const overrides = await approvedOverrides(ctx, report, policies);
          recordApply(report, await apply(config, applyOptions(ctx, 'apply', overrides)));
        } catch (e) {
          recordFailure(report, 'apply failed', e, stepDebug(ctx.env));
        }
        if (report.error) ctx.io.info(`❌ ${config}: ${report.error}`);
        return report;
      }),
    );
  }
  return reports;
}

/** Checks the file without contacting anything; the report carries its diagnostics. */
export async function validate(ctx: CommandContext, config: string): Promise<ConfigReport> {
  return (await validated(ctx, config)).report;
}

/** validate, and the file's policies (who owns each), known from the file alone. */
export async function validated(
  ctx: CommandContext,
  config: string,
): Promise<{ report: ConfigReport; policies?: PolicyOwners[] }> {
  const report: ConfigReport = { config, diagnostics: [], drift: [], changed: false };
  let policies: PolicyOwners[] | undefined;
  try {
    const checked = await ctx.core.planFile(config, { offline: true, env: ctx.env });
    report.diagnostics = checked.diagnostics;
    annotate(ctx.io, ctx.core, checked.diagnostics);
    if (checked.plan) report.revision = checked.plan.revision;
    else report.error = invalidMessage(config, checked.diagnostics);
    policies = checked.policies;
  } catch (e) {
    recordFailure(report, `cannot read ${config}`, e, stepDebug(ctx.env));
  }
  if (report.error) ctx.io.info(`❌ ${config}: ${report.error}`);
  return policies ? { report, policies } : { report };
}

export function applyOptions(
  ctx: CommandContext,
  command: 'apply' | 'reconcile' = 'apply',
  overrides: PolicyOverride[] = [],
): ApplyFileOptions {
  const options: ApplyFileOptions = {
    lockTimeoutMs: ctx.settings.lockTimeoutMs,
    env: ctx.env,
    onProgress: progressLogger(ctx.io),
    command,
  };
  if (overrides.length > 0) options.overrides = overrides;
  if (ctx.settings.throughStage) options.through = ctx.settings.throughStage;
  return options;
}

/** Copies an apply result into the report; an operation that failed fails the config. */
export function recordApply(report: ConfigReport, result: ApplyFileResult, driftBefore: readonly string[] = []): void {
  report.plan = result.plan;
  report.applied = result.applied;
  report.drift = [...new Set([...driftBefore, ...result.drift])];
  report.changed = result.applied.some((op) => op.status !== 'skipped');
  const failedOps = result.applied.filter((op) => op.status === 'failed');
  if (failedOps.length > 0) {
    report.error = failedOps
      .map((op) => `${op.id} failed at ${op.location}${op.detail ? `: ${op.detail}` : ''}`)
      .join('; ');
  }
}
