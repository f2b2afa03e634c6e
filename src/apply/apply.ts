// `apply`: lock, observe, plan, walk the plan, observe again. The second observation is the
// result users see: after a full apply the plan is in sync.
import type { Observation } from '../plan/observation.js';
import type { PlanDocument } from '../plan/types.js';
import type { Project } from '../split-file/load-project.js';
import type { ApplyListener } from './events.js';
import { executePlan, type AppliedOperation } from './execute.js';
import { acquireLocks } from './lock.js';
import { pollMsFromEnv } from './poll-interval.js';
import { ReconcileSession, type SessionOptions } from './session.js';

export interface ApplyOptions extends SessionOptions {
  /** Stop after this stage: its 1-based index or its name. */
  through?: string;
  lockTimeoutMs?: number;
  onEvent?: ApplyListener;
  /** First interval between two reads of a run's state (default: `SPLIT_PIPELINES_POLL_MS`, else 1 s). */
  pollMs?: number;
  /** How long to wait for one run (default 24 h, `DEFAULT_RUN_TIMEOUT_MS`). */
  runTimeoutMs?: number;
  /**
   * Sees the fresh plan (and what it was made from) under the locks, before the first operation: it
   * refuses by throwing (a plan that differs from the reviewed one, a blocking policy), or returns
   * the plan to walk (the plan pipeline adds its policy results). src/plan-pipeline/ sets it.
   */
  review?: (planned: PlanDocument, observation: Observation) => PlanDocument;
}

export interface ApplyResult {
  /** The plan that was applied. */
  planned: PlanDocument;
  applied: AppliedOperation[];
  /** The plan after applying (in sync after a full, successful apply). */
  plan: PlanDocument;
  inSync: boolean;
  drift: string[];
}

export function resolveThrough(project: Project, through: string | undefined): number | undefined {
  if (through === undefined || through === '') return undefined;
  const byName = project.layouts.find(
    (l) => l.name === through || project.spec.spec.stages[l.index - 1]?.name === through,
  );
  if (byName) return byName.index;
  const n = Number(through);
  if (Number.isInteger(n) && n >= 1 && n <= project.layouts.length) return n;
  const names = project.layouts.some((l) => l.name) ? ` or named ${project.layouts.map((l) => l.name).join(', ')}` : '';
  throw new Error(`--through ${through}: no such stage (stages are 1..${project.layouts.length}${names})`);
}

export async function applyProject(project: Project, options: ApplyOptions = {}): Promise<ApplyResult> {
  const throughStage = resolveThrough(project, options.through);
  const session = new ReconcileSession(project, options);
  try {
    const locks = await acquireLocks(session, {
      timeoutMs: options.lockTimeoutMs ?? 10 * 60_000,
      onWait: (location, heldBy) => options.onEvent?.({ type: 'lock-wait', location, heldBy }),
    });
    try {
      if (locks.unprotected.length > 0) {
        options.onEvent?.({
          type: 'warning',
          message: `no kubernetes section for ${locks.unprotected.join(', ')}: another reconciler could act there at the same time`,
        });
      }
      const observation = await session.observe();
      const fresh = session.plan(observation);
      const planned = options.review ? options.review(fresh, observation) : fresh;
      options.onEvent?.({ type: 'observed', operations: planned.operations.length });
      const exec: Parameters<typeof executePlan>[2] = { locks };
      if (throughStage !== undefined) exec.throughStage = throughStage;
      if (options.onEvent) exec.onEvent = options.onEvent;
      const pollMs = options.pollMs ?? pollMsFromEnv(options.env);
      if (pollMs !== undefined) exec.pollMs = pollMs;
      if (options.runTimeoutMs !== undefined) exec.runTimeoutMs = options.runTimeoutMs;
      const applied = await executePlan(session, planned, exec);
      const plan = session.plan(await session.observe());
      return { planned, applied, plan, inSync: plan.inSync, drift: planned.drift };
    } finally {
      await locks.release();
    }
  } finally {
    await session.close();
  }
}

export async function planProject(project: Project, options: SessionOptions = {}): Promise<PlanDocument> {
  const session = new ReconcileSession(project, options);
  try {
    return session.plan(await session.observe());
  } finally {
    await session.close();
  }
}
