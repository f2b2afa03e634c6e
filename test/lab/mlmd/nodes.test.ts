import { afterEach, beforeEach, expect, test } from 'vitest';
import { grpc, list, putBasicTypes, startRaw, type RawMlmd } from './raw-client.js';

let mlmd: RawMlmd;
let types: Awaited<ReturnType<typeof putBasicTypes>>;
beforeEach(async () => {
  mlmd = await startRaw();
  types = await putBasicTypes(mlmd);
});
afterEach(() => mlmd.close());

test('an artifact round-trips with every kind of property value, its state, uri and type name', async () => {
  const before = Date.now();
  const custom_properties = {
    display_name: { string_value: 'model' },
    epochs: { int_value: 12 },
    loss: { double_value: 0.25 },
    ok: { bool_value: true },
    metadata: { struct_value: { fields: { k: { stringValue: 'v' }, n: { numberValue: 2 } } } },
    blob: { proto_value: { type_url: 'type.googleapis.com/x.Y', value: Buffer.from([1, 2, 3]) } },
  };
  const { artifact_ids } = await mlmd.call('PutArtifacts', {
    artifacts: [
      {
        type_id: types.artifactType,
        uri: 's3://bucket/a',
        name: 'a1',
        external_id: 'global:a1',
        state: 'LIVE',
        properties: { rows: { int_value: 7 } },
        custom_properties,
      },
    ],
  });
  const { artifacts } = await mlmd.call('GetArtifactsByID', { artifact_ids });
  const artifact = list(artifacts)[0] as Record<string, unknown>;
  expect(artifact).toMatchObject({
    id: list(artifact_ids)[0],
    type_id: types.artifactType,
    type: 'system.Dataset',
    uri: 's3://bucket/a',
    name: 'a1',
    external_id: 'global:a1',
    state: 'LIVE',
    properties: { rows: { int_value: 7 } },
    custom_properties,
  });
  expect(artifact.create_time_since_epoch).toBeGreaterThanOrEqual(before);
  expect(artifact.create_time_since_epoch).toBeLessThanOrEqual(Date.now());
});

test('an execution round-trips with its state, name and custom properties', async () => {
  const { execution_ids } = await mlmd.call('PutExecutions', {
    executions: [
      {
        type_id: types.executionType,
        name: 'run/abc',
        last_known_state: 'RUNNING',
        custom_properties: { task_name: { string_value: 'train' } },
      },
    ],
  });
  const { executions } = await mlmd.call('GetExecutionsByID', { execution_ids });
  expect(list(executions)[0]).toMatchObject({
    type: 'system.ContainerExecution',
    name: 'run/abc',
    last_known_state: 'RUNNING',
    custom_properties: { task_name: { string_value: 'train' } },
  });
});

test('a context round-trips and is found by type and name', async () => {
  await mlmd.call('PutContexts', {
    contexts: [
      { type_id: types.contextType, name: 'run-1', custom_properties: { namespace: { string_value: 'kubeflow' } } },
    ],
  });
  const { context } = await mlmd.call('GetContextByTypeAndName', {
    type_name: 'system.PipelineRun',
    context_name: 'run-1',
  });
  expect(context).toMatchObject({
    name: 'run-1',
    type: 'system.PipelineRun',
    custom_properties: { namespace: { string_value: 'kubeflow' } },
  });
});

test('GetContextByTypeAndName answers OK and empty when the context or its type is missing', async () => {
  const missingContext = await mlmd.call('GetContextByTypeAndName', {
    type_name: 'system.PipelineRun',
    context_name: 'nope',
  });
  const missingType = await mlmd.call('GetContextByTypeAndName', { type_name: 'nope', context_name: 'nope' });
  expect([missingContext.context, missingType.context]).toEqual([undefined, undefined]);
});

test('an update by id changes the node and its last update time but not its create time', async () => {
  const { execution_ids } = await mlmd.call('PutExecutions', {
    executions: [{ type_id: types.executionType, last_known_state: 'RUNNING' }],
  });
  const id = list(execution_ids)[0];
  const before = list((await mlmd.call('GetExecutionsByID', { execution_ids })).executions)[0] as unknown as Record<
    string,
    number
  >;
  await new Promise((resolve) => setTimeout(resolve, 5));
  await mlmd.call('PutExecutions', {
    executions: [{ id, type_id: types.executionType, last_known_state: 'COMPLETE' }],
  });
  const after = list((await mlmd.call('GetExecutionsByID', { execution_ids })).executions)[0] as Record<
    string,
    unknown
  >;
  expect(after.last_known_state).toBe('COMPLETE');
  expect(after.create_time_since_epoch).toBe(before.create_time_since_epoch);
  expect(after.last_update_time_since_epoch).toBeGreaterThan(before.last_update_time_since_epoch as number);
});

test('an update with an update_mask changes only the masked custom property', async () => {
  const { execution_ids } = await mlmd.call('PutExecutions', {
    executions: [{ type_id: types.executionType, custom_properties: { a: { int_value: 1 }, b: { int_value: 2 } } }],
  });
  const id = list(execution_ids)[0];
  await mlmd.call('PutExecutions', {
    executions: [{ id, custom_properties: { a: { int_value: 10 }, b: { int_value: 20 } } }],
    update_mask: { paths: ['custom_properties.a'] },
  });
  const { executions } = await mlmd.call('GetExecutionsByID', { execution_ids });
  expect(list(executions)[0]?.custom_properties).toEqual({ a: { int_value: 10 }, b: { int_value: 2 } });
});

