/**
 * Fault injection for the emulated API server, to exercise clients' retries and time-outs the way
 * a real installation behind a load balancer or Istio fails: overload (503, 429 with Retry-After),
 * slowness, and connections that drop without an answer. Counted over every request received.
 */

export interface KfpFaults {
  /** Every Nth request is answered 503 UNAVAILABLE. */
  status503EveryN?: number;
  /** Every Nth request is answered 429 RESOURCE_EXHAUSTED. */
  status429EveryN?: number;
  /** Sent as `Retry-After` (seconds) with injected 503/429 answers. */
  retryAfterSeconds?: number;
  /** Every request waits this long before it is handled. */
  delayMs?: number;
  /** Every Nth request has its connection destroyed without an answer. */
  dropConnectionEveryN?: number;
}

export type FaultDecision =
  { kind: 'none' } | { kind: 'drop' } | { kind: 'status'; status: 503 | 429; code: number; retryAfterSeconds?: number };

const every = (n: number | undefined, count: number): boolean => n !== undefined && n > 0 && count % n === 0;

export class FaultInjector {
  private count = 0;
  constructor(private faults: KfpFaults = {}) {}

  set(faults: KfpFaults | undefined): void {
    this.faults = faults ?? {};
    this.count = 0;
  }

  get delayMs(): number {
    return this.faults.delayMs ?? 0;
  }

  next(): FaultDecision {
    this.count += 1;
    const f = this.faults;
    const retry = f.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.retryAfterSeconds } : {};
    if (every(f.dropConnectionEveryN, this.count)) return { kind: 'drop' };
    if (every(f.status503EveryN, this.count)) return { kind: 'status', status: 503, code: 14, ...retry };
    if (every(f.status429EveryN, this.count)) return { kind: 'status', status: 429, code: 8, ...retry };
    return { kind: 'none' };
  }
}
