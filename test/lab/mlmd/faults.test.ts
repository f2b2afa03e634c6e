import { afterEach, beforeEach, expect, test } from 'vitest';
import { grpc, startRaw, type RawMlmd } from './raw-client.js';

let mlmd: RawMlmd;
beforeEach(async () => {
  mlmd = await startRaw({ faults: { unavailableEveryN: 3 } });
});
afterEach(() => mlmd.close());

test('every Nth call fails with UNAVAILABLE and the others succeed', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 6; i += 1) codes.push(await mlmd.code('GetArtifactTypes'));
  const { OK, UNAVAILABLE } = grpc.status;
  expect(codes).toEqual([OK, OK, UNAVAILABLE, OK, OK, UNAVAILABLE]);
});

test('a call failed by a fault changes nothing in the store', async () => {
  await mlmd.call('GetArtifactTypes');
  await mlmd.call('GetArtifactTypes');
  const failed = await mlmd.code('PutArtifactType', { artifact_type: { name: 'never' } });
  mlmd.server.setFaults(undefined);
  expect([failed, await mlmd.code('GetArtifactType', { type_name: 'never' })]).toEqual([
    grpc.status.UNAVAILABLE,
    grpc.status.NOT_FOUND,
  ]);
});

test('an injected delay holds each answer back', async () => {
  mlmd.server.setFaults({ delayMs: 120 });
  const started = Date.now();
  await mlmd.call('GetArtifactTypes');
  expect(Date.now() - started).toBeGreaterThanOrEqual(110);
});
