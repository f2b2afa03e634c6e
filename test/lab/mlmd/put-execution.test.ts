import { afterEach, beforeEach, expect, test } from 'vitest';
import { grpc, list, putBasicTypes, startRaw, type RawMlmd } from './raw-client.js';

let mlmd: RawMlmd;
let types: Awaited<ReturnType<typeof putBasicTypes>>;
beforeEach(async () => {
  mlmd = await startRaw();
  types = await putBasicTypes(mlmd);
});
afterEach(() => mlmd.close());

const counts = async (): Promise<number[]> => [
  list((await mlmd.call('GetExecutions')).executions).length,
  list((await mlmd.call('GetArtifacts')).artifacts).length,
  list((await mlmd.call('GetContexts')).contexts).length,
];

test('PutExecution stores the execution, artifacts, events and contexts and links them', async () => {
  const reply = await mlmd.call('PutExecution', {
    execution: { type_id: types.executionType, last_known_state: 'COMPLETE' },
    artifact_event_pairs: [
      {
        artifact: { type_id: types.artifactType, uri: 's3://out' },
        event: { type: 'OUTPUT', path: { steps: [{ key: 'out' }] } },
      },
    ],
    contexts: [{ type_id: types.contextType, name: 'run-1' }],
  });
  const executionId = reply.execution_id;
  const artifactId = list(reply.artifact_ids)[0];
  const contextId = list(reply.context_ids)[0];
  const events = await mlmd.call('GetEventsByExecutionIDs', { execution_ids: [executionId] });
  const attributed = await mlmd.call('GetArtifactsByContext', { context_id: contextId });
  const associated = await mlmd.call('GetExecutionsByContext', { context_id: contextId });
  expect(list(events.events)).toEqual([
    expect.objectContaining({ artifact_id: artifactId, execution_id: executionId, type: 'OUTPUT' }),
  ]);
  expect(list(attributed.artifacts).map((a) => a.id)).toEqual([artifactId]);
  expect(list(associated.executions).map((e) => e.id)).toEqual([executionId]);
});

test('a PutExecution whose last pair fails stores nothing at all', async () => {
  await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, external_id: 'taken' }] });
  const before = await counts();
  const code = await mlmd.code('PutExecution', {
    execution: { type_id: types.executionType },
    artifact_event_pairs: [
      { artifact: { type_id: types.artifactType, uri: 'fine' }, event: { type: 'OUTPUT' } },
      { artifact: { type_id: types.artifactType, external_id: 'taken' }, event: { type: 'OUTPUT' } },
    ],
    contexts: [{ type_id: types.contextType, name: 'run-1' }],
  });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
  expect(await counts()).toEqual(before);
});

test('an existing context is an error unless reuse_context_if_already_exist is set', async () => {
  await mlmd.call('PutContexts', { contexts: [{ type_id: types.contextType, name: 'run-1' }] });
  const request = {
    execution: { type_id: types.executionType },
    contexts: [{ type_id: types.contextType, name: 'run-1' }],
  };
  const without = await mlmd.code('PutExecution', request);
  const reused = await mlmd.call('PutExecution', { ...request, options: { reuse_context_if_already_exist: true } });
  const existing = await mlmd.call('GetContextByTypeAndName', {
    type_name: 'system.PipelineRun',
    context_name: 'run-1',
  });
  expect(without).toBe(grpc.status.ALREADY_EXISTS);
  expect(list(reused.context_ids)).toEqual([existing.context?.id]);
});

test('reuse_artifact_if_already_exist_by_external_id links the stored artifact instead of failing', async () => {
  const stored = await mlmd.call('PutArtifacts', {
    artifacts: [{ type_id: types.artifactType, external_id: 'g:a', uri: 'u' }],
  });
  const reply = await mlmd.call('PutExecution', {
    execution: { type_id: types.executionType },
    artifact_event_pairs: [
      { artifact: { type_id: types.artifactType, external_id: 'g:a', uri: 'u' }, event: { type: 'INPUT' } },
    ],
    options: { reuse_artifact_if_already_exist_by_external_id: true },
  });
  expect(list(reply.artifact_ids)).toEqual(list(stored.artifact_ids));
});

test('a pair with only an event links an existing artifact', async () => {
  const stored = await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, uri: 'u' }] });
  const artifactId = list(stored.artifact_ids)[0];
  const reply = await mlmd.call('PutExecution', {
    execution: { type_id: types.executionType, last_known_state: 'CACHED' },
    artifact_event_pairs: [{ event: { artifact_id: artifactId, type: 'OUTPUT' } }],
  });
  const events = await mlmd.call('GetEventsByArtifactIDs', { artifact_ids: [artifactId] });
  expect(list(reply.artifact_ids)).toEqual([artifactId]);
  expect(list(events.events).map((e) => e.execution_id)).toEqual([reply.execution_id]);
});

test('PutExecution without an execution is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('PutExecution', { contexts: [] })).toBe(grpc.status.INVALID_ARGUMENT);
});
