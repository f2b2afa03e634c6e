// Waiting for a KFP run to end. The v2beta1 API has no watch for runs, so a run is read again and
// again, at an interval that grows by half up to 5 s, until its state is final or the time is up.
import type { KfpClient } from './client.js';
import type { KfpRun } from './wire.js';

/** States a run does not leave (`backend/api/v2beta1/run.proto` RuntimeState). */
export const FINAL_RUN_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);

export interface RunWait {
  timeoutMs: number;
  /** The first interval between two reads. */
  pollMs: number;
  /** The run as last read, when the caller has it: the first read is skipped. */
  initial?: KfpRun;
  /** Each state the run is seen in (a state without a value reads PENDING). */
  onState?: (state: string) => void;
}

/** The run once it ended, or as last seen when the time ran out (`ended: false`). */
export type RunWaitResult = { ended: boolean; run: KfpRun; state: string };

export async function waitForRunEnd(kfp: KfpClient, runId: string, w: RunWait): Promise<RunWaitResult> {
  const deadline = Date.now() + w.timeoutMs;
  let delay = w.pollMs;
  let run = w.initial ?? (await kfp.getRun(runId));
  for (;;) {
    const state = run.state ?? 'PENDING';
    w.onState?.(state);
    if (FINAL_RUN_STATES.has(state)) return { ended: true, run, state };
    const left = deadline - Date.now();
    if (left <= 0) return { ended: false, run, state };
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
    delay = Math.min(5000, Math.round(delay * 1.5));
    run = await kfp.getRun(runId);
  }
}
