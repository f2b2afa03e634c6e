import { afterAll, beforeAll, expect, test } from 'vitest';
import { grpc, list, startRaw, type RawMlmd } from './raw-client.js';
import { stringMatching } from '../../support/matchers.js';

let mlmd: RawMlmd;
const artifactLabels = new Map<number, string>();
const executionLabels = new Map<number, string>();
const contextIds: Record<string, number> = {};

beforeAll(async () => {
  mlmd = await startRaw();
  const types = await mlmd.call('PutTypes', {
    artifact_types: [{ name: 'system.Dataset', properties: { rows: 'INT' } }, { name: 'system.Model' }],
    execution_types: [{ name: 'system.ContainerExecution' }],
    context_types: [{ name: 'system.Pipeline' }, { name: 'system.PipelineRun' }],
  });
  const [dataset, model] = list(types.artifact_type_ids) as unknown as number[];
  const [container] = list(types.execution_type_ids) as unknown as number[];
  const [pipelineType, runType] = list(types.context_type_ids) as unknown as number[];
  const contexts = await mlmd.call('PutContexts', {
    contexts: [
      { type_id: pipelineType, name: 'p' },
      { type_id: runType, name: 'run-1' },
      { type_id: runType, name: 'run-2' },
    ],
  });
  const [p, run1, run2] = list(contexts.context_ids) as unknown as number[];
  Object.assign(contextIds, { p, 'run-1': run1, 'run-2': run2 });
  const artifacts = await mlmd.call('PutArtifacts', {
    artifacts: [
      {
        type_id: dataset,
        uri: 's3://b/run-1/data',
        name: 'd1',
        external_id: 'g:a1',
        state: 'LIVE',
        properties: { rows: { int_value: 10 } },
        custom_properties: {
          display_name: { string_value: 'train data' },
          score: { double_value: 0.9 },
          cached: { bool_value: true },
          count: { int_value: 5 },
          'my:key.x': { string_value: 'v' },
        },
      },
      {
        type_id: dataset,
        uri: 's3://b/run-2/data',
        state: 'PENDING',
        properties: { rows: { int_value: 1 } },
        custom_properties: {
          display_name: { string_value: 'eval data' },
          score: { double_value: 0.3 },
          cached: { bool_value: false },
          count: { int_value: 7 },
        },
      },
      { type_id: model, uri: 'gs://m/model', state: 'LIVE' },
    ],
  });
  const [a1, a2, a3] = list(artifacts.artifact_ids) as unknown as number[];
  const executions = await mlmd.call('PutExecutions', {
    executions: [
      {
        type_id: container,
        last_known_state: 'COMPLETE',
        custom_properties: { parent_dag_id: { int_value: 1 }, cache_fingerprint: { string_value: 'fp1' } },
      },
      { type_id: container, last_known_state: 'CACHED', custom_properties: { parent_dag_id: { int_value: 1 } } },
      { type_id: container, last_known_state: 'RUNNING', custom_properties: { parent_dag_id: { int_value: 2 } } },
    ],
  });
  const [e1, e2, e3] = list(executions.execution_ids) as unknown as number[];
  for (const [id, label] of [
    [a1, 'a1'],
    [a2, 'a2'],
    [a3, 'a3'],
  ] as const)
    artifactLabels.set(id as number, label);
  for (const [id, label] of [
    [e1, 'e1'],
    [e2, 'e2'],
    [e3, 'e3'],
  ] as const)
    executionLabels.set(id as number, label);
  await mlmd.call('PutAttributionsAndAssociations', {
    attributions: [
      { artifact_id: a1, context_id: contextIds['run-1'] },
      { artifact_id: a1, context_id: contextIds.p },
      { artifact_id: a2, context_id: contextIds['run-2'] },
      { artifact_id: a2, context_id: contextIds.p },
      { artifact_id: a3, context_id: contextIds['run-1'] },
    ],
    associations: [
      { execution_id: e1, context_id: contextIds['run-1'] },
      { execution_id: e2, context_id: contextIds['run-1'] },
      { execution_id: e3, context_id: contextIds['run-2'] },
    ],
  });
});
afterAll(() => mlmd.close());

async function artifacts(filter_query: string): Promise<string[]> {
  const reply = await mlmd.call('GetArtifacts', { options: { filter_query } });
  return list(reply.artifacts).map((a) => artifactLabels.get(a.id as unknown as number) ?? '?');
}

async function executions(filter_query: string): Promise<string[]> {
  const reply = await mlmd.call('GetExecutions', { options: { filter_query } });
  return list(reply.executions).map((e) => executionLabels.get(e.id as unknown as number) ?? '?');
}

test('filters on id', async () => {
  const [a2] = [...artifactLabels].find(([, label]) => label === 'a2') ?? [0];
  expect(await artifacts(`id = ${a2}`)).toEqual(['a2']);
});

test('filters on name', async () => {
  expect(await artifacts("name = 'd1'")).toEqual(['a1']);
});

test('filters on uri with a double-quoted string', async () => {
  expect(await artifacts('uri = "gs://m/model"')).toEqual(['a3']);
});

