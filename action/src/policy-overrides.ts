// The overrides a command passes to the core: owners' approving reviews of the pull request, looked
// up only when the file has a soft policy with owners. Every approval looked at is logged (counted,
// or why not); a failure to ask GitHub counts no approval, so a soft failure then still blocks.
import { messageOf } from '../../src/errors/error-report.js';
import type { CommandContext } from './command-context.js';
import type { PolicyOverride } from './core-api.js';
import type { PolicyOwners } from './policy-approvals.js';
import type { ConfigReport } from './report.js';

export async function approvedOverrides(
  ctx: CommandContext,
  report: ConfigReport,
  policies: readonly PolicyOwners[] | undefined,
): Promise<PolicyOverride[]> {
  const soft = (policies ?? []).filter((p) => p.enforcement === 'soft' && p.owners.length > 0);
  if (soft.length === 0) return [];
  if (!ctx.approvals) {
    ctx.io.info(`${report.config}: no pull request or no github-token: no approving review can override a soft policy`);
    return [];
  }
  try {
    const decision = await ctx.approvals(soft, report.config);
    for (const n of decision.notes) ctx.io.info(`${report.config}: ${n}`);
    if (decision.overrides.length > 0) report.overrides = decision.overrides;
    return decision.overrides;
  } catch (e) {
    ctx.io.warning(
      `${report.config}: cannot read the pull request's reviews (${messageOf(e)}): no approval counted; ` +
        'the workflow needs `permissions: pull-requests: read` (and a token that can read team membership for owners named as org/team)',
    );
    return [];
  }
}
