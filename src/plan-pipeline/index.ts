// The plan pipeline's surface (see make-plan.ts).
export { applyWithPipeline, makePlan, offlinePlanOf, planFileFor } from './make-plan.js';
export type { ApplyPipelineOptions, MadePlan, PipelineOptions, PlanCommand } from './make-plan.js';
export { blockingResults, PolicyBlockedError, refuseIfBlocked } from './enforce.js';
export {
  readPlanFile,
  writePlanFile,
  parsePlanFile,
  PLAN_FILE_FORMAT,
  PLAN_FILE_VERSION,
  type PlanFile,
} from './plan-file.js';
export { planDifferences, operationDifferences, policyDifferences } from './compare.js';
export { PlanChangedError, PlanRefusedError } from './refusals.js';
