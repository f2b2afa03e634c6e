// Where a stage gets a step it needs from another location's cache: the nearest earlier stage (at
// another location) that has it, or will have it once this plan ran, so ids travel along the chain
// of stages (A→B→C, as the thesis moved them) rather than all from the producer.
import { availableAt, producerOf, type PlanFacts } from './facts.js';
import type { StageLayout } from './layout.js';
import { willWork, type Reruns } from './reruns.js';

export interface HandoffSource {
  location: string;
  /** Not there yet: an earlier operation of this plan puts it there. */
  future: boolean;
}

export function handoffSource(
  facts: PlanFacts,
  reruns: Reruns,
  step: string,
  k: StageLayout,
): HandoffSource | undefined {
  for (let j = k.index - 1; j >= 1; j--) {
    const lj = facts.layouts[j - 1]!;
    if (lj.location === k.location) continue;
    if (!lj.steps.includes(step) && !lj.fromCache.includes(step)) continue;
    // A producer that runs again regenerates the step: what earlier locations hold is stale.
    const regenerated = reruns.reasons.has(producerOf(facts, step).index);
    if (!regenerated && availableAt(facts, lj.location, step)) return { location: lj.location, future: false };
    if (!willWork(facts, reruns, lj)) continue;
    // Its stage still works, so it will have the step: it produces it, gets it handed, or keeps it.
    const willHave =
      lj.steps.includes(step) ||
      handoffSource(facts, reruns, step, lj) !== undefined ||
      availableAt(facts, lj.location, step);
    if (willHave) return { location: lj.location, future: true };
  }
  return undefined;
}
