// The run bookkeeping both lab executors share (the ML Metadata one, executor.ts, and the next KFP's native
// one, native/native-executor.ts): one abortable execution per run, CANCELING settled, terminate, idle, and
// close (runs stopped where they are, left RUNNING, resumed when the lab restarts: the server hands
// unfinished runs to the executor again, kfp/server.ts).
import type { RunContext, RunExecutor, RunStore, StoredRun } from '../kfp/index.js';
import type { StopReason } from './run.js';

interface ActiveRun {
  controller: AbortController;
  reason?: StopReason;
  done: Promise<void>;
}

export abstract class RunSupervisor implements RunExecutor {
  private readonly active = new Map<string, ActiveRun>();
  private store: RunStore | undefined;
  private closed = false;

  /** Executes one run to its end; reports its own failures on the run. */
  protected abstract execute(
    run: StoredRun,
    ctx: RunContext,
    signal: AbortSignal,
    reason: () => StopReason | undefined,
  ): Promise<void>;

  /** Closes the executor's clients once no run executes. */
  protected abstract release(): void;

  start(run: StoredRun, ctx: RunContext): void {
    this.store = ctx.store;
    if (this.closed || this.active.has(run.runId)) return;
    if (run.state === 'CANCELING') {
      ctx.store.finish(run.runId, 'CANCELED');
      return;
    }
    const controller = new AbortController();
    const entry: ActiveRun = { controller, done: Promise.resolve() };
    this.active.set(run.runId, entry);
    entry.done = this.execute(run, ctx, controller.signal, () => entry.reason)
      .catch(() => {
        // execute reports its own failures on the run; this only guards against a closed store.
      })
      .finally(() => this.active.delete(run.runId));
  }

  terminate(runId: string): void {
    const entry = this.active.get(runId);
    if (entry) {
      entry.reason = 'terminate';
      entry.controller.abort();
      return;
    }
    // Not running here (finished meanwhile, or never started): settle the CANCELING state.
    if (this.store?.getRun(runId)?.state === 'CANCELING') this.store.finish(runId, 'CANCELED');
  }

  /** Resolves once no run is executing (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((e) => e.done));
  }

  /** Stops every run where it is (they stay RUNNING and resume when the lab restarts) and closes the clients. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.active.values()) {
      entry.reason ??= 'shutdown';
      entry.controller.abort();
    }
    await this.idle();
    this.release();
  }
}
