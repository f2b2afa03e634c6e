// A mutual-exclusion lock on a coordination.k8s.io/v1 Lease, so that two reconcilers never apply
// to the same location at once. It follows client-go's leader election
// (staging/src/k8s.io/client-go/tools/leaderelection/leaderelection.go `tryAcquireOrRenew`):
// read the Lease; take it if it is free, ours, or expired; write with the read resourceVersion so
// that of two contenders exactly one wins (the other gets 409 Conflict and re-reads). "Expired"
// is judged two ways: by the record (renewTime + leaseDurationSeconds is past) and, as client-go
// does to be immune to the holder's clock, by observation (the record has not changed for
// leaseDurationSeconds since this process first saw it). Release clears holderIdentity as
// client-go's ReleaseOnCancel does, so the Lease keeps its transition count.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { KubeError, type KubeOperation } from './errors.js';

/** The Lease operations the lock needs (implemented by KubeClient). */
export interface LeaseAccess {
  readonly location: string;
  readLease(name: string, namespace: string): Promise<V1Lease | undefined>;
  createLease(body: V1Lease, namespace: string): Promise<V1Lease>;
  replaceLease(body: V1Lease, namespace: string): Promise<V1Lease>;
}

export interface LeaseWait {
  heldBy: string;
  /** When the holder's lease runs out unless renewed. */
  until: Date;
}

export interface AcquireOptions {
  /** Our identity; must be unique per process (e.g. host, pid and a random suffix). */
  holder: string;
  ttlSeconds: number;
  /** How long to wait for another holder; 0 tries once. */
  timeoutMs: number;
  /** Re-read interval while waiting. Default 1000 ms. */
  pollMs?: number;
  /** Called when we start waiting on a holder, and whenever the holder or its expiry changes. */
  onWait?: (wait: LeaseWait) => void;
}

export type AcquireResult =
  | { acquired: true; holder: string; expiresAt: Date; transitions: number; previousHolder: string | undefined }
  | { acquired: false; heldBy: string; until: Date };

export type RenewResult = { renewed: true; expiresAt: Date } | { renewed: false; heldBy: string | undefined };

export type ReleaseResult = { released: true } | { released: false; heldBy: string | undefined };

export type ConfirmResult = { held: true } | { held: false; heldBy: string | undefined; why: string };

interface LeaseRecord {
  holder: string | undefined;
  durationSeconds: number | undefined;
  expiresAt: number | undefined;
  transitions: number;
  resourceVersion: string;
}

const toMillis = (value: unknown): number | undefined => {
  // client-node 1.4 leaves MicroTime fields as strings when decoding, despite their Date type.
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
};

