// Lost outputs: a step that a stage still to run needs from cache, which neither its location has
// nor any earlier location can hand it, makes the stage that produced it run again. The producer's
// steps whose bytes are gone at its own location must execute again, not be served from a cache row
// that points at missing bytes.
import { availableAt, producerOf, stateOf, unavailableReason, type PlanFacts } from './facts.js';
import { handoffSource } from './handoff-source.js';
import type { StageLayout } from './layout.js';
import { willWork, type Reruns } from './reruns.js';

/** One pass over the stages; returns the reruns with every producer of a lost output added. */
export function rerunProducersOfLostOutputs(facts: PlanFacts, before: Reruns): Reruns {
  const reasons = new Map(before.reasons);
  const refresh = new Map(before.refresh);
  // Decisions within the pass see the earlier ones (a regenerated step is no source any more).
  const reruns: Reruns = { reasons, refresh };
  for (const l of facts.layouts) {
    // A running stage already sees what it sees: nothing it needs can change before it finishes.
    if (!willWork(facts, reruns, l) || stateOf(facts, l.index).state === 'running') continue;
    for (const step of l.fromCache) {
      const producer = producerOf(facts, step);
      if (reasons.has(producer.index)) continue;
      if (!isLost(facts, reruns, step, l, producer)) continue;
      const why = unavailableReason(facts, producer.location, step);
      const needer = `stage ${l.index} (${l.location})`;
      reasons.set(producer.index, `${step} is needed by ${needer} but no location has it any more (${why})`);
      refresh.set(producer.index, new Set(producer.steps.filter((s) => !availableAt(facts, producer.location, s))));
    }
  }
  return reruns;
}

function isLost(facts: PlanFacts, reruns: Reruns, step: string, l: StageLayout, producer: StageLayout): boolean {
  if (availableAt(facts, l.location, step)) return false;
  // Served from the same location's cache: lost there means the producer runs again, unless it runs anyway.
  if (producer.location === l.location) return !willWork(facts, reruns, producer);
  return handoffSource(facts, reruns, step, l) === undefined;
}
