// How a lab location's "user code" behaves, per task: how long it runs, how large its outputs are,
// whether it fails, which output parameter values it returns, which outputs it leaves unwritten and
// which inputs it reads. Set per location, for benchmarks and
// fault tests; the default is a quick, small, successful step.
import type { JsonValue } from '../../../../src/pipeline/ir.js';

export interface StepBehaviour {
  /** How long the step "runs" on a cache miss (default 0). */
  durationMs?: number;
  /** Size in bytes of each output artifact, or per output name (default 1 KiB; logs 256 bytes). */
  outputBytes?: number | Record<string, number>;
  /** Fail every time, or the first `times` times the step runs (cache hits do not count). */
  fail?: 'always' | { times: number };
  /** Output parameter values to return instead of the lab's deterministic ones. */
  parameters?: Record<string, JsonValue>;
  /**
   * Output artifacts the step never writes: they are recorded in ML Metadata with no objects, as
   * KFP's launcher records an output whose file was never created ("We allow components to not
   * produce output files", 2.17.0:backend/src/v2/component/launcher_v2.go:824-832). Outputs of the
   * metrics types are never written in any case (component-io.ts).
   */
  unwritten?: string[];
  /**
   * Input artifacts whose bytes the step never reads. By default it reads every input's bytes
   * except those of the metrics types, which components read through their metadata.
   */
  ignoredInputs?: string[];
  /** Metadata a metrics output records (what the SDK's `log_metric` and the like set), per output name. */
  metrics?: Record<string, Record<string, JsonValue>>;
}

/**
 * Behaviours by task: the key is a task's path from the root DAG (`for-loop-2/print-op`), its own
 * task key (`print-op`), or `*` for every task; the most specific match wins.
 */
export type StepBehaviours = Record<string, StepBehaviour>;

export const DEFAULT_OUTPUT_BYTES = 1024;
export const DEFAULT_LOG_BYTES = 256;
export const EXECUTOR_LOGS = 'executor-logs';

export class BehaviourBook {
  private steps: StepBehaviours;
  /** Runs so far per behaviour key, for `fail: { times }`. */
  private readonly attempts = new Map<string, number>();

  constructor(steps: StepBehaviours = {}) {
    this.steps = { ...steps };
  }

  /** Replaces the behaviours and forgets the failure counts. */
  set(steps: StepBehaviours): void {
    this.steps = { ...steps };
    this.attempts.clear();
  }

  private keyFor(path: readonly string[]): string | undefined {
    const full = path.join('/');
    if (full in this.steps) return full;
    const own = path[path.length - 1] ?? '';
    if (own in this.steps) return own;
    return '*' in this.steps ? '*' : undefined;
  }

  behaviourOf(path: readonly string[]): StepBehaviour {
    const key = this.keyFor(path);
    return key === undefined ? {} : (this.steps[key] ?? {});
  }

  /** Counts one run of the step and says whether this run fails. */
  failsThisTime(path: readonly string[]): boolean {
    const key = this.keyFor(path);
    const fail = key === undefined ? undefined : this.steps[key]?.fail;
    if (fail === undefined || key === undefined) return false;
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    return fail === 'always' || n <= fail.times;
  }

  outputSize(path: readonly string[], output: string): number {
    const sizes = this.behaviourOf(path).outputBytes;
    const fallback =
      output === EXECUTOR_LOGS || output.startsWith(`${EXECUTOR_LOGS}-`) ? DEFAULT_LOG_BYTES : DEFAULT_OUTPUT_BYTES;
    if (sizes === undefined) return fallback;
    if (typeof sizes === 'number') return output.startsWith(EXECUTOR_LOGS) ? fallback : sizes;
    return sizes[output] ?? fallback;
  }
}
