import { afterAll, beforeAll, expect, test } from 'vitest';
import { grpc, list, putBasicTypes, startRaw, type RawMlmd, type Reply } from './raw-client.js';

let mlmd: RawMlmd;
let ids: number[];
beforeAll(async () => {
  mlmd = await startRaw();
  const types = await putBasicTypes(mlmd);
  const executions = Array.from({ length: 250 }, (_, i) => ({
    type_id: types.executionType,
    custom_properties: { index: { int_value: i } },
  }));
  const reply = await mlmd.call('PutExecutions', { executions });
  ids = list(reply.execution_ids) as unknown as number[];
});
afterAll(() => mlmd.close());

async function allPages(options: Record<string, unknown>): Promise<{ ids: number[]; pages: number }> {
  const seen: number[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const reply: Reply = await mlmd.call('GetExecutions', { options: { ...options, next_page_token: token } });
    seen.push(...list(reply.executions).map((e) => e.id as unknown as number));
    token = (reply.next_page_token as unknown as string | undefined) || undefined;
    pages += 1;
  } while (token);
  return { ids: seen, pages };
}

test('page tokens walk all 250 executions in id order without repeats', async () => {
  const result = await allPages({ max_result_size: 100 });
  expect(result).toEqual({ ids, pages: 3 });
});

test('the default page size is 20', async () => {
  const reply = await mlmd.call('GetExecutions', { options: {} });
  expect([list(reply.executions).length, typeof reply.next_page_token]).toEqual([20, 'string']);
});

test('descending order by create time walks the executions newest first', async () => {
  const result = await allPages({ max_result_size: 70, order_by_field: { field: 'CREATE_TIME', is_asc: false } });
  expect(result.ids).toEqual([...ids].reverse());
});

test('ordering by last update time pages through every execution once', async () => {
  const result = await allPages({ max_result_size: 30, order_by_field: { field: 'LAST_UPDATE_TIME' } });
  expect([...result.ids].sort((a, b) => a - b)).toEqual(ids);
});

test('a page size above 100 is served as MLMD 1.14 does: 101 rows and no next page token', async () => {
  const reply = await mlmd.call('GetExecutions', { options: { max_result_size: 150 } });
  expect([list(reply.executions).length, reply.next_page_token]).toEqual([101, undefined]);
});

test('a page size of 0 is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('GetExecutions', { options: { max_result_size: 0 } })).toBe(grpc.status.INVALID_ARGUMENT);
});

test('a page token reused with a different ordering is INVALID_ARGUMENT', async () => {
  const first = await mlmd.call('GetExecutions', { options: { max_result_size: 10 } });
  const code = await mlmd.code('GetExecutions', {
    options: { max_result_size: 10, next_page_token: first.next_page_token, order_by_field: { field: 'CREATE_TIME' } },
  });
  expect(code).toBe(grpc.status.INVALID_ARGUMENT);
});

test('a garbled page token is INVALID_ARGUMENT', async () => {
  expect(await mlmd.code('GetExecutions', { options: { next_page_token: 'not-a-token' } })).toBe(
    grpc.status.INVALID_ARGUMENT,
  );
});

test('without options the list call returns every execution at once', async () => {
  const reply = await mlmd.call('GetExecutions', {});
  expect(list(reply.executions)).toHaveLength(250);
});

test('listing by type pages and filters within the type', async () => {
  const reply = await mlmd.call('GetExecutionsByType', {
    type_name: 'system.ContainerExecution',
    options: { max_result_size: 5, filter_query: 'custom_properties.index.int_value >= 100' },
  });
  expect(list(reply.executions).map((e) => e.custom_properties?.index?.int_value)).toEqual([100, 101, 102, 103, 104]);
});

test('listing by a missing type answers OK and empty', async () => {
  const reply = await mlmd.call('GetExecutionsByType', { type_name: 'nope', options: {} });
  expect(list(reply.executions)).toEqual([]);
});
