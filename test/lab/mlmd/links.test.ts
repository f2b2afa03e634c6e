import { afterEach, beforeEach, expect, test } from 'vitest';
import { grpc, list, putBasicTypes, startRaw, type RawMlmd } from './raw-client.js';

let mlmd: RawMlmd;
let artifactId: number;
let executionId: number;
let contextType: number;
beforeEach(async () => {
  mlmd = await startRaw();
  const types = await putBasicTypes(mlmd);
  contextType = types.contextType;
  const a = await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, uri: 's3://x' }] });
  const e = await mlmd.call('PutExecutions', { executions: [{ type_id: types.executionType }] });
  artifactId = list(a.artifact_ids)[0] as unknown as number;
  executionId = list(e.execution_ids)[0] as unknown as number;
});
afterEach(() => mlmd.close());

async function putContext(name: string): Promise<number> {
  const { context_ids } = await mlmd.call('PutContexts', { contexts: [{ type_id: contextType, name }] });
  return list(context_ids)[0] as unknown as number;
}

test('an event round-trips with its path, from both the execution and the artifact side', async () => {
  await mlmd.call('PutEvents', {
    events: [
      {
        artifact_id: artifactId,
        execution_id: executionId,
        type: 'OUTPUT',
        path: { steps: [{ key: 'model' }, { index: 2 }] },
        milliseconds_since_epoch: 1234,
      },
    ],
  });
  const expected = {
    artifact_id: artifactId,
    execution_id: executionId,
    type: 'OUTPUT',
    path: { steps: [{ key: 'model' }, { index: 2 }] },
    milliseconds_since_epoch: 1234,
  };
  const byExecution = await mlmd.call('GetEventsByExecutionIDs', { execution_ids: [executionId] });
  const byArtifact = await mlmd.call('GetEventsByArtifactIDs', { artifact_ids: [artifactId] });
  expect([list(byExecution.events), list(byArtifact.events)]).toEqual([[expected], [expected]]);
});

test('a second event with the same artifact, execution and type is ALREADY_EXISTS', async () => {
  const event = { artifact_id: artifactId, execution_id: executionId, type: 'INPUT' };
  await mlmd.call('PutEvents', { events: [event] });
  expect(await mlmd.code('PutEvents', { events: [event] })).toBe(grpc.status.ALREADY_EXISTS);
});

test('an event naming a missing execution is INVALID_ARGUMENT', async () => {
  const code = await mlmd.code('PutEvents', {
    events: [{ artifact_id: artifactId, execution_id: 999, type: 'INPUT' }],
  });
  expect(code).toBe(grpc.status.INVALID_ARGUMENT);
});

test('attributions and associations are idempotent and link nodes to their contexts', async () => {
  const contextId = await putContext('run-1');
  const links = {
    attributions: [{ artifact_id: artifactId, context_id: contextId }],
    associations: [{ execution_id: executionId, context_id: contextId }],
  };
  await mlmd.call('PutAttributionsAndAssociations', links);
  await mlmd.call('PutAttributionsAndAssociations', links);
  const ofArtifact = await mlmd.call('GetContextsByArtifact', { artifact_id: artifactId });
  const ofExecution = await mlmd.call('GetContextsByExecution', { execution_id: executionId });
  const artifacts = await mlmd.call('GetArtifactsByContext', { context_id: contextId });
  const executions = await mlmd.call('GetExecutionsByContext', { context_id: contextId });
  expect([
    list(ofArtifact.contexts).map((c) => c.name),
    list(ofExecution.contexts).map((c) => c.name),
    list(artifacts.artifacts).map((a) => a.id),
    list(executions.executions).map((e) => e.id),
  ]).toEqual([['run-1'], ['run-1'], [artifactId], [executionId]]);
});

test('contexts of a node that has none is NOT_FOUND, as in MLMD', async () => {
  expect(await mlmd.code('GetContextsByArtifact', { artifact_id: artifactId })).toBe(grpc.status.NOT_FOUND);
});

test('parent contexts link both ways', async () => {
  const pipeline = await putContext('pipeline');
  const run = await putContext('run');
  await mlmd.call('PutParentContexts', { parent_contexts: [{ child_id: run, parent_id: pipeline }] });
  const parents = await mlmd.call('GetParentContextsByContext', { context_id: run });
  const children = await mlmd.call('GetChildrenContextsByContext', { context_id: pipeline });
  expect([list(parents.contexts).map((c) => c.name), list(children.contexts).map((c) => c.name)]).toEqual([
    ['pipeline'],
    ['run'],
  ]);
});

test('a parent link that would close a cycle is INVALID_ARGUMENT', async () => {
  const a = await putContext('a');
  const b = await putContext('b');
  await mlmd.call('PutParentContexts', { parent_contexts: [{ child_id: b, parent_id: a }] });
  expect(await mlmd.code('PutParentContexts', { parent_contexts: [{ child_id: a, parent_id: b }] })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});

test('a repeated parent link is ALREADY_EXISTS', async () => {
  const a = await putContext('a');
  const b = await putContext('b');
  await mlmd.call('PutParentContexts', { parent_contexts: [{ child_id: b, parent_id: a }] });
  expect(await mlmd.code('PutParentContexts', { parent_contexts: [{ child_id: b, parent_id: a }] })).toBe(
    grpc.status.ALREADY_EXISTS,
  );
});
