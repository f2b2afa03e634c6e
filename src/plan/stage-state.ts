// A stage's state from its latest run of this revision. Only a succeeded run that passed
// verification (handed-off steps were cache hits, the stage's own steps executed) counts as done:
// a succeeded run that executed what should have been served from cache did not do what the plan said.
import type { ObservedRun } from './observation.js';
import type { StageLayout } from './layout.js';
import type { PlannedStage, StageState } from './types.js';

export interface ObservedStage {
  state: StageState;
  /** Why, in words (becomes the reason of the operation that acts on it). */
  reason: string;
  run?: ObservedRun;
}

export function stageStateOf(run: ObservedRun | undefined): ObservedStage {
  if (!run) return { state: 'pending', reason: 'no run of this revision yet' };
  if (run.state === 'pending' || run.state === 'running') {
    return { state: 'running', reason: `run ${run.runId} is ${run.state}`, run };
  }
  if (run.state === 'succeeded' && run.verification?.ok) {
    return { state: 'done', reason: `run ${run.runId} succeeded and was verified`, run };
  }
  if (run.state === 'succeeded') {
    const problems = (run.verification?.problems ?? ['not verified']).join('; ');
    return { state: 'failed', reason: `run ${run.runId} succeeded but failed verification: ${problems}`, run };
  }
  return { state: 'failed', reason: `run ${run.runId} ${run.state}${run.error ? `: ${run.error}` : ''}`, run };
}

/** The stage as the plan shows it: a stage that must run again is pending, whatever its last run did. */
export function plannedStage(l: StageLayout, observed: ObservedStage, runsAgain: boolean): PlannedStage {
  const s: PlannedStage = {
    index: l.index,
    name: l.name,
    location: l.location,
    steps: l.steps,
    fromCache: l.fromCache,
    state: runsAgain ? 'pending' : observed.state,
  };
  if (observed.run) {
    s.runId = observed.run.runId;
    if (observed.run.verification) {
      s.executed = observed.run.verification.executed;
      s.cached = observed.run.verification.cached;
    }
  }
  return s;
}
