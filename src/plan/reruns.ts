// Stages that run again although their last run is done: the rules for lost outputs and for the
// regeneration cascade add to this, one decision at a time, until nothing changes.
import { stateOf, type PlanFacts } from './facts.js';
import type { StageLayout } from './layout.js';

export interface Reruns {
  /** Stage index → why it runs again. Insertion order is decision order (reasons cite the first). */
  reasons: ReadonlyMap<number, string>;
  /** Stage index → its steps that must execute again (their cache rows point at bytes that are gone). */
  refresh: ReadonlyMap<number, ReadonlySet<string>>;
}

export function noReruns(): Reruns {
  return { reasons: new Map(), refresh: new Map() };
}

/** A stage has work in this plan: it is not done, or it runs again. */
export function willWork(facts: PlanFacts, reruns: Reruns, l: StageLayout): boolean {
  return reruns.reasons.has(l.index) || stateOf(facts, l.index).state !== 'done';
}
