// `plan --offline`: the operations a first apply of this revision would perform, derived from the
// file alone (no location contacted): the online planner run against locations that have nothing.
import type { Observation } from './observation.js';
import { planReconcile, type ReconcileInput } from './reconcile.js';
import type { PlanDocument } from './types.js';

export function planOffline(input: ReconcileInput): PlanDocument {
  const observation: Observation = { revision: input.revision.short, locations: {} };
  for (const l of input.layouts) {
    observation.locations[l.location] = {
      location: l.location,
      kfpVersion: 'unknown',
      multiUser: false,
      pipelineVersionUploaded: false,
      runs: [],
      availability: {},
      markerRuns: [],
    };
  }
  const plan = planReconcile(input, observation);
  const total = new Set(input.layouts.flatMap((l) => l.steps)).size;
  return {
    ...plan,
    offline: true,
    inSync: false,
    stages: plan.stages.map((s) => ({ ...s, state: 'unknown' })),
    operations: plan.operations.map((op) => {
      if (op.kind === 'upload-pipeline') {
        const version = `pipeline version ${input.revision.short}`;
        return { ...op, reason: `${version} is uploaded at ${op.location} for traceability` };
      }
      if (op.kind === 'run-stage') {
        const l = input.layouts[op.stage - 1]!;
        const cached = l.fromCache.length > 0 ? `, serving ${l.fromCache.join(', ')} from cache` : '';
        const pruned = `the pipeline pruned to ${l.runTasks.length} of its ${total} tasks`;
        return { ...op, reason: `stage ${l.index} runs ${l.steps.join(', ')} at ${l.location}${cached} (${pruned})` };
      }
      return op;
    }),
  };
}
