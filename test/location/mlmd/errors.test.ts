import * as grpc from '@grpc/grpc-js';
import { expect, test } from 'vitest';
import { startMlmdServer } from '../../../packages/lab/src/mlmd/index.js';
import { metadataStoreServiceDefinition } from '../../../packages/lab/src/mlmd/proto-definition.js';
import { MlmdClient, MlmdError } from '../../../src/location/mlmd/index.js';
import { stringContaining } from '../../support/matchers.js';

test("an MlmdError's message names the location, address and operation and says what to do", () => {
  const error = new MlmdError({
    location: 'gpu-west',
    address: 'metadata-grpc-service.kubeflow:8080',
    operation: 'PutExecution',
    code: grpc.status.ALREADY_EXISTS,
    details: 'Given node already exists',
    attempts: 1,
  });
  expect(error.message).toContain("location 'gpu-west'");
  expect(error.message).toContain('metadata-grpc-service.kubeflow:8080');
  expect(error.message).toContain('PutExecution failed with ALREADY_EXISTS: Given node already exists');
  expect(error.message).toMatch(/What to do: .*look it up instead of inserting it again/);
});

test('an unreachable location fails with UNAVAILABLE naming the location and the call', async () => {
  const server = await startMlmdServer();
  const address = server.address;
  await server.close();
  const client = new MlmdClient({
    location: 'offline-site',
    address,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  try {
    const error = await client.getContextByTypeAndName('system.PipelineRun', 'run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlmdError);
    expect((error as MlmdError).message).toMatch(
      /^ML Metadata at location 'offline-site' \(127\.0\.0\.1:\d+\): GetContextByTypeAndName failed after 2 attempts with UNAVAILABLE/,
    );
  } finally {
    client.close();
  }
});

test('a rejected request is INVALID_ARGUMENT and blamed on split-pipelines, not the user', async () => {
  const server = await startMlmdServer();
  const client = new MlmdClient({ location: 'lab', address: server.address });
  try {
    const error = await client.getExecutions({ filterQuery: 'events_0.type = INPUT' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: stringContaining('unsupported filter_query') });
    expect((error as MlmdError).message).toContain('split-pipelines bug');
  } finally {
    client.close();
    await server.close();
  }
});

test('a duplicate type external id reported by MLMD 1.14 as INTERNAL reads as ALREADY_EXISTS', async () => {
  // Real MLMD 1.14 lets the database error through for types; a stub server answers the same way.
  const definition = metadataStoreServiceDefinition();
  const server = new grpc.Server();
  server.addService(definition, {
    PutArtifactType: (_call: unknown, callback: grpc.sendUnaryData<object>) =>
      callback({
        code: grpc.status.INTERNAL,
        details: "mysql_query failed: errno: Duplicate entry 'g:t' for key 'Type.UniqueTypeExternalId'",
      }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const client = new MlmdClient({ location: 'real-ish', address: `127.0.0.1:${port}` });
  try {
    const error = await client.putArtifactType({ name: 't', externalId: 'g:t' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ALREADY_EXISTS', grpcCode: grpc.status.INTERNAL });
  } finally {
    client.close();
    server.forceShutdown();
  }
});
