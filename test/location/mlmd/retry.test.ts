import { afterEach, expect, test } from 'vitest';
import { MlmdError, backoffDelay } from '../../../src/location/mlmd/index.js';
import { startFixture, type Fixture } from './lab-fixture.js';

let lab: Fixture | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

test('reads succeed through a server that drops every second call', async () => {
  lab = await startFixture({ faults: { unavailableEveryN: 2 } });
  const results: number[] = [];
  for (let i = 0; i < 8; i += 1) results.push((await lab.client.getArtifactTypes()).length);
  expect(results).toEqual(Array(8).fill(0));
  expect(lab.server.callCount()).toBeGreaterThan(8);
});

test('a write guarded by external ids is retried through UNAVAILABLE and lands once', async () => {
  lab = await startFixture();
  const executionType = await lab.client.putExecutionType({ name: 'system.ContainerExecution' });
  lab.server.setFaults({ unavailableEveryN: 2 });
  await lab.client.getExecutionTypes(); // call 1 passes, so the write's first attempt is call 2
  await lab.client.putExecutions([{ typeId: executionType, externalId: 'g:e' }]);
  expect(lab.server.callCount()).toBe(3);
  lab.server.setFaults(undefined);
  expect(await lab.client.getExecutionsByExternalIds(['g:e'])).toHaveLength(1);
});

test('an unguarded insert is not retried, so it cannot be stored twice', async () => {
  lab = await startFixture();
  const executionType = await lab.client.putExecutionType({ name: 'system.ContainerExecution' });
  lab.server.setFaults({ unavailableEveryN: 2 });
  await lab.client.getExecutionTypes(); // call 1 passes, so the write's only attempt is call 2
  const error = await lab.client.putExecutions([{ typeId: executionType }]).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'UNAVAILABLE', attempts: 1, operation: 'PutExecutions' });
  expect(lab.server.callCount()).toBe(2);
});

test('retries stop after the configured attempts and the error says how many were made', async () => {
  lab = await startFixture(
    { faults: { unavailableEveryN: 1 } },
    { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } },
  );
  const error = await lab.client.getContexts().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MlmdError);
  expect(error).toMatchObject({ code: 'UNAVAILABLE', attempts: 3 });
  expect(lab.server.callCount()).toBe(3);
});

test('a read that exceeds its deadline is retried and then reported as DEADLINE_EXCEEDED', async () => {
  lab = await startFixture(
    { faults: { delayMs: 200 } },
    { deadlineMs: 40, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
  );
  const error = await lab.client.getArtifactTypes().catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', attempts: 2, operation: 'GetArtifactTypes' });
});

test('a per-call deadline overrides the client default', async () => {
  lab = await startFixture({ faults: { delayMs: 60 } }, { deadlineMs: 20, retry: { attempts: 1 } });
  await expect(lab.client.getArtifactTypes({ deadlineMs: 2_000 })).resolves.toEqual([]);
});

test('backoff delays grow exponentially, stay within their jitter band and respect the cap', () => {
  const low = [1, 2, 3, 4, 8].map((retry) => backoffDelay(retry, 100, 1_000, () => 0));
  const high = [1, 2, 3, 4, 8].map((retry) => backoffDelay(retry, 100, 1_000, () => 1));
  expect(low).toEqual([50, 100, 200, 400, 500]);
  expect(high).toEqual([100, 200, 400, 800, 1_000]);
});
