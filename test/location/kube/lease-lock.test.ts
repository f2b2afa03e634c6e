import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeServer, type LabKubeServer } from '../../../packages/lab/src/kube/index.js';
import { KubeClient, KubeError, type LeaseWait } from '../../../src/location/kube/index.js';

let dir: string;
let server: LabKubeServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-lock-'));
  server = await startKubeServer({ dir, token: 'lab-token' });
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const client = (token = 'lab-token') =>
  new KubeClient({ location: 'train', namespace: 'kubeflow', connection: { server: server.url, token } });

const lock = () => client().leaseLock('split-pipelines-churn');

async function rawLease(): Promise<{ spec: Record<string, unknown>; metadata: Record<string, unknown> }> {
  const res = await fetch(
    `${server.url}/apis/coordination.k8s.io/v1/namespaces/kubeflow/leases/split-pipelines-churn`,
    {
      headers: { authorization: 'Bearer lab-token' },
    },
  );
  return (await res.json()) as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
}

describe('LeaseLock', () => {
  it('creates the lease on first acquire and reports its expiry', async () => {
    const before = Date.now();
    const result = await lock().acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    expect(result).toMatchObject({ acquired: true, holder: 'runner-a', transitions: 0, previousHolder: undefined });
    if (!result.acquired) throw new Error('unreachable');
    expect(result.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30_000);
    const stored = await rawLease();
    expect(stored.spec).toMatchObject({ holderIdentity: 'runner-a', leaseDurationSeconds: 30, leaseTransitions: 0 });
    expect(stored.spec['renewTime']).toMatch(/\.\d{6}Z$/);
  });

  it('tells who holds the lease and until when when it cannot wait', async () => {
    const a = await lock().acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    const b = await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 0 });
    expect(b).toMatchObject({ acquired: false, heldBy: 'runner-a' });
    if (b.acquired || !a.acquired) throw new Error('unreachable');
    expect(Math.abs(b.until.getTime() - a.expiresAt.getTime())).toBeLessThan(5);
  });

  it('lets a waiting contender acquire once the holder releases', async () => {
    const first = lock();
    await first.acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    const waits: LeaseWait[] = [];
    const second = lock().acquire({
      holder: 'runner-b',
      ttlSeconds: 30,
      timeoutMs: 5000,
      pollMs: 50,
      onWait: (w) => waits.push(w),
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(await first.release()).toEqual({ released: true });
    const result = await second;
    expect(result).toMatchObject({ acquired: true, holder: 'runner-b', transitions: 1, previousHolder: undefined });
    expect(waits[0]?.heldBy).toBe('runner-a');
  });

  it('times out while another holder keeps the lease', async () => {
    await lock().acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    const started = Date.now();
    const result = await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 300, pollMs: 50 });
    expect(result).toMatchObject({ acquired: false, heldBy: 'runner-a' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('takes over a lease whose holder stopped renewing once it expires', async () => {
    await lock().acquire({ holder: 'runner-a', ttlSeconds: 1, timeoutMs: 0 });
    const started = Date.now();
    const result = await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 5000, pollMs: 100 });
    expect(result).toMatchObject({ acquired: true, previousHolder: 'runner-a', transitions: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('takes over at once a lease whose record expired long ago', async () => {
    const old = new Date(Date.now() - 3_600_000).toISOString();
    await fetch(`${server.url}/apis/coordination.k8s.io/v1/namespaces/kubeflow/leases`, {
      method: 'POST',
      headers: { authorization: 'Bearer lab-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        metadata: { name: 'split-pipelines-churn' },
        spec: {
          holderIdentity: 'crashed-runner',
          leaseDurationSeconds: 60,
          renewTime: old,
          acquireTime: old,
          leaseTransitions: 4,
        },
      }),
    });
    const result = await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 0 });
    expect(result).toMatchObject({ acquired: true, previousHolder: 'crashed-runner', transitions: 5 });
  });

  it('lets exactly one of several simultaneous contenders acquire', async () => {
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((h) => lock().acquire({ holder: `runner-${h}`, ttlSeconds: 30, timeoutMs: 0 })),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holder = (await rawLease()).spec['holderIdentity'];
    expect(winners[0]).toMatchObject({ holder });
    for (const r of results.filter((x) => !x.acquired)) expect(r).toMatchObject({ heldBy: holder });
  });

  it('renews its own lease, moving the expiry forward', async () => {
    const l = lock();
    const a = await l.acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 20));
    const renewed = await l.renew();
    if (!renewed.renewed || !a.acquired) throw new Error(`not renewed: ${JSON.stringify(renewed)}`);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(a.expiresAt.getTime());
  });

  it('reports a lost lease on renew and leaves the new holder alone on release', async () => {
    const a = lock();
    await a.acquire({ holder: 'runner-a', ttlSeconds: 1, timeoutMs: 0 });
    await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 5000, pollMs: 100 });
    expect(await a.renew()).toEqual({ renewed: false, heldBy: 'runner-b' });
    await a.acquire({ holder: 'runner-a', ttlSeconds: 1, timeoutMs: 0 });
    expect((await rawLease()).spec['holderIdentity']).toBe('runner-b');
  });

  it('releases only a lease that is still its own', async () => {
    const a = lock();
    await a.acquire({ holder: 'runner-a', ttlSeconds: 1, timeoutMs: 0 });
    await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 5000, pollMs: 100 });
    expect(await a.release()).toEqual({ released: false, heldBy: 'runner-b' });
    expect((await rawLease()).spec['holderIdentity']).toBe('runner-b');
  });

  it('keeps renewing in the background until stopped', async () => {
    const l = lock();
    await l.acquire({ holder: 'runner-a', ttlSeconds: 1, timeoutMs: 0 });
    const lost: unknown[] = [];
    const renewing = l.startRenewing({ intervalMs: 200, onLost: (why) => lost.push(why) });
    const contender = await lock().acquire({ holder: 'runner-b', ttlSeconds: 30, timeoutMs: 1500, pollMs: 100 });
    renewing.stop();
    expect(contender).toMatchObject({ acquired: false, heldBy: 'runner-a' });
    expect(lost).toEqual([]);
  });

  it('fails with a KubeError naming the location when the token is rejected', async () => {
    const err = await client('wrong')
      .leaseLock('x')
      .acquire({ holder: 'a', ttlSeconds: 5, timeoutMs: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ location: 'train', operation: 'read-lease', status: 401, reason: 'Unauthorized' });
    expect((err as Error).message).toContain("kubernetes 'train'");
    expect((err as Error).message).toContain('check the kubeconfig user or token');
  });

  it('refuses renew and release before acquire', async () => {
    await expect(lock().renew()).rejects.toBeInstanceOf(KubeError);
    await expect(lock().release()).rejects.toThrow(/before a successful acquire/);
  });
});