test('filters on external_id', async () => {
  expect(await artifacts("external_id = 'g:a1'")).toEqual(['a1']);
});

test('filters on the type name', async () => {
  expect(await artifacts("type = 'system.Model'")).toEqual(['a3']);
});

test('filters on an artifact state written as a bare enum name', async () => {
  expect(await artifacts('state = LIVE')).toEqual(['a1', 'a3']);
});

test('filters on an execution state with IN and bare enum names', async () => {
  expect(await executions('last_known_state IN (COMPLETE, CACHED)')).toEqual(['e1', 'e2']);
});

test('filters on create_time_since_epoch', async () => {
  expect(await executions(`create_time_since_epoch > ${Date.now() + 60_000}`)).toEqual([]);
  expect(await executions('create_time_since_epoch > 0')).toEqual(['e1', 'e2', 'e3']);
});

test('filters on a custom string property', async () => {
  expect(await executions("custom_properties.cache_fingerprint.string_value = 'fp1'")).toEqual(['e1']);
});

test('filters on a custom int property, as KFP does with parent_dag_id', async () => {
  expect(await executions('custom_properties.parent_dag_id.int_value = 1')).toEqual(['e1', 'e2']);
});

test('filters on a custom double property', async () => {
  expect(await artifacts('custom_properties.score.double_value < 0.5')).toEqual(['a2']);
});

test('filters on a custom bool property', async () => {
  expect(await artifacts('custom_properties.cached.bool_value = true')).toEqual(['a1']);
});

test('filters on a backquoted property name', async () => {
  expect(await artifacts("custom_properties.`my:key.x`.string_value = 'v'")).toEqual(['a1']);
});

test('filters on a declared property', async () => {
  expect(await artifacts('properties.rows.int_value > 5')).toEqual(['a1']);
});

test('filters on a context neighbour by name', async () => {
  expect(await artifacts("contexts_a.name = 'run-1'")).toEqual(['a1', 'a3']);
});

test('filters on a context neighbour by type and id', async () => {
  expect(await executions(`contexts_r.type = 'system.PipelineRun' AND contexts_r.id = ${contextIds['run-2']}`)).toEqual(
    ['e3'],
  );
});

test('two context aliases must both match', async () => {
  expect(await artifacts("contexts_a.name = 'p' AND contexts_b.name = 'run-2'")).toEqual(['a2']);
});

test('filters with !=', async () => {
  expect(await executions('last_known_state != RUNNING')).toEqual(['e1', 'e2']);
});

test('filters with <= and >=', async () => {
  expect(await artifacts('custom_properties.count.int_value >= 5 AND custom_properties.count.int_value <= 5')).toEqual([
    'a1',
  ]);
});

test('filters with NOT IN over strings', async () => {
  expect(await artifacts("uri NOT IN ('s3://b/run-1/data', 'gs://m/model')")).toEqual(['a2']);
});

test('filters with LIKE', async () => {
  expect(await artifacts("uri LIKE 's3://%'")).toEqual(['a1', 'a2']);
});

test('filters with IS NULL and IS NOT NULL', async () => {
  expect(await artifacts('name IS NULL')).toEqual(['a2', 'a3']);
  expect(await artifacts('external_id IS NOT NULL')).toEqual(['a1']);
});

test('filters with OR and parentheses', async () => {
  expect(await artifacts("(name = 'd1' OR uri = 'gs://m/model') AND state = LIVE")).toEqual(['a1', 'a3']);
});

test('filters with NOT(...)', async () => {
  expect(await artifacts("NOT(uri LIKE 's3://%')")).toEqual(['a3']);
});

test('a mentioned property must exist on the node, even under OR, as with MLMD joins', async () => {
  expect(await artifacts("custom_properties.count.int_value = 5 OR uri = 'gs://m/model'")).toEqual(['a1']);
});

test('the filter applies within a context listing', async () => {
  const reply = await mlmd.call('GetExecutionsByContext', {
    context_id: contextIds['run-1'],
    options: { filter_query: 'last_known_state = CACHED' },
  });
  expect(list(reply.executions).map((e) => executionLabels.get(e.id as unknown as number))).toEqual(['e2']);
});

test('the filter applies to contexts by name, as KFP queries runs', async () => {
  const reply = await mlmd.call('GetContexts', { options: { filter_query: "name = 'run-2'" } });
  expect(list(reply.contexts).map((c) => c.id)).toEqual([contextIds['run-2']]);
});

test('an unsupported neighbour is INVALID_ARGUMENT naming the unsupported filter_query', async () => {
  const error = await mlmd
    .call('GetExecutions', { options: { filter_query: 'events_0.type = INPUT' } })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({
    code: grpc.status.INVALID_ARGUMENT,
    details: stringMatching(/^unsupported filter_query: /),
  });
});

test('a state compared with a quoted string is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('GetArtifacts', { options: { filter_query: "state = 'LIVE'" } })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});

test('== is not an operator', async () => {
  expect(await mlmd.code('GetArtifacts', { options: { filter_query: "name == 'd1'" } })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});

test('a context neighbour on a context listing is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('GetContexts', { options: { filter_query: "contexts_a.name = 'p'" } })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});
