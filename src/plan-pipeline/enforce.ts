// Enforcement of policy results: `plan` shows every result and exits 1 when one blocks; `apply` and
// `reconcile` refuse before their first operation. Advisory failures never change an exit code.
import { UserError } from '../errors/user-error.js';
import type { PlanDocument, PlanPolicyResult } from '../plan/types.js';

export function blockingResults(plan: PlanDocument): PlanPolicyResult[] {
  return plan.policies?.results.filter((r) => r.blocking) ?? [];
}

function describe(r: PlanPolicyResult): string {
  const who =
    r.enforcement === 'hard'
      ? 'hard: never overridden'
      : `soft: ${r.owners.length > 0 ? `an owner may override (${r.owners.join(', ')})` : 'no owners named, so nobody may override'}`;
  return `${r.policy} on ${r.item} (${who})${r.messages.length > 0 ? `: ${r.messages.join('; ')}` : ''}`;
}

export class PolicyBlockedError extends UserError {
  constructor(
    readonly command: string,
    readonly results: PlanPolicyResult[],
  ) {
    const soft = results.some((r) => r.enforcement === 'soft');
    super(
      `${command} refused before its first operation: ${results.length} policy failure(s) block it:\n` +
        results.map((r) => `  - ${describe(r)}`).join('\n'),
      {
        code: 'policy-blocked',
        operation: command,
        advice:
          'change the file so the plan passes, or add an approved exception in the repository' +
          (soft
            ? '; a soft failure may be overridden with --override-policy NAME --reason TEXT, or in the Action by an approving review of one of its owners'
            : ''),
      },
    );
    this.name = 'PolicyBlockedError';
  }
}

/** Throws when a policy blocks this command (apply, reconcile). */
export function refuseIfBlocked(plan: PlanDocument, command: string): void {
  const blocking = blockingResults(plan);
  if (blocking.length > 0) throw new PolicyBlockedError(command, blocking);
}
