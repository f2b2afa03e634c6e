// Which run of a stage is the newest. KFP keeps a run's creation time in whole seconds
// (`2.17.0:backend/src/apiserver/resource/resource_manager.go:664` `CreatedAtInSec = Now().Unix()`)
// and orders `created_at desc` by that column, then by the run's UUID in the same direction
// (`2.17.0:backend/src/apiserver/list/list.go:315-326`, key column `UUID`, model/run.go:361), and the
// UUID is random (resource_manager.go:657 `NewRandom`). So of two runs of one stage created within
// the same second, KFP lists either first. Every stage run the product creates carries a sequence
// number in its description, one more than any earlier run of that stage; it decides such ties.
import type { KfpRun } from '../location/kfp/index.js';

const SEQUENCE = /\bStage run #(\d+)\./;

/** The sentence a stage run's description ends with. */
export function stageRunSequenceTag(sequence: number): string {
  return `Stage run #${sequence}.`;
}

/** A stage run's sequence number; 0 for a run without one (created by an earlier version). */
export function stageRunSequence(run: Pick<KfpRun, 'description'>): number {
  const m = SEQUENCE.exec(run.description ?? '');
  return m ? Number(m[1]) : 0;
}

/** KFP's `created_at` as whole seconds (what KFP stores); -1 when absent or unreadable. */
function createdSeconds(run: Pick<KfpRun, 'created_at'>): number {
  const ms = run.created_at ? Date.parse(run.created_at) : NaN;
  return Number.isNaN(ms) ? -1 : Math.floor(ms / 1000);
}

/** Newest first: by creation second, then by sequence number; otherwise KFP's order is kept. */
export function compareNewestFirst(
  a: Pick<KfpRun, 'created_at' | 'description'>,
  b: Pick<KfpRun, 'created_at' | 'description'>,
): number {
  return createdSeconds(b) - createdSeconds(a) || stageRunSequence(b) - stageRunSequence(a);
}

/** The runs, newest first (a stable sort of KFP's `created_at desc` answer). */
export function newestFirst<R extends Pick<KfpRun, 'created_at' | 'description'>>(runs: readonly R[]): R[] {
  return [...runs].sort(compareNewestFirst);
}

/** The sequence number for the next run of a stage, given (at least the newest of) its runs. */
export function nextStageRunSequence(runs: readonly Pick<KfpRun, 'description'>[]): number {
  return runs.reduce((max, r) => Math.max(max, stageRunSequence(r)), 0) + 1;
}
