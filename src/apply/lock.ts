// One reconciler at a time per split pipeline: a Kubernetes Lease at every location that has a
// `kubernetes` section (acquired in name order, so two reconcilers never hold halves and wait on each
// other). Locations without one are not protected, and apply warns about it.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { LeaseLock } from '../location/kube/index.js';
import type { ReconcileSession } from './session.js';

export class LockHeldError extends Error {
  constructor(
    readonly location: string,
    readonly heldBy: string,
    readonly until: Date,
  ) {
    super(`another reconciler (${heldBy}) holds the lock at ${location} until ${until.toISOString()}; wait, or raise --lock-timeout`);
    this.name = 'LockHeldError';
  }
}

export interface HeldLocks {
  unprotected: string[];
  release(): Promise<void>;
}

/**
 * How long a lock outlives a reconciler that died without releasing it (renewed every third of it
 * while alive). `SPLIT_PIPELINES_LOCK_TTL` (seconds) overrides the default of 30.
 */
export function lockTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['SPLIT_PIPELINES_LOCK_TTL']);
  return Number.isFinite(v) && v >= 1 ? Math.floor(v) : 30;
}

export async function acquireLocks(session: ReconcileSession, options: { timeoutMs: number; ttlSeconds?: number; onWait?: (location: string, heldBy: string) => void }): Promise<HeldLocks> {
  const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = `split-pipelines-${session.project.spec.metadata.name}`;
  const held: { lock: LeaseLock; renew: { stop(): void } }[] = [];
  const unprotected: string[] = [];
  const release = async () => {
    for (const h of held.reverse()) {
      h.renew.stop();
      await h.lock.release().catch(() => undefined);
    }
  };
  const names = [...session.clients.keys()].sort();
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (const loc of names) {
      const kube = session.client(loc).kube;
      if (!kube) {
        unprotected.push(loc);
        continue;
      }
      const lock = kube.leaseLock(name);
      const r = await lock.acquire({
        holder,
        ttlSeconds: options.ttlSeconds ?? lockTtlSeconds(),
        timeoutMs: Math.max(0, deadline - Date.now()),
        pollMs: 500,
        onWait: (w) => options.onWait?.(loc, w.heldBy),
      });
      if (!r.acquired) throw new LockHeldError(loc, r.heldBy, r.until);
      held.push({ lock, renew: lock.startRenewing({ onLost: () => undefined }) });
    }
  } catch (e) {
    await release();
    throw e;
  }
  return { unprotected, release };
}
