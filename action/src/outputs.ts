// The step outputs, for later steps and jobs (`steps.<id>.outputs.<name>`).
import type { ActionIO } from './io.js';
import { allInSync, type RunReport } from './report.js';

export interface ActionOutputs {
  /** `true` when every config's locations are in the desired state. */
  'in-sync': string;
  /** Short revision; with several configs, space-separated in config order. */
  revision: string;
  /** The plan document; with several configs, a JSON array of them in config order. */
  'plan-json': string;
  /** JSON array of drift messages (prefixed with the split pipeline's name when several configs). */
  drift: string;
  /** plan: the plan has operations; apply/reconcile: something was done at a location. */
  changed: string;
}

export function outputsOf(report: RunReport): ActionOutputs {
  const plans = report.configs.map((c) => c.plan ?? null);
  const several = report.configs.length > 1;
  const drift = report.configs.flatMap((c) => c.drift.map((d) => (several && c.plan ? `${c.plan.name}: ${d}` : d)));
  return {
    'in-sync': String(allInSync(report)),
    revision: report.configs
      .map((c) => c.plan?.revision ?? c.revision ?? '')
      .join(' ')
      .trim(),
    'plan-json': JSON.stringify(several ? plans : (plans[0] ?? null)),
    drift: JSON.stringify(drift),
    changed: String(report.configs.some((c) => c.changed)),
  };
}

export function writeOutputs(io: ActionIO, outputs: ActionOutputs): void {
  for (const name of Object.keys(outputs) as (keyof ActionOutputs)[]) io.setOutput(name, outputs[name]);
}
