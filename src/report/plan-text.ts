// Human rendering of a plan for terminals and logs (Terraform-style: what, where, why).
import { travelSummary } from '../plan/travel.js';
import { formatBytes } from '../units/bytes.js';
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

/** A handoff's copy in one line: `transfer: kubernetes-job, 1.0 GiB, about 6s (auto: …)`. */
export function transferSummary(op: PlannedOperation): string | undefined {
  const t = op.transfer;
  if (!t) return undefined;
  const bytes = t.bytes === null ? 'size unknown' : formatBytes(t.bytes);
  const time = t.estimatedSeconds === null ? '' : `, about ${formatSeconds(t.estimatedSeconds)}`;
  return `transfer: ${t.engine}, ${bytes}${time} (${t.reason})`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ''}`;
  return `${m}m${s % 60 > 0 ? `${s % 60}s` : ''}`;
}

const BACKEND_NAME = { mlmd: 'ML Metadata', native: 'native task API' } as const;

/** `Locations: a KFP 2.17.0 (ML Metadata), c KFP master (native task API)`, when the plan observed them. */
export function locationsLine(plan: PlanDocument): string | undefined {
  if (!plan.locations || plan.locations.length === 0) return undefined;
  return `Locations: ${plan.locations.map((l) => `${l.name} KFP ${l.kfpVersion} (${BACKEND_NAME[l.backend]})`).join(', ')}`;
}

export function renderPlanText(plan: PlanDocument): string {
  const lines: string[] = [];
  lines.push(
    `Split pipeline ${plan.name}, revision ${plan.revision} (pipeline "${plan.pipeline.name}", ${plan.pipeline.package})`,
  );
  if (plan.offline) lines.push('Offline plan: no location was contacted, so every stage is shown as not yet done.');
  const locations = locationsLine(plan);
  if (locations) lines.push(locations);
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
      const transfer = transferSummary(op);
      if (transfer) lines.push(`      ${transfer}`);
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
