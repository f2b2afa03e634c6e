// The `context` variable and the command line's overrides, from the environment the command runs in.
import { UserError } from '../errors/user-error.js';
import type { PolicyContext, PolicyOverride } from './types.js';

/** GitHub Actions sets GITHUB_EVENT_NAME and GITHUB_ACTOR; elsewhere the trigger is `cli`. */
export function policyContextFrom(
  command: PolicyContext['command'],
  env: Record<string, string | undefined>,
  now: Date,
  changed: string[] = [],
): PolicyContext {
  const event = env['GITHUB_EVENT_NAME'];
  const trigger: PolicyContext['trigger'] =
    event === 'pull_request' || event === 'pull_request_target'
      ? 'pull_request'
      : event === 'push'
        ? 'push'
        : event === 'schedule'
          ? 'schedule'
          : 'cli';
  return {
    command,
    trigger,
    actor: env['GITHUB_ACTOR'] ?? env['USER'] ?? env['USERNAME'] ?? '',
    now: now.toISOString(),
    changed,
  };
}

/** `--override-policy A --reason X --override-policy B --reason Y`: the n-th reason goes with the n-th policy. */
export function overridesFromFlags(policies: string[], reasons: string[], actor: string): PolicyOverride[] {
  if (policies.length !== reasons.length) {
    throw new UserError(`--override-policy given ${policies.length} time(s) but --reason ${reasons.length} time(s)`, {
      code: 'policy-override-invalid',
      operation: 'override-policy',
      advice: 'give one --reason TEXT after each --override-policy NAME',
    });
  }
  return policies.map((policy, i) => ({ policy, reason: reasons[i] ?? '', actor }));
}
