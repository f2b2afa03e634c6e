// Evaluates every policy once per item of its scope and applies exceptions and overrides: the one
// place that decides whether a result blocks (`plan` exits 1, `apply` refuses before its first operation).
import { isCelError } from '@bufbuild/cel';
import { UserError } from '../errors/user-error.js';
import type { CompiledException, CompiledExpression, CompiledPolicy } from './compile.js';
import type {
  PolicyContext,
  PolicyException,
  PolicyInputs,
  PolicyOverride,
  PolicyReport,
  PolicyResult,
  PolicyScope,
} from './types.js';
import { explainEvaluationError } from './unknown-size.js';

export interface EvaluateOptions {
  exceptions?: CompiledException[];
  overrides?: PolicyOverride[];
  /** Wall-clock budget for the whole evaluation; checked between expressions (each is bounded at compile time). */
  budgetMs?: number;
  /** Injected for tests; defaults to Date.now. */
  clock?: () => number;
}

/** CEL's `int` is a 64-bit integer: whole numbers go in as bigint so `bytes * 2 < 10` type-checks. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

interface Item {
  label: string;
  value: unknown;
}

function itemsOf(scope: PolicyScope, inputs: PolicyInputs): Item[] {
  if (scope === 'plan') return [{ label: 'plan', value: inputs.plan }];
  if (scope === 'stage')
    return inputs.plan.stages.map((s) => ({ label: `stage ${s.index} (${s.location.name})`, value: s }));
  return inputs.plan.handoffs.map((h) => ({ label: `handoff ${h.from.name} → ${h.to.name}`, value: h }));
}

/** An exception's `until` is inclusive: a date means the end of that day (UTC). */
export function exceptionExpired(e: PolicyException, now: string): boolean {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(e.until) ? Date.parse(`${e.until}T23:59:59.999Z`) : Date.parse(e.until);
  return Number.isNaN(end) || end < Date.parse(now);
}

function truth(run: CompiledExpression, bindings: Record<string, unknown>): { ok: boolean; error?: string } {
  const result = run(bindings);
  if (isCelError(result)) return { ok: false, error: result.message };
  if (typeof result !== 'boolean') return { ok: false, error: `the expression gave ${typeof result}, not a bool` };
  return { ok: result };
}

/** Overrides name soft policies; naming an unknown, advisory or hard policy is a user error (hard failures are never overridden). */
export function checkOverrides(policies: CompiledPolicy[], overrides: PolicyOverride[]): void {
  for (const o of overrides) {
    const p = policies.find((x) => x.spec.name === o.policy);
    if (!p) {
      throw new UserError(`--override-policy ${o.policy}: no policy has this name`, {
        code: 'policy-override-invalid',
        operation: 'override-policy',
        advice: `name one of: ${policies.map((x) => x.spec.name).join(', ') || '(no policies)'}`,
      });
    }
    if (p.spec.enforcement !== 'soft') {
      throw new UserError(
        `--override-policy ${o.policy}: the policy is ${p.spec.enforcement}; only soft policies can be overridden`,
        {
          code: 'policy-override-invalid',
          operation: 'override-policy',
          advice:
            p.spec.enforcement === 'hard'
              ? 'change the plan, or add an approved exception in the repository'
              : 'advisory results never block; drop the override',
        },
      );
    }
    if (o.reason.trim() === '') {
      throw new UserError(`--override-policy ${o.policy}: an override needs a reason`, {
        code: 'policy-override-invalid',
        operation: 'override-policy',
        advice: 'add --reason TEXT (it is written in the apply output and in the records at the location)',
      });
    }
  }
}

export function evaluatePolicies(
  policies: CompiledPolicy[],
  inputs: PolicyInputs,
  context: PolicyContext,
  options: EvaluateOptions = {},
): PolicyReport {
  const clock = options.clock ?? Date.now;
  const deadline = clock() + (options.budgetMs ?? 5000);
  const overrides = options.overrides ?? [];
  const all = options.exceptions ?? [];
  const expiredExceptions = all.filter((e) => exceptionExpired(e.spec, context.now)).map((e) => e.spec);
  const active = all.filter((e) => !exceptionExpired(e.spec, context.now));
  const used = new Set<CompiledException>();
  const ctx = toCel(context);
  const results: PolicyResult[] = [];
  for (const policy of policies) {
    const { spec } = policy;
    for (const item of itemsOf(spec.scope, inputs)) {
      if (clock() > deadline) {
        throw new UserError(
          `policy evaluation took longer than ${options.budgetMs ?? 5000} ms (stopped at policy ${spec.name}, ${item.label})`,
          {
            code: 'policy-timeout',
            operation: 'evaluate-policies',
            advice: 'simplify the policies (fewer nested comprehensions) or split the plan',
          },
        );
      }
      const bindings = { [spec.scope]: toCel(item.value), context: ctx };
      const base = {
        policy: spec.name,
        enforcement: spec.enforcement,
        scope: spec.scope,
        item: item.label,
        owners: spec.owners ?? [],
      };
      if (policy.match) {
        const m = truth(policy.match, bindings);
        if (m.error) {
          results.push({
            ...base,
            passed: false,
            messages: [`match: ${explainEvaluationError(m.error, spec.scope, item.value)}`],
            overridable: spec.enforcement === 'soft',
            blocking: false,
          });
          continue;
        }
        if (!m.ok) continue;
      }
      const messages: string[] = [];
      for (const v of policy.validations) {
        const r = truth(v.run, bindings);
        if (r.error) messages.push(`${v.message} (${explainEvaluationError(r.error, spec.scope, item.value)})`);
        else if (!r.ok) messages.push(v.message);
      }
      const passed = messages.length === 0;
      const result: PolicyResult = {
        ...base,
        passed,
        messages,
        overridable: spec.enforcement === 'soft',
        blocking: false,
      };
      if (!passed) {
        const exception = active.find((e) => e.spec.policy === spec.name && (!e.match || truth(e.match, bindings).ok));
        const override = overrides.find((o) => o.policy === spec.name);
        if (exception) {
          used.add(exception);
          result.exception = exception.spec;
        } else if (spec.enforcement === 'soft' && override) {
          result.override = override;
        } else {
          result.blocking = spec.enforcement !== 'advisory';
        }
      }
      results.push(result);
    }
  }
  // A match that cannot be evaluated blocks like a failure of the policy, so a typo never silently passes.
  for (const r of results)
    if (!r.passed && r.messages[0]?.startsWith('match: ') && !r.exception && !r.override)
      r.blocking = r.enforcement !== 'advisory';
  return { results, exceptionsUsed: used.size, expiredExceptions, blocking: results.filter((r) => r.blocking) };
}
