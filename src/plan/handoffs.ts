// Handoffs into a stage: what it needs from other locations' caches, grouped by the location that
// hands it. Needed before the stage runs; once it is done, only to repair drift (a handed-off step
// no longer available there is handed off again from any location that still has it).
import { availableAt, producerOf, stateOf, unavailableReason, type PlanFacts } from './facts.js';
import { handoffSource } from './handoff-source.js';
import type { StageLayout } from './layout.js';
import type { Reruns } from './reruns.js';
import type { PlannedOperation } from './types.js';

export interface StageHandoffs {
  operations: PlannedOperation[];
  /** Drift found on the way, in words. */
  drift: string[];
}

export function handoffsInto(facts: PlanFacts, reruns: Reruns, l: StageLayout): StageHandoffs {
  const st = stateOf(facts, l.index);
  const drift: string[] = [];
  const bySource = new Map<string, { steps: string[]; future: string[]; missing: string[] }>();
  for (const step of l.fromCache) {
    const producer = producerOf(facts, step);
    if (producer.location === l.location) continue; // the same location's cache serves it
    if (availableAt(facts, l.location, step) && !reruns.reasons.has(producer.index)) continue;
    if (st.state === 'running') continue; // too late to change what the run sees
    const why = unavailableReason(facts, l.location, step);
    const source = handoffSource(facts, reruns, step, l);
    if (!source) {
      drift.push(
        `${step} is no longer available at ${l.location} (${why}) nor at any earlier location; ` +
          `stage ${l.index} is done, so it is not repaired`,
      );
      continue;
    }
    if (st.state === 'done') {
      drift.push(`${step} was handed off to ${l.location} but is no longer available there (${why})`);
    }
    const entry = bySource.get(source.location) ?? { steps: [], future: [], missing: [] };
    entry.steps.push(step);
    if (source.future) entry.future.push(step);
    else entry.missing.push(`${step} (${why})`);
    bySource.set(source.location, entry);
  }
  const operations: PlannedOperation[] = [];
  for (const [from, { steps, future, missing }] of bySource) {
    const parts: string[] = [];
    if (future.length > 0) {
      const needs = `stage ${l.index} (${l.location}) needs ${future.join(', ')} as cache hits`;
      parts.push(`${needs}; ${from} has them once its stage is done`);
    }
    if (missing.length > 0) parts.push(`not available at ${l.location}: ${missing.join(', ')}; ${from} has them`);
    operations.push({
      id: `handoff:${l.index}:${from}`,
      kind: 'handoff',
      stage: l.index,
      location: l.location,
      from,
      steps,
      reason: parts.join('; '),
      // A done stage's handoff repairs drift; before the stage runs it is the ordinary way in.
      reasonCode: st.state === 'done' ? 'handoff-repair' : 'handoff-needed',
    });
  }
  return { operations, drift };
}
