// Why `apply --plan FILE` refused: nothing was done at any location, and the way on is a new review.
import { UserError } from '../errors/user-error.js';

const AGAIN =
  'nothing was changed at any location; make and review a new plan (`split-pipelines plan --out FILE`), then apply that file';

/** The fresh plan (or what it is made from) differs from the reviewed plan file. */
export class PlanChangedError extends UserError {
  constructor(
    readonly planFile: string,
    readonly differences: string[],
    /** Locations whose observed state changed since the plan was written. */
    readonly changedAt: string[],
  ) {
    const where =
      changedAt.length > 0
        ? `\n  (the state observed at ${changedAt.join(', ')} changed since the plan was written)`
        : '';
    super(
      `apply --plan ${planFile} refused: the plan now differs from the reviewed plan:\n` +
        differences.map((d) => `  - ${d}`).join('\n') +
        where,
      { code: 'plan-changed', operation: 'apply-plan', advice: AGAIN },
    );
    this.name = 'PlanChangedError';
  }
}

/** The plan file cannot be applied at all (made offline). */
export class PlanRefusedError extends UserError {
  constructor(planFile: string, problem: string, advice: string) {
    super(`apply --plan ${planFile} refused: ${problem}`, { code: 'plan-refused', operation: 'apply-plan', advice });
    this.name = 'PlanRefusedError';
  }
}
