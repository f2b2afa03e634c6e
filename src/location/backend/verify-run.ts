// Verification of a finished stage run from the location's own records (a RunRecord of either backend):
// the rules of src/observe/verify.ts on domain records. Every step served from an earlier stage must have
// been a cache hit; every step of this stage must have run (or been served by this location's own cache).
import type { StageVerification } from '../../plan/observation.js';
import type { RunRecord, TaskRecord, VerifyRunRequest } from './port.js';

type Kind = 'cached' | 'executed' | 'mixed' | 'none';

export function verifyRunRecord(record: RunRecord, req: VerifyRunRequest): StageVerification {
  if (!record.found)
    return {
      ok: false,
      executed: [],
      cached: [],
      problems: [`run ${req.runId} at ${req.location} has no task records: KFP did not record it`],
    };
  const byRoot = new Map<string, TaskRecord[]>();
  for (const t of record.tasks) if (t.rootTask) byRoot.set(t.rootTask, [...(byRoot.get(t.rootTask) ?? []), t]);
  const classify = (step: string): Kind => {
    // A canceled or skipped task did nothing (a DAG whose condition was false).
    const list = (byRoot.get(step) ?? []).filter((t) => t.outcome !== 'canceled' && t.outcome !== 'skipped');
    if (list.length === 0) return 'none';
    const c = list.filter((t) => t.outcome === 'cached' || t.kind === 'importer').length;
    if (c === list.length) return 'cached';
    return c === 0 ? 'executed' : 'mixed';
  };
  const executed: string[] = [];
  const cached: string[] = [];
  const problems: string[] = [];
  for (const step of req.fromCache) {
    const k = classify(step);
    if (k === 'cached' || k === 'none') {
      cached.push(step); // 'none': nothing executable ran (a condition was false)
      continue;
    }
    executed.push(step);
    const ran = (byRoot.get(step) ?? []).filter((t) => t.outcome !== 'cached' && t.fingerprint);
    const expected = req.expectedFingerprints?.[step];
    problems.push(
      `${step} executed at ${req.location} instead of being a cache hit` +
        (ran.length > 0 ? `: KFP computed fingerprint ${ran.map((t) => t.fingerprint!.slice(0, 12)).join(', ')}` : '') +
        (expected && expected.length > 0
          ? `, the handoff wrote cache entries for ${expected.map((f) => f.slice(0, 12)).join(', ')}`
          : '') +
        ' (the handed-off metadata does not match what KFP looks up there)',
    );
  }
  for (const step of req.steps) {
    const k = classify(step);
    if (k === 'executed' || k === 'mixed') executed.push(step);
    else if (k === 'cached') cached.push(step);
    else if (!byRoot.has(step) && !record.rootTasksSeen.includes(step))
      problems.push(`${step} did not run at ${req.location}: the run has no task for it`);
  }
  return { ok: problems.length === 0, executed, cached, problems };
}
