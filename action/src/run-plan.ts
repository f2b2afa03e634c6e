// `command: plan` — for pull requests: plan every config, and say what the pull request changes.
// Succeeds unless a config is invalid or a location could not be observed (Terraform's plan: a
// plan with changes is not a failure).
import { messageOf } from '../../src/errors/error-report.js';
import { annotate, invalidMessage, stepDebug, type CommandContext } from './command-context.js';
import type { PlanFileResult } from './core-api.js';
import { approvedOverrides } from './policy-overrides.js';
import { recordFailure, type ConfigReport } from './report.js';

export async function runPlan(ctx: CommandContext): Promise<ConfigReport[]> {
  const reports: ConfigReport[] = [];
  for (const config of ctx.configs) {
    reports.push(await ctx.io.group(`split-pipelines plan ${config}`, () => planOne(ctx, config)));
  }
  return reports;
}

/** The plan; when a soft failure blocks it and owners approved the pull request, planned again with their overrides. */
async function planWithApprovals(ctx: CommandContext, report: ConfigReport, config: string): Promise<PlanFileResult> {
  const first = await ctx.core.planFile(config, { offline: ctx.offline, env: ctx.env, command: 'plan' });
  const softBlocking = first.plan?.policies?.results.some((r) => r.blocking && r.enforcement === 'soft') === true;
  if (!softBlocking) return first;
  const overrides = await approvedOverrides(ctx, report, first.policies);
  if (overrides.length === 0) return first;
  return ctx.core.planFile(config, { offline: ctx.offline, env: ctx.env, command: 'plan', overrides });
}

async function planOne(ctx: CommandContext, config: string): Promise<ConfigReport> {
  const { core, io } = ctx;
  const report: ConfigReport = { config, diagnostics: [], drift: [], changed: false };
  try {
    const result = await planWithApprovals(ctx, report, config);
    report.diagnostics = result.diagnostics;
    annotate(io, core, result.diagnostics);
    if (result.plan) {
      report.plan = result.plan;
      report.drift = result.plan.drift;
      report.changed = result.plan.operations.length > 0;
      io.info(core.renderPlanText(result.plan));
      const blocking = result.plan.policies?.results.filter((r) => r.blocking) ?? [];
      // As the CLI's plan exits 1: an apply of this plan would refuse before its first operation.
      if (blocking.length > 0)
        report.error =
          `${blocking.length} policy failure(s) block apply: ` +
          blocking.map((r) => `${r.policy} on ${r.item} (${r.enforcement})`).join(', ') +
          ' (see the policy section)';
    } else {
      report.error = invalidMessage(config, result.diagnostics);
    }
  } catch (e) {
    recordFailure(report, 'plan failed', e, stepDebug(ctx.env));
  }
  if (ctx.diff) {
    try {
      report.diff = await ctx.diff(config);
      if (report.diff.changes.length > 0)
        io.info(
          `What this pull request changes in ${config}:\n${report.diff.changes.map((c) => `  - ${c}`).join('\n')}`,
        );
      if (report.diff.status === 'unavailable' && report.diff.note)
        io.warning(`${config}: no semantic diff: ${report.diff.note}`);
    } catch (e) {
      // The diff is an aid to review; a git problem must not hide the plan.
      io.warning(`${config}: no semantic diff: ${messageOf(e)}`);
    }
  }
  if (report.error) io.info(`❌ ${config}: ${report.error}`);
  return report;
}
