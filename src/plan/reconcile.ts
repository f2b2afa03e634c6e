// The online planner: desired state (the stage layout of this revision) against observed state
// (per location), as a pure function. Same input, same plan; no I/O.
//
// Desired: every stage has a succeeded, verified run at its location, and before a stage runs,
// everything it needs from earlier stages is available at its location. Drift: a handed-off step no
// longer available at a target is handed off again from any location that still has it; if none
// has it and the stage that needs it is not done yet, the stage that produced it runs again.
import type { LocationObservation, Observation, ObservedRun } from '../observe/types.js';
import type { StageLayout } from './layout.js';
import type { PlanDocument, PlannedOperation, PlannedStage, StageState } from './types.js';

export interface ReconcileInput {
  name: string;
  revision: { digest: string; short: string };
  pipeline: { name: string; package: string };
  layouts: StageLayout[];
  warnings: string[];
  /** Root task → the root tasks it depends on (to cascade regenerated outputs to their consumers). */
  dependsOn?: Record<string, string[]>;
}

export function planReconcile(input: ReconcileInput, observation: Observation): PlanDocument {
  const layouts = input.layouts;
  const obs = (loc: string): LocationObservation => {
    const o = observation.locations[loc];
    if (!o) throw new Error(`no observation for location ${loc}`);
    return o;
  };
  const latestRun = (l: StageLayout): ObservedRun | undefined => obs(l.location).runs.find((r) => r.stage === l.index);
  const availableAt = (loc: string, step: string) => obs(loc).availability[step]?.available === true;

  // 1. Observed state of every stage.
  const state = new Map<number, { state: StageState; reason: string; run?: ObservedRun }>();
  for (const l of layouts) {
    const run = latestRun(l);
    if (!run) state.set(l.index, { state: 'pending', reason: 'no run of this revision yet' });
    else if (run.state === 'pending' || run.state === 'running') state.set(l.index, { state: 'running', reason: `run ${run.runId} is ${run.state}`, run });
    else if (run.state === 'succeeded' && run.verification?.ok) state.set(l.index, { state: 'done', reason: `run ${run.runId} succeeded and was verified`, run });
    else if (run.state === 'succeeded') {
      state.set(l.index, { state: 'failed', reason: `run ${run.runId} succeeded but failed verification: ${(run.verification?.problems ?? ['not verified']).join('; ')}`, run });
    } else state.set(l.index, { state: 'failed', reason: `run ${run.runId} ${run.state}${run.error ? `: ${run.error}` : ''}`, run });
  }

  // 2. Lost outputs: a step that a stage still to run needs, which no location has and no stage of
  //    this plan will produce, makes its producing stage run again (repeat: a re-run stage may in
  //    turn need inputs that were lost).
  const drift: string[] = [];
  const rerun = new Map<number, string>();
  const stageOfStep = new Map<string, StageLayout>();
  for (const l of layouts) for (const s of l.steps) stageOfStep.set(s, l);
  const willWork = (l: StageLayout) => rerun.has(l.index) || state.get(l.index)!.state !== 'done';
  /**
   * Where a stage gets a step from: the nearest earlier stage (at another location) that has it
   * or will have it once this plan ran, so ids travel along the chain of stages (A→B→C, as the
   * thesis moved them). `future` means it is not there yet but an earlier operation puts it there.
   */
  const sourceFor = (step: string, k: StageLayout): { location: string; future: boolean } | undefined => {
    for (let j = k.index - 1; j >= 1; j--) {
      const lj = layouts[j - 1]!;
      if (lj.location === k.location) continue;
      if (!lj.steps.includes(step) && !lj.fromCache.includes(step)) continue;
      if (!rerun.has(stageOfStep.get(step)!.index) && availableAt(lj.location, step)) return { location: lj.location, future: false };
      if (willWork(lj) && (lj.steps.includes(step) || sourceFor(step, lj) !== undefined || availableAt(lj.location, step))) {
        return { location: lj.location, future: true };
      }
    }
    return undefined;
  };
  // Steps that must execute again (not be served from a stale cache row whose bytes are gone).
  const refresh = new Map<number, Set<string>>();
  const descendants = (roots: Iterable<string>): Set<string> => {
    const out = new Set<string>();
    const deps = input.dependsOn ?? {};
    for (let grew = true; grew; ) {
      grew = false;
      for (const [task, ds] of Object.entries(deps)) {
        if (out.has(task)) continue;
        if (ds.some((d) => out.has(d) || [...roots].includes(d))) {
          out.add(task);
          grew = true;
        }
      }
    }
    return out;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const l of layouts) {
      if (!willWork(l) || state.get(l.index)!.state === 'running') continue;
      for (const step of l.fromCache) {
        const producer = stageOfStep.get(step)!;
        if (rerun.has(producer.index)) continue;
        if (producer.location === l.location) {
          // Served from the same location's cache: lost there means the producer runs again.
          if (availableAt(l.location, step) || willWork(producer)) continue;
        } else if (availableAt(l.location, step) || sourceFor(step, l) !== undefined) continue;
        rerun.set(producer.index, `${step} is needed by stage ${l.index} (${l.location}) but no location has it any more (${obs(producer.location).availability[step]?.reason ?? 'not observed'})`);
        refresh.set(producer.index, new Set(producer.steps.filter((s) => !availableAt(producer.location, s))));
        changed = true;
      }
    }
    // Regenerated outputs get new MLMD ids, so a done stage whose steps consumed them must run
    // again before a later stage uses its results (its own cache keys change with the new ids).
    const regenerated = [...refresh.values()].flatMap((x) => [...x]);
    if (regenerated.length > 0) {
      const affected = descendants(regenerated);
      for (const m of layouts) {
        if (rerun.has(m.index) || state.get(m.index)!.state !== 'done') continue;
        const hit = m.steps.filter((s) => affected.has(s));
        if (hit.length === 0) continue;
        const needed = layouts.some((n) => n.index > m.index && willWork(n) && n.fromCache.some((s) => hit.includes(s)));
        if (!needed) continue;
        rerun.set(m.index, `${hit.join(', ')} consumed outputs that stage ${stageOfStep.get(regenerated[0]!)!.index} regenerates`);
        changed = true;
      }
    }
  }

  // 3. Operations, stage by stage.
  const operations: PlannedOperation[] = [];
  const uploaded = new Set<string>();
  for (const l of layouts) {
    const st = state.get(l.index)!;
    const mustRun = st.state === 'pending' || st.state === 'failed' || rerun.has(l.index);
    if (mustRun && !obs(l.location).pipelineVersionUploaded && !uploaded.has(l.location)) {
      uploaded.add(l.location);
      operations.push({
        id: `upload-pipeline:${l.location}`,
        kind: 'upload-pipeline',
        stage: l.index,
        location: l.location,
        reason: `pipeline version ${input.revision.short} is not uploaded at ${l.location} yet`,
      });
    }
    // Handoffs into this stage: needed before it runs; once it is done, only to repair drift.
    const bySource = new Map<string, { steps: string[]; future: string[]; missing: string[] }>();
    for (const step of l.fromCache) {
      const producer = stageOfStep.get(step)!;
      if (producer.location === l.location) continue; // the same location's cache serves it
      if (availableAt(l.location, step) && !rerun.has(producer.index)) continue;
      if (st.state === 'running') continue; // too late to change what the run sees
      const why = obs(l.location).availability[step]?.reason ?? 'not observed';
      const source = sourceFor(step, l);
      if (!source) {
        drift.push(`${step} is no longer available at ${l.location} (${why}) nor at any earlier location; stage ${l.index} is done, so it is not repaired`);
        continue;
      }
      if (st.state === 'done') drift.push(`${step} was handed off to ${l.location} but is no longer available there (${why})`);
      const entry = bySource.get(source.location) ?? { steps: [], future: [], missing: [] };
      entry.steps.push(step);
      if (source.future) entry.future.push(step);
      else entry.missing.push(`${step} (${why})`);
      bySource.set(source.location, entry);
    }
    for (const [from, { steps, future, missing }] of bySource) {
      const parts: string[] = [];
      if (future.length > 0) parts.push(`stage ${l.index} (${l.location}) needs ${future.join(', ')} as cache hits; ${from} has them once its stage is done`);
      if (missing.length > 0) parts.push(`not available at ${l.location}: ${missing.join(', ')}; ${from} has them`);
      operations.push({ id: `handoff:${l.index}:${from}`, kind: 'handoff', stage: l.index, location: l.location, from, steps, reason: parts.join('; ') });
    }
    if (st.state === 'running') {
      operations.push({ id: `await-stage:${l.index}`, kind: 'await-stage', stage: l.index, location: l.location, steps: l.steps, reason: st.reason });
      operations.push(verifyOp(l));
    } else if (mustRun) {
      const why = rerun.get(l.index) ?? st.reason;
      const op: PlannedOperation = { id: `run-stage:${l.index}`, kind: 'run-stage', stage: l.index, location: l.location, steps: l.steps, reason: `stage ${l.index} runs ${l.steps.join(', ')} at ${l.location}: ${why}` };
      const fresh = refresh.get(l.index);
      if (fresh && fresh.size > 0) {
        op.refresh = l.steps.filter((s) => fresh.has(s));
        op.reason += `; ${op.refresh.join(', ')} must execute again (their cache rows point at missing bytes), and get fresh cache rows`;
      }
      operations.push(op);
      operations.push(verifyOp(l));
    }
  }

  const stages: PlannedStage[] = layouts.map((l) => {
    const st = state.get(l.index)!;
    const s: PlannedStage = { index: l.index, name: l.name, location: l.location, steps: l.steps, fromCache: l.fromCache, state: rerun.has(l.index) ? 'pending' : st.state };
    if (st.run) {
      s.runId = st.run.runId;
      if (st.run.verification) {
        s.executed = st.run.verification.executed;
        s.cached = st.run.verification.cached;
      }
    }
    return s;
  });
  return {
    name: input.name,
    revision: input.revision.short,
    revisionDigest: input.revision.digest,
    pipeline: input.pipeline,
    offline: false,
    inSync: operations.length === 0,
    stages,
    operations,
    warnings: input.warnings,
    drift,
  };
}

function verifyOp(l: StageLayout): PlannedOperation {
  return {
    id: `verify-stage:${l.index}`,
    kind: 'verify-stage',
    stage: l.index,
    location: l.location,
    steps: l.runTasks,
    reason: l.fromCache.length > 0 ? `${l.fromCache.join(', ')} must be cache hits and ${l.steps.join(', ')} must execute` : `${l.steps.join(', ')} must execute`,
  };
}