function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const basis = toMillis(spec.renewTime) ?? toMillis(spec.acquireTime);
  const duration = spec.leaseDurationSeconds;
  return {
    holder: spec.holderIdentity || undefined,
    durationSeconds: duration,
    expiresAt: basis !== undefined && duration !== undefined ? basis + duration * 1000 : undefined,
    transitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isConflict = (err: unknown) => err instanceof KubeError && err.status === 409;
const isTransient = (err: unknown) =>
  err instanceof KubeError &&
  ((err.status !== undefined && (err.status >= 500 || err.status === 429)) ||
    ['ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(err.reason ?? ''));

/** At most this many immediate re-reads after losing a write race, whatever the timeout. */
const MAX_CONFLICTS = 8;

export class LeaseLock {
  private holding: { holder: string; ttlSeconds: number } | undefined;

  constructor(
    private readonly api: LeaseAccess,
    readonly name: string,
    readonly namespace: string,
  ) {}

  private fail(operation: KubeOperation, message: string): KubeError {
    return new KubeError({
      location: this.api.location,
      operation,
      message: `lease ${this.namespace}/${this.name}: ${message}`,
    });
  }

  /** Retries API calls that failed for a transient reason (5xx, 429, reset connections). */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err) || attempt >= 4) throw err;
        await sleep(200 * 2 ** (attempt - 1));
      }
    }
  }

  private body(current: V1Lease | undefined, spec: NonNullable<V1Lease['spec']>): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: current?.metadata ?? { name: this.name, namespace: this.namespace },
      spec,
    };
  }

  async acquire(options: AcquireOptions): Promise<AcquireResult> {
    const { holder, ttlSeconds, timeoutMs } = options;
    if (holder === '') throw this.fail('acquire-lock', 'the holder identity is empty');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
      throw this.fail('acquire-lock', `ttlSeconds must be a positive integer (got ${ttlSeconds})`);
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const pollMs = Math.max(10, options.pollMs ?? 1000);
    let observed: { resourceVersion: string; at: number } | undefined;
    let lastWait: string | undefined;
    let conflicts = 0;
    for (;;) {
      const current = await this.call(() => this.api.readLease(this.name, this.namespace));
      const now = Date.now();
      try {
        if (current === undefined) {
          const created = await this.call(() =>
            this.api.createLease(
              this.body(undefined, {
                holderIdentity: holder,
                leaseDurationSeconds: ttlSeconds,
                acquireTime: new V1MicroTime(now),
                renewTime: new V1MicroTime(now),
                leaseTransitions: 0,
              }),
              this.namespace,
            ),
          );
          return this.acquired(created, holder, ttlSeconds, undefined);
        }
        const record = recordOf(current);
        if (observed?.resourceVersion !== record.resourceVersion)
          observed = { resourceVersion: record.resourceVersion, at: now };
        const observedExpiry = observed.at + (record.durationSeconds ?? ttlSeconds) * 1000;
        const expired = (record.expiresAt !== undefined && now > record.expiresAt) || now > observedExpiry;
        if (record.holder === undefined || record.holder === holder || expired) {
          const ours = record.holder === holder;
          const spec = current.spec ?? {};
          const updated = await this.call(() =>
            this.api.replaceLease(
              this.body(current, {
                ...spec,
                holderIdentity: holder,
                leaseDurationSeconds: ttlSeconds,
                acquireTime: ours && spec.acquireTime !== undefined ? spec.acquireTime : new V1MicroTime(now),
                renewTime: new V1MicroTime(now),
                leaseTransitions: ours ? record.transitions : record.transitions + 1,
              }),
              this.namespace,
            ),
          );
          return this.acquired(updated, holder, ttlSeconds, ours ? undefined : record.holder);
        }
        const until = new Date(Math.min(record.expiresAt ?? Infinity, observedExpiry));
        if (now >= deadline) return { acquired: false, heldBy: record.holder, until };
        const waitKey = `${record.holder}@${until.getTime()}`;
        if (waitKey !== lastWait) {
          lastWait = waitKey;
          options.onWait?.({ heldBy: record.holder, until });
        }
        await sleep(Math.max(10, Math.min(pollMs, deadline - now, until.getTime() - now + 10)));
      } catch (err) {
        // Another contender wrote between our read and our write: read again.
        if (!isConflict(err) || ++conflicts > MAX_CONFLICTS) throw err;
        await sleep(10 + Math.floor(Math.random() * 40));
      }
    }
  }

  private acquired(
    lease: V1Lease,
    holder: string,
    ttlSeconds: number,
    previousHolder: string | undefined,
  ): AcquireResult {
    this.holding = { holder, ttlSeconds };
    const record = recordOf(lease);
    return {
      acquired: true,
      holder,
      expiresAt: new Date(record.expiresAt ?? Date.now() + ttlSeconds * 1000),
      transitions: record.transitions,
      previousHolder,
    };
  }

  /** Extends our lease; tells who holds it if it is no longer ours. */
  async renew(): Promise<RenewResult> {
    const holding = this.holding;
    if (holding === undefined) throw this.fail('renew-lock', 'renew() before a successful acquire()');
    for (let conflicts = 0; ; conflicts++) {
      const current = await this.call(() => this.api.readLease(this.name, this.namespace));
      const holder = current ? recordOf(current).holder : undefined;
      if (current === undefined || holder !== holding.holder) {
        this.holding = undefined;
        return { renewed: false, heldBy: holder };
      }
      const now = Date.now();
      try {
        const updated = await this.call(() =>
          this.api.replaceLease(
            this.body(current, {
              ...current.spec,
              leaseDurationSeconds: holding.ttlSeconds,
              renewTime: new V1MicroTime(now),
            }),
            this.namespace,
          ),
        );
        return { renewed: true, expiresAt: new Date(recordOf(updated).expiresAt ?? now + holding.ttlSeconds * 1000) };
      } catch (err) {
        if (!isConflict(err) || conflicts >= MAX_CONFLICTS) throw err;
      }
    }
  }

  /**
   * Reads the lease (one GET) and tells whether it is still ours and not run out: what a reconciler
   * checks right before it writes, since renewals only happen every third of the TTL.
   */
  async confirm(): Promise<ConfirmResult> {
    const holding = this.holding;
    if (holding === undefined) return { held: false, heldBy: undefined, why: 'not acquired, or given up' };
    const current = await this.call(() => this.api.readLease(this.name, this.namespace));
    if (current === undefined) {
      this.holding = undefined;
      return { held: false, heldBy: undefined, why: 'the lease was deleted' };
    }
    const record = recordOf(current);
    if (record.holder !== holding.holder) {
      this.holding = undefined;
      return {
        held: false,
        heldBy: record.holder,
        why: record.holder ? `${record.holder} holds it now` : 'it was released by someone else',
      };
    }
    if (record.expiresAt !== undefined && Date.now() > record.expiresAt) {
      return {
        held: false,
        heldBy: record.holder,
        why: `it ran out at ${new Date(record.expiresAt).toISOString()} without being renewed, so another reconciler may take it`,
      };
    }
    return { held: true };
  }

  /** Gives the lease up if it is still ours; never touches another holder's lease. */
  async release(): Promise<ReleaseResult> {
    const holding = this.holding;
    if (holding === undefined) throw this.fail('release-lock', 'release() before a successful acquire()');
    for (let conflicts = 0; ; conflicts++) {
      const current = await this.call(() => this.api.readLease(this.name, this.namespace));
      const record = current ? recordOf(current) : undefined;
      if (current === undefined || record?.holder !== holding.holder) {
        this.holding = undefined;
        return { released: false, heldBy: record?.holder };
      }
      const now = new V1MicroTime(Date.now());
      const { holderIdentity: _dropped, ...rest } = current.spec ?? {};
      try {
        await this.call(() =>
          this.api.replaceLease(
            this.body(current, { ...rest, leaseDurationSeconds: 1, acquireTime: now, renewTime: now }),
            this.namespace,
          ),
        );
        this.holding = undefined;
        return { released: true };
      } catch (err) {
        if (!isConflict(err) || conflicts >= MAX_CONFLICTS) throw err;
      }
    }
  }

  /**
   * Renews every `intervalMs` (default a third of the TTL) until stopped; calls `onLost` once if
   * the lease turns out to be someone else's or renewing fails.
   */
  startRenewing(options: { intervalMs?: number; onLost: (why: RenewResult | KubeError) => void }): { stop(): void } {
    const holding = this.holding;
    if (holding === undefined) throw this.fail('renew-lock', 'startRenewing() before a successful acquire()');
    const interval = options.intervalMs ?? Math.max(100, (holding.ttlSeconds * 1000) / 3);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      if (stopped) return;
      try {
        const result = await this.renew();
        if (!result.renewed) {
          stopped = true;
          options.onLost(result);
          return;
        }
      } catch (err) {
        stopped = true;
        options.onLost(err instanceof KubeError ? err : this.fail('renew-lock', String(err)));
        return;
      }
      if (!stopped) timer = setTimeout(() => void tick(), interval);
    };
    timer = setTimeout(() => void tick(), interval);
    return {
      stop: () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      },
    };
  }
}