test('a whole-node update without type_id is refused instead of resetting the type', async () => {
  const { artifact_ids } = await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, uri: 'u' }] });
  const code = await mlmd.code('PutArtifacts', { artifacts: [{ id: list(artifact_ids)[0], uri: 'v' }] });
  expect(code).toBe(grpc.status.INVALID_ARGUMENT);
});

test('a second artifact with an existing external_id is ALREADY_EXISTS', async () => {
  await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, external_id: 'g:1' }] });
  const code = await mlmd.code('PutArtifacts', { artifacts: [{ type_id: types.artifactType, external_id: 'g:1' }] });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
});

test('a second execution with an existing external_id is ALREADY_EXISTS', async () => {
  await mlmd.call('PutExecutions', { executions: [{ type_id: types.executionType, external_id: 'g:1' }] });
  const code = await mlmd.code('PutExecutions', { executions: [{ type_id: types.executionType, external_id: 'g:1' }] });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
});

test('a second context with an existing external_id is ALREADY_EXISTS', async () => {
  await mlmd.call('PutContexts', { contexts: [{ type_id: types.contextType, name: 'a', external_id: 'g:1' }] });
  const code = await mlmd.code('PutContexts', {
    contexts: [{ type_id: types.contextType, name: 'b', external_id: 'g:1' }],
  });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
});

test('a second node with the same type and name is ALREADY_EXISTS for artifacts, executions and contexts', async () => {
  await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, name: 'n' }] });
  await mlmd.call('PutExecutions', { executions: [{ type_id: types.executionType, name: 'n' }] });
  await mlmd.call('PutContexts', { contexts: [{ type_id: types.contextType, name: 'n' }] });
  const codes = [
    await mlmd.code('PutArtifacts', { artifacts: [{ type_id: types.artifactType, name: 'n' }] }),
    await mlmd.code('PutExecutions', { executions: [{ type_id: types.executionType, name: 'n' }] }),
    await mlmd.code('PutContexts', { contexts: [{ type_id: types.contextType, name: 'n' }] }),
  ];
  expect(codes).toEqual([grpc.status.ALREADY_EXISTS, grpc.status.ALREADY_EXISTS, grpc.status.ALREADY_EXISTS]);
});

test('any number of unnamed artifacts of one type may exist', async () => {
  const { artifact_ids } = await mlmd.call('PutArtifacts', {
    artifacts: [{ type_id: types.artifactType }, { type_id: types.artifactType }],
  });
  expect(list(artifact_ids)).toHaveLength(2);
});

test('a context with an empty name is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('PutContexts', { contexts: [{ type_id: types.contextType, name: '' }] })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});

test('a property the type does not declare is INVALID_ARGUMENT', async () => {
  const code = await mlmd.code('PutArtifacts', {
    artifacts: [{ type_id: types.artifactType, properties: { undeclared: { int_value: 1 } } }],
  });
  expect(code).toBe(grpc.status.INVALID_ARGUMENT);
});

test('a failing node in a batch leaves none of the batch stored', async () => {
  await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, external_id: 'taken' }] });
  await mlmd.code('PutArtifacts', {
    artifacts: [
      { type_id: types.artifactType, uri: 'first' },
      { type_id: types.artifactType, external_id: 'taken' },
    ],
  });
  const { artifacts } = await mlmd.call('GetArtifactsByURI', { uris: ['first'] });
  expect(list(artifacts)).toHaveLength(0);
});

test('reads by id skip missing ids instead of aligning with the request', async () => {
  const { artifact_ids } = await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, uri: 'x' }] });
  const id = list(artifact_ids)[0] as unknown as number;
  const { artifacts } = await mlmd.call('GetArtifactsByID', { artifact_ids: [id + 100, id] });
  expect(list(artifacts).map((a) => a.id)).toEqual([id]);
});

test('reads by external id return the matches, and no match at all is NOT_FOUND', async () => {
  await mlmd.call('PutExecutions', { executions: [{ type_id: types.executionType, external_id: 'g:e' }] });
  const found = await mlmd.call('GetExecutionsByExternalIds', { external_ids: ['g:e', 'g:none'] });
  const none = await mlmd.code('GetExecutionsByExternalIds', { external_ids: ['g:none'] });
  expect([list(found.executions).map((e) => e.external_id), none]).toEqual([['g:e'], grpc.status.NOT_FOUND]);
});

test('an empty external id in a lookup is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('GetContextsByExternalIds', { external_ids: ['a', ''] })).toBe(grpc.status.INVALID_ARGUMENT);
});

test('artifacts and executions are found by type and name', async () => {
  await mlmd.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, name: 'model', uri: 'u' }] });
  await mlmd.call('PutExecutions', { executions: [{ type_id: types.executionType, name: 'run/1' }] });
  const a = await mlmd.call('GetArtifactByTypeAndName', { type_name: 'system.Dataset', artifact_name: 'model' });
  const e = await mlmd.call('GetExecutionByTypeAndName', {
    type_name: 'system.ContainerExecution',
    execution_name: 'run/1',
  });
  expect([a.artifact?.uri, e.execution?.name]).toEqual(['u', 'run/1']);
});

test('artifacts are found by uri', async () => {
  await mlmd.call('PutArtifacts', {
    artifacts: [
      { type_id: types.artifactType, uri: 's3://b/1' },
      { type_id: types.artifactType, uri: 's3://b/2' },
      { type_id: types.artifactType, uri: 's3://b/1' },
    ],
  });
  const { artifacts } = await mlmd.call('GetArtifactsByURI', { uris: ['s3://b/1'] });
  expect(list(artifacts).map((a) => a.uri)).toEqual(['s3://b/1', 's3://b/1']);
});
