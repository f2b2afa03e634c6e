// The online planner: desired state (the stage layout of this revision) against observed state
// (per location), as a pure function. Same input, same plan; no I/O.
//
// Desired: every stage has a succeeded, verified run at its location, and before a stage runs,
// everything it needs from earlier stages is available at its location. Drift: a handed-off step no
// longer available at a target is handed off again from any location that still has it; if none
// has it and the stage that needs it is not done yet, the stage that produced it runs again.
//
// Each rule lives in a file named for what it decides: stage-state.ts (what a stage's last run
// means), lost-outputs.ts and regeneration.ts (which done stages run again, repeated by
// stages-to-run-again.ts), handoff-source.ts and handoffs.ts (what travels where), operations.ts.
import { warningLine, type PlanDiagnostic } from '../diagnostics/plan-diagnostic.js';
import { planFacts, stateOf } from './facts.js';
import type { StageLayout } from './layout.js';
import type { Observation } from './observation.js';
import { planOperations } from './operations.js';
import type { DependsOn } from './regeneration.js';
import { plannedStage } from './stage-state.js';
import { stagesToRunAgain } from './stages-to-run-again.js';
import { withTravel, type ArtifactFlow } from './travel.js';
import type { PlanDocument } from './types.js';

export interface ReconcileInput {
  name: string;
  revision: { digest: string; short: string };
  pipeline: { name: string; package: string };
  layouts: StageLayout[];
  /** What the plan tells its reader beside the operations (from the file and the stage layout). */
  diagnostics: PlanDiagnostic[];
  /** Root task → the root tasks it depends on (to cascade regenerated outputs to their consumers). */
  dependsOn?: DependsOn;
  /** Which outputs each step makes and reads: handoffs then say what travels as bytes (travel.ts). */
  artifactFlow?: ArtifactFlow;
}

export function planReconcile(input: ReconcileInput, observation: Observation): PlanDocument {
  const facts = planFacts(input.layouts, observation);
  const reruns = stagesToRunAgain(facts, input.dependsOn);
  const work = planOperations(facts, reruns, input.revision.short);
  const drift = work.drift;
  const operations = input.artifactFlow
    ? withTravel(work.operations, input.artifactFlow, input.layouts, { held: observation.locations })
    : work.operations;
  return {
    name: input.name,
    revision: input.revision.short,
    revisionDigest: input.revision.digest,
    pipeline: input.pipeline,
    offline: false,
    inSync: operations.length === 0,
    stages: input.layouts.map((l) => plannedStage(l, stateOf(facts, l.index), reruns.reasons.has(l.index))),
    operations,
    warnings: input.diagnostics.map(warningLine),
    diagnostics: input.diagnostics,
    drift,
    ...plannedLocations(observation),
  };
}

/** The locations whose backend was detected (sessions detect it; synthetic observations leave it out). */
function plannedLocations(observation: Observation): Pick<PlanDocument, 'locations'> {
  const locations = Object.values(observation.locations).flatMap((o) =>
    o.backend ? [{ name: o.location, kfpVersion: o.kfpVersion, backend: o.backend }] : [],
  );
  return locations.length > 0 ? { locations } : {};
}
