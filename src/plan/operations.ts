// Operations, stage by stage in the file's order: upload the pipeline version where a stage is
// about to run, hand off what the stage needs, then run it (or await the run in progress) and
// verify it. Apply walks them in this order and re-checks each one's precondition.
import { observedAt, stateOf, type PlanFacts } from './facts.js';
import { handoffsInto } from './handoffs.js';
import type { StageLayout } from './layout.js';
import type { Reruns } from './reruns.js';
import type { ReasonCode } from './reason-codes.js';
import type { ObservedStage } from './stage-state.js';
import type { PlannedOperation } from './types.js';

export interface PlannedWork {
  operations: PlannedOperation[];
  drift: string[];
}

export function planOperations(facts: PlanFacts, reruns: Reruns, revision: string): PlannedWork {
  const operations: PlannedOperation[] = [];
  const drift: string[] = [];
  const uploaded = new Set<string>();
  for (const l of facts.layouts) {
    const st = stateOf(facts, l.index);
    const mustRun = st.state === 'pending' || st.state === 'failed' || reruns.reasons.has(l.index);
    if (mustRun && !observedAt(facts, l.location).pipelineVersionUploaded && !uploaded.has(l.location)) {
      uploaded.add(l.location);
      operations.push({
        id: `upload-pipeline:${l.location}`,
        kind: 'upload-pipeline',
        stage: l.index,
        location: l.location,
        reason: `pipeline version ${revision} is not uploaded at ${l.location} yet`,
        reasonCode: 'pipeline-version-missing',
      });
    }
    const handoffs = handoffsInto(facts, reruns, l);
    operations.push(...handoffs.operations);
    drift.push(...handoffs.drift);
    if (st.state === 'running') {
      // Never submit a duplicate: await the run in progress, then verify it like any other.
      operations.push({
        id: `await-stage:${l.index}`,
        kind: 'await-stage',
        stage: l.index,
        location: l.location,
        steps: l.steps,
        reason: st.reason,
        reasonCode: 'stage-running',
      });
      operations.push(verifyStage(l));
    } else if (mustRun) {
      const op = runStage(l, reruns.reasons.get(l.index) ?? st.reason, reruns.refresh.get(l.index));
      op.reasonCode = runReasonCode(st, reruns.reasons.has(l.index), reruns.refresh.has(l.index));
      operations.push(op);
      operations.push(verifyStage(l));
    }
  }
  return { operations, drift };
}

/** Why a stage runs: a rerun's rule (lost outputs set `refresh`, the regeneration cascade does not), else its last run. */
function runReasonCode(st: ObservedStage, rerun: boolean, refreshes: boolean): ReasonCode {
  if (rerun) return refreshes ? 'rerun-lost-output' : 'rerun-regenerated-input';
  if (st.state !== 'failed') return 'stage-not-run';
  return st.run?.state === 'succeeded' ? 'stage-unverified' : 'stage-failed';
}

export function runStage(l: StageLayout, why: string, fresh: ReadonlySet<string> | undefined): PlannedOperation {
  const op: PlannedOperation = {
    id: `run-stage:${l.index}`,
    kind: 'run-stage',
    stage: l.index,
    location: l.location,
    steps: l.steps,
    reason: `stage ${l.index} runs ${l.steps.join(', ')} at ${l.location}: ${why}`,
    reasonCode: 'stage-not-run',
  };
  if (fresh && fresh.size > 0) {
    op.refresh = l.steps.filter((s) => fresh.has(s));
    const steps = op.refresh.join(', ');
    op.reason += `; ${steps} must execute again (their cache rows point at missing bytes), and get fresh cache rows`;
  }
  return op;
}

export function verifyStage(l: StageLayout): PlannedOperation {
  const reason =
    l.fromCache.length > 0
      ? `${l.fromCache.join(', ')} must be cache hits and ${l.steps.join(', ')} must execute`
      : `${l.steps.join(', ')} must execute`;
  return {
    id: `verify-stage:${l.index}`,
    kind: 'verify-stage',
    stage: l.index,
    location: l.location,
    steps: l.runTasks,
    reason,
    reasonCode: 'verify-run',
  };
}
