// What every planner rule reads: the stage layout of this revision and what was observed at each
// location, indexed once. The rules are pure functions of these facts (and of the reruns decided
// so far), so each can be tested alone with a hand-built observation.
import type { LocationObservation, Observation, ObservedRun } from './observation.js';
import type { StageLayout } from './layout.js';
import { stageStateOf, type ObservedStage } from './stage-state.js';

export interface PlanFacts {
  layouts: readonly StageLayout[];
  /** Step → the stage that places it (executes it). */
  producers: ReadonlyMap<string, StageLayout>;
  /** Stage index → its observed state. */
  states: ReadonlyMap<number, ObservedStage>;
  locations: Readonly<Record<string, LocationObservation>>;
}

/** Indexes an observation against the layout; a location of the layout that was not observed is a bug upstream. */
export function planFacts(layouts: readonly StageLayout[], observation: Observation): PlanFacts {
  const states = new Map<number, ObservedStage>();
  const facts: PlanFacts = { layouts, producers: producersOf(layouts), states, locations: observation.locations };
  for (const l of layouts) states.set(l.index, stageStateOf(latestRunOf(facts, l)));
  return facts;
}

export function producersOf(layouts: readonly StageLayout[]): Map<string, StageLayout> {
  const out = new Map<string, StageLayout>();
  for (const l of layouts) for (const s of l.steps) out.set(s, l);
  return out;
}

export function observedAt(facts: PlanFacts, location: string): LocationObservation {
  const o = facts.locations[location];
  if (!o) throw new Error(`no observation for location ${location}`);
  return o;
}

/** Runs are observed newest first, so the first run of a stage is its latest. */
export function latestRunOf(facts: PlanFacts, l: StageLayout): ObservedRun | undefined {
  return observedAt(facts, l.location).runs.find((r) => r.stage === l.index);
}

export function availableAt(facts: PlanFacts, location: string, step: string): boolean {
  return observedAt(facts, location).availability[step]?.available === true;
}

/** Why a step is not available at a location, as the observation put it. */
export function unavailableReason(facts: PlanFacts, location: string, step: string): string {
  return observedAt(facts, location).availability[step]?.reason ?? 'not observed';
}

export function producerOf(facts: PlanFacts, step: string): StageLayout {
  return facts.producers.get(step)!;
}

export function stateOf(facts: PlanFacts, index: number): ObservedStage {
  return facts.states.get(index)!;
}
