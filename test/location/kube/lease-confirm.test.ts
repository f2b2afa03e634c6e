// LeaseLock.confirm(): one read that tells a reconciler, right before it writes, whether the lease is
// still its own (renewals only happen every third of the TTL).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startKubeServer, type LabKubeServer } from '../../../packages/lab/src/kube/index.js';
import { KubeClient } from '../../../src/location/kube/index.js';

let dir: string;
let server: LabKubeServer;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-confirm-'));
  server = await startKubeServer({ dir, token: 'lab-token' });
});
afterEach(async () => {
  vi.useRealTimers();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const client = () =>
  new KubeClient({ location: 'train', namespace: 'kubeflow', connection: { server: server.url, token: 'lab-token' } });

describe('LeaseLock.confirm', () => {
  it('says the lease is held while it is ours and unexpired', async () => {
    const lock = client().leaseLock('split-pipelines-churn');
    await lock.acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    expect(await lock.confirm()).toEqual({ held: true });
  });

  it('says who took it over', async () => {
    const lock = client().leaseLock('split-pipelines-churn');
    await lock.acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    const kube = client();
    const lease = await kube.readLease('split-pipelines-churn');
    await kube.replaceLease({ ...lease!, spec: { ...lease!.spec, holderIdentity: 'runner-b' } });
    expect(await lock.confirm()).toEqual({ held: false, heldBy: 'runner-b', why: 'runner-b holds it now' });
  });

  it('says when it ran out without renewal, even if nobody took it yet', async () => {
    const lock = client().leaseLock('split-pipelines-churn');
    await lock.acquire({ holder: 'runner-a', ttlSeconds: 1, timeoutMs: 0 });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 5_000 });
    const r = await lock.confirm();
    expect(r).toMatchObject({ held: false, heldBy: 'runner-a' });
    expect(r.held ? '' : r.why).toMatch(/ran out at .* without being renewed/);
  });

  it('says when the lease was deleted', async () => {
    const lock = client().leaseLock('split-pipelines-churn');
    await lock.acquire({ holder: 'runner-a', ttlSeconds: 30, timeoutMs: 0 });
    const res = await fetch(
      `${server.url}/apis/coordination.k8s.io/v1/namespaces/kubeflow/leases/split-pipelines-churn`,
      { method: 'DELETE', headers: { authorization: 'Bearer lab-token' } },
    );
    expect(res.ok).toBe(true);
    expect(await lock.confirm()).toEqual({ held: false, heldBy: undefined, why: 'the lease was deleted' });
  });
});
