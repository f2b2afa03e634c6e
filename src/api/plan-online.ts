import { planProject } from '../apply/apply.js';
import type { PlanDocument } from '../plan/types.js';
import type { Project } from '../split-file/load-project.js';
import type { PlanOptions } from './index.js';

/** Observes every location and plans against what it finds. */
export async function planOnline(project: Project, options: PlanOptions): Promise<PlanDocument> {
  return planProject(project, options.env ? { env: options.env } : {});
}
