// `apply --plan FILE` applies the plan that was reviewed: a fresh plan, made under the locks just
// before the first operation, must have the same operations and the same policy results as the file.
// Pure: what differs, in words, one line each; empty when the plans agree.
//
// Operations are compared by what they do (id, kind, stage, locations, steps, reason code, what
// travels as bytes), not by their sentence: a sentence carries observed detail (a run id, a size)
// that can change without changing the work. Policy results are compared by outcome (passed, the
// failed validations' messages), evaluated in the context the file recorded, so `now` and `command`
// differing between plan and apply do not count here; whether a result blocks is decided separately
// in the apply's own context (enforce.ts). A handoff's transfer engine is part of what it does: a
// plan reviewed as "copied by inline through the runner" must not become a Job in a cluster (or the
// reverse) unnoticed. `auto` (the size unknown when planned) is not an engine yet, so it matches any.
import type { PlannedOperation, PlanPolicies, PlanPolicyResult } from '../plan/types.js';
import type { PlanFile } from './plan-file.js';

export interface FreshPlanFacts {
  revisionDigest: string;
  fileSha256: string;
  packageSha256: string;
  operations: PlannedOperation[];
  /** The fresh plan's policy results in the file's recorded context (undefined: no policies). */
  policies: PlanPolicies | undefined;
}

/** What an operation does, as compared (its sentence and sizes excluded). */
function workOf(op: PlannedOperation): string {
  const travels = (op.artifacts ?? [])
    .map((a) => `${a.step}/${a.output}=${a.travels}`)
    .sort()
    .join(',');
  return JSON.stringify({
    kind: op.kind,
    stage: op.stage,
    location: op.location,
    from: op.from ?? null,
    steps: op.steps ?? [],
    refresh: op.refresh ?? [],
    reasonCode: op.reasonCode ?? null,
    travels,
  });
}

function describeChange(saved: PlannedOperation, fresh: PlannedOperation): string {
  const parts: string[] = [];
  if (saved.reasonCode !== fresh.reasonCode)
    parts.push(`reason ${saved.reasonCode ?? '(none)'} → ${fresh.reasonCode ?? '(none)'}`);
  const list = (v: string[] | undefined) => (v && v.length > 0 ? v.join(', ') : '(none)');
  if (list(saved.steps) !== list(fresh.steps)) parts.push(`steps ${list(saved.steps)} → ${list(fresh.steps)}`);
  if (list(saved.refresh) !== list(fresh.refresh))
    parts.push(`steps to execute again ${list(saved.refresh)} → ${list(fresh.refresh)}`);
  if (parts.length === 0) parts.push('what it does changed (kind, location or what travels as bytes)');
  return parts.join('; ');
}

/** The engine a handoff was reviewed with and the one it would use now, when both are chosen and differ. */
function engineChange(saved: PlannedOperation, fresh: PlannedOperation): string | undefined {
  const before = saved.transfer?.engine;
  const after = fresh.transfer?.engine;
  if (before === undefined || after === undefined || before === 'auto' || after === 'auto' || before === after)
    return undefined;
  return (
    `operation ${saved.id} (handoff ${saved.from ?? '?'} → ${saved.location}) changed its transfer engine: ` +
    `${before} in the plan file, ${after} now (${fresh.transfer?.reason ?? 'no reason given'})`
  );
}

export function operationDifferences(saved: PlannedOperation[], fresh: PlannedOperation[]): string[] {
  const out: string[] = [];
  const freshById = new Map(fresh.map((op) => [op.id, op]));
  const savedById = new Map(saved.map((op) => [op.id, op]));
  for (const op of saved) {
    const now = freshById.get(op.id);
    if (!now) out.push(`operation ${op.id} is in the plan file but no longer needed (${op.reason})`);
    else {
      if (workOf(op) !== workOf(now)) out.push(`operation ${op.id} changed: ${describeChange(op, now)}`);
      const engine = engineChange(op, now);
      if (engine) out.push(engine);
    }
  }
  for (const op of fresh)
    if (!savedById.has(op.id)) out.push(`operation ${op.id} is needed now but not in the plan file (${op.reason})`);
  if (out.length === 0) {
    const order = (ops: PlannedOperation[]) => ops.map((o) => o.id).join(' ');
    if (order(saved) !== order(fresh)) out.push(`the operations are in a different order: now ${order(fresh)}`);
  }
  return out;
}

const keyOf = (r: PlanPolicyResult) => `${r.policy} on ${r.item}`;

function outcome(r: PlanPolicyResult): string {
  return r.passed ? 'passed' : `failed (${r.messages.join('; ') || 'no message'})`;
}

export function policyDifferences(saved: PlanPolicies | undefined, fresh: PlanPolicies | undefined): string[] {
  const out: string[] = [];
  const a = new Map((saved?.results ?? []).map((r) => [keyOf(r), r]));
  const b = new Map((fresh?.results ?? []).map((r) => [keyOf(r), r]));
  for (const [key, r] of a) {
    const now = b.get(key);
    if (!now) out.push(`policy ${key}: ${outcome(r)} in the plan file, not evaluated now`);
    else if (r.enforcement !== now.enforcement)
      out.push(`policy ${key}: enforcement ${r.enforcement} → ${now.enforcement}`);
    else if (outcome(r) !== outcome(now))
      out.push(`policy ${key}: ${outcome(r)} in the plan file, ${outcome(now)} now`);
  }
  for (const [key, r] of b) if (!a.has(key)) out.push(`policy ${key}: ${outcome(r)} now, not in the plan file`);
  return out;
}

/** Everything that differs between the plan file and a fresh plan; empty when apply may go on. */
export function planDifferences(saved: PlanFile, fresh: FreshPlanFacts): string[] {
  return [
    ...inputDifferences(saved, fresh),
    ...operationDifferences(saved.plan.operations, fresh.operations),
    ...policyDifferences(saved.plan.policies, fresh.policies),
  ];
}

/** What can be checked before any location is contacted: the revision and the files the plan was made from. */
export function inputDifferences(
  saved: PlanFile,
  fresh: Pick<FreshPlanFacts, 'revisionDigest' | 'fileSha256' | 'packageSha256'>,
): string[] {
  const out: string[] = [];
  if (saved.revisionDigest !== fresh.revisionDigest)
    out.push(
      `revision: the plan file is for ${saved.revision} (${saved.revisionDigest}), the file now gives ${fresh.revisionDigest}`,
    );
  if (saved.file.sha256 !== fresh.fileSha256)
    out.push(
      `the split file changed since the plan was written (${saved.file.path}: sha256 ${saved.file.sha256} → ${fresh.fileSha256})`,
    );
  if (saved.package.sha256 !== fresh.packageSha256)
    out.push(
      `the pipeline package changed since the plan was written (${saved.package.path}: sha256 ${saved.package.sha256} → ${fresh.packageSha256})`,
    );
  return out;
}
