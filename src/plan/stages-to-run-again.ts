// Which done stages run again: lost outputs and the regeneration cascade feed each other (a stage
// that runs again may need inputs that were lost too, and regenerates outputs others consumed), so
// both rules repeat until neither adds a stage.
import type { PlanFacts } from './facts.js';
import { rerunProducersOfLostOutputs } from './lost-outputs.js';
import { rerunConsumersOfRegenerated, type DependsOn } from './regeneration.js';
import { noReruns, type Reruns } from './reruns.js';

export function stagesToRunAgain(facts: PlanFacts, dependsOn: DependsOn = {}): Reruns {
  let reruns = noReruns();
  for (let changed = true; changed;) {
    const before = reruns.reasons.size;
    reruns = rerunConsumersOfRegenerated(facts, rerunProducersOfLostOutputs(facts, reruns), dependsOn);
    changed = reruns.reasons.size > before;
  }
  return reruns;
}
