import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  MlmdError,
  collectPages,
  fromStruct,
  intValue,
  plainValue,
  stringValue,
  structValue,
} from '../../../src/location/mlmd/index.js';
import { startFixture, type Fixture } from './lab-fixture.js';

let lab: Fixture;
beforeEach(async () => {
  lab = await startFixture();
});
afterEach(() => lab.close());

async function kfpTypes(): Promise<{ artifact: number; execution: number; run: number; pipeline: number }> {
  const ids = await lab.client.putTypes({
    artifactTypes: [{ name: 'system.Model' }],
    executionTypes: [{ name: 'system.ContainerExecution' }],
    contextTypes: [{ name: 'system.PipelineRun' }, { name: 'system.Pipeline' }],
  });
  return {
    artifact: ids.artifactTypeIds[0] as number,
    execution: ids.executionTypeIds[0] as number,
    run: ids.contextTypeIds[0] as number,
    pipeline: ids.contextTypeIds[1] as number,
  };
}

test('types round-trip and a missing type reads as undefined', async () => {
  const id = await lab.client.putExecutionType({
    name: 'system.DAGExecution',
    properties: { n: 'INT' },
    externalId: 'g:t',
  });
  expect(await lab.client.getExecutionType('system.DAGExecution')).toEqual({
    id,
    name: 'system.DAGExecution',
    properties: { n: 'INT' },
    externalId: 'g:t',
  });
  expect(await lab.client.getExecutionTypesByExternalIds(['g:t'])).toHaveLength(1);
  expect(await lab.client.getContextType('missing')).toBeUndefined();
});

test('an artifact round-trips with camelCase fields, enum names and numeric ids', async () => {
  const types = await kfpTypes();
  const [id] = await lab.client.putArtifacts([
    {
      typeId: types.artifact,
      uri: 'minio://mlpipeline/v2/artifacts/p/run/train/uuid/model',
      state: 'LIVE',
      externalId: 'g:model',
      customProperties: { display_name: stringValue('model'), epochs: intValue(3) },
    },
  ]);
  const [artifact] = await lab.client.getArtifactsByID([id as number]);
  expect(artifact).toMatchObject({
    id,
    typeId: types.artifact,
    type: 'system.Model',
    state: 'LIVE',
    externalId: 'g:model',
    customProperties: { display_name: { stringValue: 'model' }, epochs: { intValue: 3 } },
  });
  expect(typeof artifact?.createTimeSinceEpoch).toBe('number');
});

test('an execution keeps a struct property as JSON, as KFP stores outputs', async () => {
  const types = await kfpTypes();
  const outputs = { accuracy: 0.9, tags: ['a', 'b'], nested: { ok: true, none: null } };
  const [id] = await lab.client.putExecutions([
    { typeId: types.execution, lastKnownState: 'COMPLETE', customProperties: { outputs: structValue(outputs) } },
  ]);
  const [execution] = await lab.client.getExecutionsByID([id as number]);
  expect(plainValue(execution?.customProperties?.outputs)).toEqual(outputs);
  expect(fromStruct(execution?.customProperties?.outputs?.structValue ?? {})).toEqual(outputs);
});

test('PutExecution, events, contexts and parent contexts round-trip through the client', async () => {
  const types = await kfpTypes();
  const [pipeline] = await lab.client.putContexts([{ typeId: types.pipeline, name: 'my-pipeline' }]);
  const result = await lab.client.putExecution({
    execution: { typeId: types.execution, externalId: 'g:exec', lastKnownState: 'COMPLETE' },
    artifactEventPairs: [
      {
        artifact: { typeId: types.artifact, uri: 's3://b/m', externalId: 'g:m' },
        event: { type: 'OUTPUT', path: { steps: [{ key: 'model' }] } },
      },
    ],
    contexts: [{ typeId: types.run, name: 'run-uuid' }],
  });
  await lab.client.putParentContexts([{ childId: result.contextIds[0] as number, parentId: pipeline as number }]);
  await lab.client.putAttributionsAndAssociations(
    [{ artifactId: result.artifactIds[0] as number, contextId: pipeline as number }],
    [],
  );

  const events = await lab.client.getEventsByExecutionIDs([result.executionId]);
  const artifactContexts = await lab.client.getContextsByArtifact(result.artifactIds[0] as number);
  const parents = await lab.client.getParentContextsByContext(result.contextIds[0] as number);
  const run = await lab.client.getContextByTypeAndName('system.PipelineRun', 'run-uuid');
  expect(events).toEqual([
    expect.objectContaining({ artifactId: result.artifactIds[0], type: 'OUTPUT', path: { steps: [{ key: 'model' }] } }),
  ]);
  expect(artifactContexts.map((c) => c.name)).toEqual(['my-pipeline', 'run-uuid']);
  expect(parents.map((c) => c.name)).toEqual(['my-pipeline']);
  expect(run?.id).toBe(result.contextIds[0]);
});

test('lookups that MLMD answers with NOT_FOUND come back empty', async () => {
  const types = await kfpTypes();
  const [lonely] = await lab.client.putExecutions([{ typeId: types.execution }]);
  expect(await lab.client.getArtifactsByExternalIds(['g:none'])).toEqual([]);
  expect(await lab.client.getContextsByExecution(lonely as number)).toEqual([]);
});

test('a duplicate external id surfaces as an ALREADY_EXISTS MlmdError naming the location and call', async () => {
  const types = await kfpTypes();
  await lab.client.putContexts([{ typeId: types.run, name: 'a', externalId: 'g:c' }]);
  const error = await lab.client
    .putContexts([{ typeId: types.run, name: 'b', externalId: 'g:c' }])
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MlmdError);
  expect(error).toMatchObject({ code: 'ALREADY_EXISTS', location: 'lab-east', operation: 'PutContexts', attempts: 1 });
});

test('collectPages gathers 250 executions of a run filtered the way KFP filters by parent DAG', async () => {
  const types = await kfpTypes();
  const [run] = await lab.client.putContexts([{ typeId: types.run, name: 'run' }]);
  const executions = Array.from({ length: 250 }, (_, i) => ({
    typeId: types.execution,
    customProperties: { parent_dag_id: intValue(i % 2) },
  }));
  const ids = await lab.client.putExecutions(executions);
  await lab.client.putAttributionsAndAssociations(
    [],
    ids.map((executionId) => ({ executionId, contextId: run as number })),
  );
  const all = await collectPages((nextPageToken) =>
    lab.client.getExecutionsByContext(run as number, {
      filterQuery: 'custom_properties.parent_dag_id.int_value = 1',
      maxResultSize: 40,
      nextPageToken,
    }),
  );
  expect(all.map((e) => e.id)).toEqual(ids.filter((_, i) => i % 2 === 1));
});

test('a page size above 100 is clamped to 100 so no results are lost', async () => {
  const types = await kfpTypes();
  await lab.client.putExecutions(Array.from({ length: 150 }, () => ({ typeId: types.execution })));
  const first = await lab.client.getExecutions({ maxResultSize: 500 });
  expect([first.items.length, typeof first.nextPageToken]).toEqual([100, 'string']);
});
