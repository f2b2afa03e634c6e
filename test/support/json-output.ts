// The JSON documents the CLI and the Action write, read back in tests. Each reader checks the
// document's shape before typing it, so an error report or a truncated file fails here with its text
// instead of later as a property of undefined.
import type { AppliedOperation } from '../../src/apply/execute.js';
import type { PlanDocument } from '../../src/plan/types.js';
import type { HandoffBundle } from '../../src/sync/bundle.js';

function objectWith(text: string, what: string, keys: string[]): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  const missing =
    typeof value === 'object' && value !== null && !Array.isArray(value) ? keys.filter((k) => !(k in value)) : keys;
  if (missing.length > 0) throw new Error(`not ${what} (no ${missing.join(', ')}): ${text.slice(0, 500)}`);
  return value as Record<string, unknown>;
}

/** `plan --json` and the Action's `plan-json` output. */
export function planJson(text: string): PlanDocument {
  return objectWith(text, 'a plan document', ['name', 'inSync', 'stages', 'operations']) as unknown as PlanDocument;
}

/** `apply --json`: the plan after applying, with what was applied. */
export function applyJson(text: string): PlanDocument & { applied: AppliedOperation[] } {
  const doc = objectWith(text, 'an apply document', ['name', 'inSync', 'stages', 'applied']);
  return doc as unknown as PlanDocument & { applied: AppliedOperation[] };
}

/** A bundle directory's `bundle.json`. */
export function bundleJson(text: string): HandoffBundle {
  return objectWith(text, 'a handoff bundle', ['format', 'artifacts', 'executions']) as unknown as HandoffBundle;
}

/** A JSON array of strings, as the Action's `drift` output. */
export function stringsJson(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`not a JSON array of strings: ${text.slice(0, 500)}`);
  }
  return value;
}
