// `command: reconcile` — on a schedule: observe every location, apply only when something drifted
// from the desired state (a lost cache row, a deleted artifact, a run that failed), and report the
// drift. Drift is the expected business of a reconciler, not an error: the step fails only when a
// config is invalid or an operation fails (Argo CD's self-heal, Atlantis' drift remediation).
import { stepDebug, type CommandContext } from './command-context.js';
import { requireApply } from './core-api.js';
import { recordFailure, type ConfigReport } from './report.js';
import { approvedOverrides } from './policy-overrides.js';
import { applyOptions, recordApply, validated } from './run-apply.js';

export async function runReconcile(ctx: CommandContext): Promise<ConfigReport[]> {
  const apply = requireApply(ctx.core, 'reconcile');
  const reports: ConfigReport[] = [];
  for (const config of ctx.configs) {
    reports.push(
      await ctx.io.group(`split-pipelines reconcile ${config}`, async () => {
        const { report, policies } = await validated(ctx, config);
        if (report.error) return report;
        try {
          const overrides = await approvedOverrides(ctx, report, policies);
          const { plan } = await ctx.core.planFile(config, {
            offline: false,
            env: ctx.env,
            command: 'reconcile',
            ...(overrides.length > 0 ? { overrides } : {}),
          });
          if (!plan) throw new Error('the core returned no plan for a valid file');
          report.plan = plan;
          report.drift = plan.drift;
          for (const d of plan.drift) ctx.io.warning(`${config}: drift: ${d}`);
          if (plan.inSync) {
            report.applied = [];
            ctx.io.info(`${config}: in sync at revision ${plan.revision}; nothing to do`);
            return report;
          }
          ctx.io.info(ctx.core.renderPlanText(plan));
          const result = await apply(config, applyOptions(ctx, 'reconcile', overrides));
          recordApply(report, result, plan.drift);
          if (!result.inSync && !ctx.settings.throughStage) {
            ctx.io.warning(
              `${config}: still not in sync after reconciling; the next run continues (apply is resumable)`,
            );
          }
        } catch (e) {
          recordFailure(report, 'reconcile failed', e, stepDebug(ctx.env));
        }
        if (report.error) ctx.io.info(`❌ ${config}: ${report.error}`);
        return report;
      }),
    );
  }
  return reports;
}
