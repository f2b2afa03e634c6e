import { planProject } from '../apply/apply.js';
import { EXIT } from './exit.js';
import type { Output } from './output.js';
import { requireProject } from './plan.js';
import type { ParsedArgs } from './run.js';

export async function statusCommand(args: ParsedArgs, out: Output): Promise<number> {
  const project = await requireProject(args, out);
  const plan = await planProject(project);
  const doc = { name: plan.name, revision: plan.revision, inSync: plan.inSync, stages: plan.stages, drift: plan.drift, pendingOperations: plan.operations.length };
  if (args.values['json']) {
    out.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [`Split pipeline ${plan.name}, revision ${plan.revision}: ${plan.inSync ? 'in sync' : `${plan.operations.length} operation(s) pending`}`, ''];
  for (const s of plan.stages) {
    lines.push(`Stage ${s.index} at ${s.location}: ${s.state}${s.runId ? ` (run ${s.runId})` : ''}`);
    lines.push(`  steps: ${s.steps.join(', ')}`);
    if (s.executed) lines.push(`  executed: ${s.executed.join(', ') || 'none'}`);
    if (s.cached) lines.push(`  cache hits: ${s.cached.join(', ') || 'none'}`);
  }
  if (plan.drift.length > 0) {
    lines.push('', 'Drift:');
    for (const d of plan.drift) lines.push(`  ! ${d}`);
  }
  out.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
