// One reconciler at a time per split pipeline: a Kubernetes Lease at every location that has a
// `kubernetes` section (acquired in name order, so two reconcilers never hold halves and wait on each
// other). Locations without one are not protected, and apply warns about it.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EXIT, UserError } from '../errors/user-error.js';
import { KubeError, type LeaseLock, type RenewResult } from '../location/kube/index.js';
import type { ConfirmResult } from '../location/kube/lease-lock.js';
import type { ReconcileSession } from './session.js';

export class LockHeldError extends UserError {
  constructor(
    override readonly location: string,
    readonly heldBy: string,
    readonly until: Date,
  ) {
    super(`another reconciler (${heldBy}) holds the lock at ${location} until ${until.toISOString()}`, {
      code: 'lock-held',
      location,
      operation: 'acquire-lock',
      advice: 'wait, or raise --lock-timeout',
      exitCode: EXIT.locked,
    });
    this.name = 'LockHeldError';
  }
}

/** A lock this apply held was taken over, ran out or was deleted: it stops before writing again. */
export class LockLostError extends UserError {
  constructor(
    override readonly location: string,
    readonly heldBy: string | undefined,
    readonly why: string,
  ) {
    super(
      `the lock at ${location} is no longer this apply's (${why}): ` +
        `apply stopped before its next write there, so two reconcilers never act at once. ` +
        'What it finished is kept.',
      {
        code: 'lock-lost',
        location,
        operation: 'hold-lock',
        advice: `wait for the other reconciler${heldBy ? ` (${heldBy})` : ''} to finish, then run plan and apply again`,
        // As a held lock: another reconciler is (or may be) at work there.
        exitCode: EXIT.locked,
      },
    );
    this.name = 'LockLostError';
  }
}

export interface HeldLocks {
  unprotected: string[];
  release(): Promise<void>;
  /** Throws LockLostError unless every lock is still ours (one read per lock). Call before each write. */
  assertHeld(): Promise<void>;
  /** The loss the background renewal noticed, if any (no request: for checks between two writes). */
  lost(): LockLostError | undefined;
}

/**
 * How long a lock outlives a reconciler that died without releasing it (renewed every third of it
 * while alive). `SPLIT_PIPELINES_LOCK_TTL` (seconds) overrides the default of 30.
 */
export function lockTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['SPLIT_PIPELINES_LOCK_TTL']);
  return Number.isFinite(v) && v >= 1 ? Math.floor(v) : 30;
}

export async function acquireLocks(
  session: ReconcileSession,
  options: { timeoutMs: number; ttlSeconds?: number; onWait?: (location: string, heldBy: string) => void },
): Promise<HeldLocks> {
  const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = `split-pipelines-${session.project.spec.metadata.name}`;
  const held: { location: string; lock: LeaseLock; renew: { stop(): void } }[] = [];
  const unprotected: string[] = [];
  let lost: LockLostError | undefined;
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
      const onLost = (why: RenewResult | KubeError) => {
        if (why instanceof KubeError) lost ??= new LockLostError(loc, undefined, `renewing it failed: ${why.message}`);
        else if (!why.renewed)
          lost ??= new LockLostError(
            loc,
            why.heldBy,
            why.heldBy ? `${why.heldBy} holds it now` : 'the lease was deleted or released',
          );
      };
      held.push({ location: loc, lock, renew: lock.startRenewing({ onLost }) });
    }
  } catch (e) {
    await release();
    throw e;
  }
  const assertHeld = async () => {
    if (lost) throw lost;
    for (const h of held) {
      let r: ConfirmResult;
      try {
        r = await h.lock.confirm();
      } catch (e) {
        // Not knowing is not holding: the other reconciler may be writing.
        throw (lost = new LockLostError(
          h.location,
          undefined,
          `it could not be read to confirm it: ${(e as Error).message}`,
        ));
      }
      if (!r.held) throw (lost = new LockLostError(h.location, r.heldBy, r.why));
    }
  };
  return { unprotected, release, assertHeld, lost: () => lost };
}
