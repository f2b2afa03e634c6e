import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KfpClient, KfpError, tokenFromEnv, type RetryEvent } from '../../../src/location/kfp/index.js';
import { backoffMs, retryAfterMs } from '../../../src/location/kfp/retry.js';

const KFP = 'http://kfp.retry.test';
const RUN_PATH = '/pipeline/apis/v2beta1/runs/r1';

// Test files share a worker's modules (vitest isolate: false): nock is active only for this file,
// and restored after, so other files' requests never pass through its interceptor.
beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

function clientWith(over: Partial<ConstructorParameters<typeof KfpClient>[0]> = {}): {
  client: KfpClient;
  waits: number[];
  retries: RetryEvent[];
} {
  const waits: number[] = [];
  const retries: RetryEvent[] = [];
  const client = new KfpClient({
    location: 'train',
    endpoint: `${KFP}/pipeline/`,
    timeoutMs: 1000,
    retries: 3,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 10_000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onRetry: (e) => retries.push(e),
    ...over,
  });
  return { client, waits, retries };
}

describe('KfpClient retries', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    nock(KFP)
      .get(RUN_PATH)
      .reply(503, { code: 14, message: 'unavailable' })
      .get(RUN_PATH)
      .reply(200, { run_id: 'r1', state: 'RUNNING' });
    const { client, retries } = clientWith();
    expect((await client.getRun('r1')).state).toBe('RUNNING');
    expect(retries.map((r) => r.reason)).toEqual(['HTTP 503']);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    nock(KFP)
      .get(RUN_PATH)
      .reply(429, { code: 8, message: 'slow down' }, { 'Retry-After': '2' })
      .get(RUN_PATH)
      .reply(200, { run_id: 'r1' });
    const { client, waits } = clientWith();
    await client.getRun('r1');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
  });

  it('gives up at once when Retry-After is longer than the client will wait', async () => {
    const scope = nock(KFP).get(RUN_PATH).reply(503, { code: 14, message: 'maintenance' }, { 'Retry-After': '3600' });
    const { client, waits } = clientWith();
    const err = (await client.getRun('r1').catch((e: unknown) => e)) as KfpError;
    expect(err.status).toBe(503);
    expect(err.message).toContain('Retry-After');
    expect(waits).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('stops after the retry budget and says how many attempts were made', async () => {
    nock(KFP).get(RUN_PATH).times(4).reply(503, { code: 14, message: 'unavailable' });
    const { client, waits } = clientWith();
    const err = (await client.getRun('r1').catch((e: unknown) => e)) as KfpError;
    expect(err).toBeInstanceOf(KfpError);
    expect(err.attempts).toBe(4);
    expect(err.message).toMatch(/getRun r1 failed \(HTTP 503\) after 4 attempts/);
    expect(waits).toHaveLength(3);
  });

  it('backs off exponentially between attempts', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(3, policy, () => 0)).toBe(200);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('does not retry a 500', async () => {
    const scope = nock(KFP).get(RUN_PATH).reply(500, { code: 13, message: 'boom' });
    const { client, waits } = clientWith();
    const err = (await client.getRun('r1').catch((e: unknown) => e)) as KfpError;
    expect(err.status).toBe(500);
    expect(waits).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('retries a reset connection for a read', async () => {
    nock(KFP)
      .get(RUN_PATH)
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
      .get(RUN_PATH)
      .reply(200, { run_id: 'r1' });
    const { client, retries } = clientWith();
    expect((await client.getRun('r1')).run_id).toBe('r1');
    expect(retries[0]?.reason).toBe('network ECONNRESET');
  });

  it('does not repeat createRun after a reset connection, and says the run may exist', async () => {
    // Then the client looks the run up by name (nothing there): it is never created a second time.
    const scope = nock(KFP)
      .post('/pipeline/apis/v2beta1/runs')
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
      .get('/pipeline/apis/v2beta1/runs')
      .query(true)
      .reply(200, {});
    const { client, waits } = clientWith();
    const err = (await client.createRun({ displayName: 'x', pipelineSpec: {} }).catch((e: unknown) => e)) as KfpError;
    expect(err.kind).toBe('network');
    expect(err.message).toContain('may have been carried out');
    expect(waits).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('retries createRun on a 503, which the server did not act on', async () => {
    nock(KFP)
      .post('/pipeline/apis/v2beta1/runs')
      .reply(503, {})
      .post('/pipeline/apis/v2beta1/runs')
      .reply(200, { run_id: 'new' });
    const { client } = clientWith();
    expect((await client.createRun({ displayName: 'x', pipelineSpec: {} })).run_id).toBe('new');
  });

  it('retries a 502 for a read but not for createRun, which the server may have carried out', async () => {
    nock(KFP).get(RUN_PATH).reply(502, 'bad gateway').get(RUN_PATH).reply(200, { run_id: 'r1' });
    const { client } = clientWith();
    expect((await client.getRun('r1')).run_id).toBe('r1');
    const scope = nock(KFP).post('/pipeline/apis/v2beta1/runs').reply(502, 'bad gateway');
    const err = (await client.createRun({ displayName: 'x', pipelineSpec: {} }).catch((e: unknown) => e)) as KfpError;
    expect(err.status).toBe(502);
    expect(err.attempts).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('times out a request that gets no answer in time', async () => {
    nock(KFP).get(RUN_PATH).delay(300).reply(200, { run_id: 'r1' });
    const { client } = clientWith({ timeoutMs: 50, retries: 0 });
    const err = (await client.getRun('r1').catch((e: unknown) => e)) as KfpError;
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('no answer within 50 ms');
  });

  it('sends the bearer token and keeps it out of the error even when the server echoes it', async () => {
    const token = 'echoed-secret-token-99';
    nock(KFP, { reqheaders: { authorization: `Bearer ${token}` } })
      .get(RUN_PATH)
      .reply(401, { code: 16, message: `token ${token} rejected` });
    const { client } = clientWith({ tokenProvider: tokenFromEnv('KFP_TRAIN_TOKEN', { KFP_TRAIN_TOKEN: token }) });
    const err = (await client.getRun('r1').catch((e: unknown) => e)) as KfpError;
    expect(err.status).toBe(401);
    expect(err.message).toContain('Check the token in $KFP_TRAIN_TOKEN');
    expect(err.message).not.toContain(token);
  });

  it('fails before any request when the token variable is not set', async () => {
    const { client } = clientWith({ tokenProvider: tokenFromEnv('KFP_MISSING_TOKEN', {}) });
    const err = (await client.getRun('r1').catch((e: unknown) => e)) as KfpError;
    expect(err.kind).toBe('auth-config');
    expect(err.message).toContain('KFP_MISSING_TOKEN');
  });

  it('sends the configured user-id header', async () => {
    const scope = nock(KFP, { reqheaders: { 'kubeflow-userid': 'alice@example.com' } })
      .get(RUN_PATH)
      .reply(200, { run_id: 'r1' });
    const { client } = clientWith({ userIdHeader: { name: 'kubeflow-userid', value: 'alice@example.com' } });
    await client.getRun('r1');
    expect(scope.isDone()).toBe(true);
  });
});
