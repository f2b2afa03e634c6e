// Human rendering of a plan for terminals and logs (Terraform-style: what, where, why).
import { travelSummary } from '../plan/travel.js';
import type { PlanDocument, PlannedOperation } from '../plan/types.js';
import { diagnosticsText } from './plan-diagnostics.js';
import { policyTextLines } from './plan-policies.js';

const SYMBOL: Record<PlannedOperation['kind'], string> = {
  'upload-pipeline': '+',
  handoff: '~',
  'run-stage': '>',
  'await-stage': '…',
  'verify-stage': '?',
};

export function operationTarget(op: PlannedOperation): string {
  return op.from ? `${op.from} → ${op.location}` : op.location;
}

export function renderPlanText(plan: PlanDocument): string {
  const lines: string[] = [];
  lines.push(
    `Split pipeline ${plan.name}, revision ${plan.revision} (pipeline "${plan.pipeline.name}", ${plan.pipeline.package})`,
  );
  if (plan.offline) lines.push('Offline plan: no location was contacted, so every stage is shown as not yet done.');
  lines.push('');
  lines.push('Stages:');
  const locWidth = Math.max(8, ...plan.stages.map((s) => s.location.length));
  for (const s of plan.stages) {
    const cache = s.fromCache.length > 0 ? `  (from cache: ${s.fromCache.join(', ')})` : '';
    const run = s.runId ? `  run ${s.runId}` : '';
    lines.push(
      `  ${String(s.index).padStart(2)}  ${s.location.padEnd(locWidth)}  ${s.state.padEnd(7)}  ${s.steps.join(', ')}${cache}${run}`,
    );
  }
  lines.push('');
  if (plan.drift.length > 0) {
    lines.push('Drift:');
    for (const d of plan.drift) lines.push(`  ! ${d}`);
    lines.push('');
  }
  if (plan.operations.length === 0) {
    lines.push('No changes. Every stage is done and verified; the locations match the file.');
  } else {
    lines.push(`Operations (${plan.operations.length}):`);
    const kindWidth = Math.max(...plan.operations.map((o) => o.kind.length));
    for (const op of plan.operations) {
      const steps = op.steps && op.kind === 'handoff' ? `  ${op.steps.join(', ')}` : '';
      lines.push(`  ${SYMBOL[op.kind]} ${op.kind.padEnd(kindWidth)}  ${operationTarget(op)}${steps}`);
      lines.push(`      ${op.reason}`);
      const travel = travelSummary(op);
      if (travel) lines.push(`      ${travel}`);
    }
  }
  const policies = policyTextLines(plan);
  if (policies.length > 0) lines.push('', ...policies);
  const diagnostics = diagnosticsText(plan.diagnostics);
  if (diagnostics.length > 0) lines.push('', ...diagnostics);
  lines.push('');
  lines.push(
    plan.operations.length === 0 ? 'Plan: in sync.' : `Plan: ${plan.operations.length} operation(s) to apply.`,
  );
  return lines.join('\n') + '\n';
}
