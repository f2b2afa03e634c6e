import { afterEach, beforeEach, expect, test } from 'vitest';
import { grpc, list, startRaw, type RawMlmd } from './raw-client.js';

let mlmd: RawMlmd;
beforeEach(async () => {
  mlmd = await startRaw();
});
afterEach(() => mlmd.close());

test('an artifact type round-trips with its properties, version, description and external id', async () => {
  const { type_id } = await mlmd.call('PutArtifactType', {
    artifact_type: {
      name: 'system.Model',
      version: 'v1',
      description: 'a model',
      external_id: 'global:type:model',
      properties: { framework: 'STRING', accuracy: 'DOUBLE' },
    },
  });
  const { artifact_type } = await mlmd.call('GetArtifactType', { type_name: 'system.Model', type_version: 'v1' });
  expect(artifact_type).toEqual({
    id: type_id,
    name: 'system.Model',
    version: 'v1',
    description: 'a model',
    external_id: 'global:type:model',
    properties: { framework: 'STRING', accuracy: 'DOUBLE' },
  });
});

test('execution and context types round-trip through PutTypes and the list calls', async () => {
  const ids = await mlmd.call('PutTypes', {
    execution_types: [{ name: 'system.ContainerExecution' }, { name: 'system.DAGExecution' }],
    context_types: [{ name: 'system.Pipeline' }],
  });
  const executionTypes = await mlmd.call('GetExecutionTypes');
  const contextTypes = await mlmd.call('GetContextTypesByID', { type_ids: ids.context_type_ids });
  expect(list(executionTypes.execution_types).map((t) => t.name)).toEqual([
    'system.ContainerExecution',
    'system.DAGExecution',
  ]);
  expect(list(contextTypes.context_types).map((t) => t.name)).toEqual(['system.Pipeline']);
});

test('putting the same type again returns the same id', async () => {
  const first = await mlmd.call('PutExecutionType', { execution_type: { name: 'system.DAGExecution' } });
  const second = await mlmd.call('PutExecutionType', { execution_type: { name: 'system.DAGExecution' } });
  expect(second.type_id).toBe(first.type_id);
});

test('types with the same name but different versions are different types', async () => {
  const v1 = await mlmd.call('PutContextType', { context_type: { name: 'run', version: '1' } });
  const v2 = await mlmd.call('PutContextType', { context_type: { name: 'run', version: '2' } });
  expect(v2.type_id).not.toBe(v1.type_id);
});

test('adding a property to a stored type without can_add_fields is ALREADY_EXISTS', async () => {
  await mlmd.call('PutArtifactType', { artifact_type: { name: 't', properties: { a: 'INT' } } });
  const code = await mlmd.code('PutArtifactType', {
    artifact_type: { name: 't', properties: { a: 'INT', b: 'STRING' } },
  });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
});

test('adding a property with can_add_fields extends the stored type', async () => {
  await mlmd.call('PutArtifactType', { artifact_type: { name: 't', properties: { a: 'INT' } } });
  await mlmd.call('PutArtifactType', {
    artifact_type: { name: 't', properties: { a: 'INT', b: 'STRING' } },
    can_add_fields: true,
  });
  const { artifact_type } = await mlmd.call('GetArtifactType', { type_name: 't' });
  expect(artifact_type?.properties).toEqual({ a: 'INT', b: 'STRING' });
});

test('omitting a stored property is ALREADY_EXISTS unless can_omit_fields is set', async () => {
  await mlmd.call('PutArtifactType', { artifact_type: { name: 't', properties: { a: 'INT', b: 'INT' } } });
  const without = await mlmd.code('PutArtifactType', { artifact_type: { name: 't', properties: { a: 'INT' } } });
  const withOmit = await mlmd.code('PutArtifactType', {
    artifact_type: { name: 't', properties: { a: 'INT' } },
    can_omit_fields: true,
  });
  expect([without, withOmit]).toEqual([grpc.status.ALREADY_EXISTS, grpc.status.OK]);
});

test('changing the value type of a stored property is ALREADY_EXISTS even with both flags', async () => {
  await mlmd.call('PutArtifactType', { artifact_type: { name: 't', properties: { a: 'INT' } } });
  const code = await mlmd.code('PutArtifactType', {
    artifact_type: { name: 't', properties: { a: 'STRING' } },
    can_add_fields: true,
    can_omit_fields: true,
  });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
});

test('a second type with an existing external_id is ALREADY_EXISTS', async () => {
  await mlmd.call('PutArtifactType', { artifact_type: { name: 'a', external_id: 'ext-1' } });
  const code = await mlmd.code('PutExecutionType', { execution_type: { name: 'b', external_id: 'ext-1' } });
  expect(code).toBe(grpc.status.ALREADY_EXISTS);
});

test('a type without a name is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('PutContextType', { context_type: { properties: { a: 'INT' } } })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});

test('getting a missing type by name is NOT_FOUND', async () => {
  expect(await mlmd.code('GetExecutionType', { type_name: 'nope' })).toBe(grpc.status.NOT_FOUND);
});

test('types are found by external id, and no match at all is NOT_FOUND', async () => {
  await mlmd.call('PutArtifactType', { artifact_type: { name: 'a', external_id: 'ext-a' } });
  const found = await mlmd.call('GetArtifactTypesByExternalIds', { external_ids: ['ext-a', 'ext-missing'] });
  const none = await mlmd.code('GetArtifactTypesByExternalIds', { external_ids: ['ext-missing'] });
  expect([list(found.artifact_types).map((t) => t.name), none]).toEqual([['a'], grpc.status.NOT_FOUND]);
});

test("MLMD's system types exist from the start but are hidden from the type lists", async () => {
  const { artifact_type } = await mlmd.call('GetArtifactType', { type_name: 'mlmd.Dataset' });
  const { execution_type } = await mlmd.call('GetExecutionType', { type_name: 'mlmd.Train' });
  const listed = await mlmd.call('GetArtifactTypes');
  expect([artifact_type?.id, execution_type?.id, list(listed.artifact_types)]).toEqual([1, 5, []]);
});
