// Call shapes shared by MlmdClient's methods: reads of one repeated field, of one optional
// message, of one page; plus the write-safety and paging rules.
import { status } from '@grpc/grpc-js';
import type { CallOptions, MlmdChannel } from './channel.js';
import { MlmdError } from './errors.js';
import type { ListOptions, Page } from './messages.js';

/**
 * Real MLMD 1.14 fetches at most 101 rows per page and, asked for more than 100, returns 101 rows
 * and no next_page_token (list_operation_query_helper.cc AppendLimitClause): results would be
 * lost silently. The client therefore never asks for more than 100, and asks for 100 by default.
 */
export const MAX_PAGE_SIZE = 100;

/** An insert guarded by a unique key (or an update by id) cannot be duplicated by a retry. */
export const guarded = (node: { id?: number; externalId?: string; name?: string }): boolean =>
  node.id !== undefined || !!node.externalId || !!node.name;

export const maskOf = (paths: string[] | undefined): object => (paths ? { updateMask: { paths } } : {});

function wireListOptions(options: ListOptions = {}): object {
  const size = Math.max(1, Math.min(MAX_PAGE_SIZE, options.maxResultSize ?? MAX_PAGE_SIZE));
  const out: Record<string, unknown> = { maxResultSize: size };
  if (options.orderBy) {
    out.orderByField = { field: options.orderBy.field, isAsc: options.orderBy.isAsc ?? true };
  }
  if (options.nextPageToken) out.nextPageToken = options.nextPageToken;
  if (options.filterQuery) out.filterQuery = options.filterQuery;
  return out;
}

const isNotFound = (error: unknown): boolean => error instanceof MlmdError && error.grpcCode === status.NOT_FOUND;

/** A read returning one repeated field; NOT_FOUND becomes [] when `notFoundIsEmpty`. */
export async function readItems<T>(
  channel: MlmdChannel,
  method: string,
  request: object,
  field: string,
  options?: CallOptions,
  notFoundIsEmpty = false,
): Promise<T[]> {
  try {
    const reply = await channel.call<Record<string, T[] | undefined>>(method, request, true, options);
    return reply[field] ?? [];
  } catch (error) {
    if (notFoundIsEmpty && isNotFound(error)) return [];
    throw error;
  }
}

/** A read returning one optional message; NOT_FOUND becomes undefined when `notFoundIsEmpty`. */
export async function readOne<T>(
  channel: MlmdChannel,
  method: string,
  request: object,
  field: string,
  options?: CallOptions,
  notFoundIsEmpty = false,
): Promise<T | undefined> {
  try {
    return (await channel.call<Record<string, T | undefined>>(method, request, true, options))[field];
  } catch (error) {
    if (notFoundIsEmpty && isNotFound(error)) return undefined;
    throw error;
  }
}

/** A paged read; the list options are always sent so that the server pages. */
export async function readPage<T>(
  channel: MlmdChannel,
  method: string,
  request: object,
  field: string,
  list?: ListOptions,
  options?: CallOptions,
): Promise<Page<T>> {
  const paged = { ...request, options: wireListOptions(list) };
  const reply = await channel.call<Record<string, unknown>>(method, paged, true, options);
  const items = (reply[field] as T[] | undefined) ?? [];
  const token = reply.nextPageToken as string | undefined;
  return token ? { items, nextPageToken: token } : { items };
}

/** Fetches every page of a paged call, in order. */
export async function collectPages<T>(
  fetchPage: (nextPageToken: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const current = await fetchPage(token);
    all.push(...current.items);
    token = current.nextPageToken;
  } while (token);
  return all;
}
