// A size the plan does not know is absent from the policies' input (inputs.ts), so an expression
// that compares it stops with CEL's "field not found: bytes" and the validation fails: a size policy
// fails closed on data it knows nothing about. This turns that evaluation error into words a reviewer
// can act on, naming what is unknown, instead of a bare CEL error.
import type { HandoffInput, PlanInput, PolicyScope } from './types.js';

/** @bufbuild/cel's message when a selected field is absent. */
const ABSENT_BYTES = /\bfield not found: bytes\b/;

function unknownIn(h: HandoffInput): string[] {
  const out = h.artifacts.filter((a) => a.bytes === undefined).map((a) => `${a.step}.${a.output}`);
  if (out.length === 0 && h.bytes === undefined) out.push(`the handoff ${h.from.name} → ${h.to.name}`);
  return out;
}

/** The artifacts (step.output) of the item whose size is unknown. */
export function unknownSizes(scope: PolicyScope, item: unknown): string[] {
  if (scope === 'handoff') return unknownIn(item as HandoffInput);
  if (scope === 'plan') return [...new Set((item as PlanInput).handoffs.flatMap(unknownIn))];
  return [];
}

/**
 * The message for an evaluation error: when the expression read a size the item does not know, it
 * says so (the policy fails until the size is known, or unless it tests `has(…bytes)` itself).
 */
export function explainEvaluationError(error: string, scope: PolicyScope, item: unknown): string {
  if (!ABSENT_BYTES.test(error)) return `evaluation error: ${error}`;
  const unknown = unknownSizes(scope, item);
  if (unknown.length === 0) return `evaluation error: ${error}`;
  return (
    `the size is unknown (${unknown.join(', ')}): the plan has not observed it (plan --offline, or the source ` +
    'does not hold it yet), so a policy that compares it fails; plan against the locations, or test has(…bytes) in the policy'
  );
}
