// The regeneration cascade: a step that executes again gets new MLMD ids for its outputs, so a
// done stage whose steps consumed them has cache keys that no longer match (KFP's fingerprint
// includes input artifact ids): before a later stage serves those steps from cache, their stage
// must run again too. Consumers are found through `dependsOn`, transitively.
import { producerOf, stateOf, type PlanFacts } from './facts.js';
import { willWork, type Reruns } from './reruns.js';

/** Root task → the root tasks it depends on. */
export type DependsOn = Readonly<Record<string, readonly string[]>>;

/** Every task that depends, directly or through others, on one of `roots` (the roots excluded unless cyclic). */
export function descendantsOf(roots: Iterable<string>, dependsOn: DependsOn): Set<string> {
  const rootSet = new Set(roots);
  const out = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    for (const [task, deps] of Object.entries(dependsOn)) {
      if (out.has(task)) continue;
      if (deps.some((d) => out.has(d) || rootSet.has(d))) {
        out.add(task);
        grew = true;
      }
    }
  }
  return out;
}

/** Done stages that consumed regenerated outputs and whose results a later working stage needs run again. */
export function rerunConsumersOfRegenerated(facts: PlanFacts, before: Reruns, dependsOn: DependsOn): Reruns {
  const regenerated = [...before.refresh.values()].flatMap((steps) => [...steps]);
  if (regenerated.length === 0) return before;
  const affected = descendantsOf(regenerated, dependsOn);
  const reasons = new Map(before.reasons);
  const reruns: Reruns = { reasons, refresh: before.refresh };
  for (const m of facts.layouts) {
    if (reasons.has(m.index) || stateOf(facts, m.index).state !== 'done') continue;
    const hit = m.steps.filter((s) => affected.has(s));
    if (hit.length === 0) continue;
    // Only when a later stage uses them: a consumer nobody reads from stays as it is.
    const needed = facts.layouts.some(
      (n) => n.index > m.index && willWork(facts, reruns, n) && n.fromCache.some((s) => hit.includes(s)),
    );
    if (!needed) continue;
    const source = producerOf(facts, regenerated[0]!).index;
    reasons.set(m.index, `${hit.join(', ')} consumed outputs that stage ${source} regenerates`);
  }
  return reruns;
}
