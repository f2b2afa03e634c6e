// Verification of a finished stage run, from the run's MLMD context (the authoritative record:
// the v2beta1 REST API's RuntimeState has no CACHED value, `backend/api/v2beta1/run.proto`): every step served from an earlier stage
// must have been a cache hit, and every step of this stage must have run (or been served by this
// location's own cache from an earlier run with identical inputs, which is reported as such).
import type { Execution, MlmdClient } from '../location/mlmd/index.js';
import { collectPages } from '../location/mlmd/index.js';
import type { StageVerification } from '../plan/observation.js';

export interface VerifyRequest {
  mlmd: MlmdClient;
  location: string;
  runId: string;
  steps: readonly string[];
  fromCache: readonly string[];
  /** Fingerprints the handoff wrote cache rows for, by root task (for precise messages). */
  expectedFingerprints?: Record<string, string[]>;
}

const EXECUTABLE_TYPES = new Set(['system.ContainerExecution', 'system.ImporterExecution']);

export async function verifyStageRun(req: VerifyRequest): Promise<StageVerification> {
  const ctx = await req.mlmd.getContextByTypeAndName('system.PipelineRun', req.runId);
  if (ctx?.id === undefined) {
    return {
      ok: false,
      executed: [],
      cached: [],
      problems: [`run ${req.runId} at ${req.location} has no ML Metadata context: KFP did not record it`],
    };
  }
  const executions = await collectPages((token) =>
    req.mlmd.getExecutionsByContext(ctx.id!, { maxResultSize: 100, ...(token ? { nextPageToken: token } : {}) }),
  );
  const byId = new Map(executions.map((e) => [e.id!, e]));
  const rootDag = executions.find((e) => e.name === `run/${req.runId}`);
  const rootTaskOf = (e: Execution): string | undefined => {
    let cur: Execution | undefined = e;
    for (let guard = 0; cur && guard < 64; guard++) {
      const parent = cur.customProperties?.['parent_dag_id']?.intValue;
      if (parent === undefined || (rootDag && parent === rootDag.id))
        return cur.customProperties?.['task_name']?.stringValue;
      cur = byId.get(parent);
    }
    return undefined;
  };
  const states = new Map<string, Execution[]>();
  for (const e of executions) {
    if (!EXECUTABLE_TYPES.has(e.type ?? '')) continue;
    const root = rootTaskOf(e);
    if (root) states.set(root, [...(states.get(root) ?? []), e]);
  }
  const executed: string[] = [];
  const cached: string[] = [];
  const problems: string[] = [];
  const classify = (step: string): 'cached' | 'executed' | 'mixed' | 'none' => {
    const list = (states.get(step) ?? []).filter((e) => e.lastKnownState !== 'CANCELED');
    if (list.length === 0) return 'none';
    const c = list.filter((e) => e.lastKnownState === 'CACHED' || e.type === 'system.ImporterExecution').length;
    if (c === list.length) return 'cached';
    if (c === 0) return 'executed';
    return 'mixed';
  };
  for (const step of req.fromCache) {
    const k = classify(step);
    if (k === 'cached') cached.push(step);
    else if (k === 'none')
      cached.push(step); // nothing executable ran (a condition was false)
    else {
      executed.push(step);
      const ran = (states.get(step) ?? []).filter((e) => e.lastKnownState !== 'CACHED');
      const actual = ran.map((e) => e.customProperties?.['cache_fingerprint']?.stringValue).filter(Boolean);
      const expected = req.expectedFingerprints?.[step];
      problems.push(
        `${step} executed at ${req.location} instead of being a cache hit` +
          (actual.length > 0 ? `: KFP computed fingerprint ${actual.map((f) => f!.slice(0, 12)).join(', ')}` : '') +
          (expected && expected.length > 0
            ? `, the handoff wrote cache rows for ${expected.map((f) => f.slice(0, 12)).join(', ')}`
            : '') +
          ' (the handed-off metadata does not match what KFP looks up there)',
      );
    }
  }
  for (const step of req.steps) {
    const k = classify(step);
    if (k === 'executed' || k === 'mixed') executed.push(step);
    else if (k === 'cached') cached.push(step);
    else if (k === 'none' && !states.has(step)) {
      // A DAG whose condition was false has only CANCELED executions: nothing to run is fine.
      const any = executions.some((e) => e.customProperties?.['task_name']?.stringValue === step);
      if (!any) problems.push(`${step} did not run at ${req.location}: the run has no execution for it`);
    }
  }
  return { ok: problems.length === 0, executed, cached, problems };
}
