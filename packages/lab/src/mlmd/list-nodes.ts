// Paged, ordered, filtered listing of nodes (ListNodes in rdbms_metadata_access_object.cc and
// ml_metadata/metadata_store/list_operation_query_helper.cc).
import type { Db } from './database.js';
import { ORDER_BY_FIELDS, enumNumber } from './enums.js';
import { compileFilter } from './filter-query/compile.js';
import { FilterQueryError, parseFilterQuery } from './filter-query/parse.js';
import type { NodeKind } from './node-kinds.js';
import { readNodesInOrder } from './node-read.js';
import { invalidArgument } from './status.js';
import type { WireListOptions, WireNode } from './wire.js';

/** constants.h kDefaultMaxListOperationResultSize. */
const MAX_LIST_RESULT_SIZE = 100;
const DEFAULT_MAX_RESULT_SIZE = 20;

export interface ListScope {
  readonly typeId?: number;
  readonly contextId?: number;
}

export interface ListPage {
  readonly nodes: WireNode[];
  readonly nextPageToken: string;
}

interface PageToken {
  readonly field: number;
  readonly asc: boolean;
  readonly fieldOffset: number;
  readonly idOffset: number;
}

const ORDER_COLUMNS: Record<number, string> = {
  1: 'create_time_since_epoch',
  2: 'last_update_time_since_epoch',
  3: 'id',
};

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): PageToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<PageToken>;
    if (
      typeof parsed.field === 'number' &&
      typeof parsed.asc === 'boolean' &&
      typeof parsed.fieldOffset === 'number' &&
      typeof parsed.idOffset === 'number'
    ) {
      return parsed as PageToken;
    }
  } catch {
    // fall through
  }
  throw invalidArgument('Failed to decode next page token string');
}

/** Parses and compiles filter_query; every failure is INVALID_ARGUMENT naming the query. */
function filterSql(kind: NodeKind, query: string): ReturnType<typeof compileFilter> {
  try {
    return compileFilter(kind, parseFilterQuery(query));
  } catch (error) {
    if (error instanceof FilterQueryError) {
      throw invalidArgument(`unsupported filter_query: ${error.reason} (query: ${query})`);
    }
    throw error;
  }
}

export function listNodes(db: Db, kind: NodeKind, options: WireListOptions, scope: ListScope): ListPage {
  const maxResultSize = options.maxResultSize ?? DEFAULT_MAX_RESULT_SIZE;
  if (maxResultSize <= 0) {
    throw invalidArgument(
      `max_result_size field value is required to be greater than 0 and less than or equal to 100. Set value:${maxResultSize}`,
    );
  }
  const field = enumNumber(ORDER_BY_FIELDS, options.orderByField?.field ?? 'ID', 'order_by_field.field');
  const asc = options.orderByField?.isAsc ?? true;
  const column = ORDER_COLUMNS[field];
  if (!column) {
    throw invalidArgument(`Unsupported field: ${ORDER_BY_FIELDS[field] ?? field} specified in ListOperationOptions`);
  }

  const joins: string[] = [];
  const params: unknown[] = [];
  const where: string[] = [];
  if (options.filterQuery) {
    const compiled = filterSql(kind, options.filterQuery);
    joins.push(compiled.joins);
    params.push(...compiled.joinParams);
    where.push(compiled.where);
    params.push(...compiled.whereParams);
  }
  if (scope.typeId !== undefined) {
    where.push('n.type_id = ?');
    params.push(scope.typeId);
  }
  if (scope.contextId !== undefined) {
    const link = kind.table === 'Artifact' ? 'Attribution' : 'Association';
    where.push(`n.id IN (SELECT ${kind.idColumn} FROM ${link} WHERE context_id = ?)`);
    params.push(scope.contextId);
  }
  if (options.nextPageToken) {
    const token = decodeToken(options.nextPageToken);
    // ValidateListOperationOptionsAreIdentical: only the ordering must match between pages.
    if (token.field !== field || token.asc !== asc) {
      throw invalidArgument('ListOperationOptions mismatch between calls: order_by_field changed since the first page');
    }
    const cmp = asc ? '>' : '<';
    if (column === 'id') {
      where.push(`n.id ${cmp} ?`);
      params.push(token.idOffset);
    } else {
      where.push(`(n.${column} ${cmp} ? OR (n.${column} = ? AND n.id ${cmp} ?))`);
      params.push(token.fieldOffset, token.fieldOffset, token.idOffset);
    }
  }
  const dir = asc ? 'ASC' : 'DESC';
  const orderBy = column === 'id' ? `n.id ${dir}` : `n.${column} ${dir}, n.id ${dir}`;
  // AppendLimitClause fetches min(max_result_size + 1, 100 + 1) rows; one extra row means "more".
  // Note the consequence, kept on purpose: asking for more than 100 yields 101 rows and no token.
  const limit = Math.min(maxResultSize + 1, MAX_LIST_RESULT_SIZE + 1);
  const sql = `SELECT DISTINCT n.id AS id, n.${column} AS ord FROM ${kind.table} AS n ${joins.join('\n')}
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ?`;
  const rows = db.prepare(sql).all(...params, limit) as { id: number; ord: number }[];

  let nextPageToken = '';
  if (rows.length > maxResultSize) {
    rows.pop();
    const last = rows[rows.length - 1] as { id: number; ord: number };
    nextPageToken = encodeToken({ field, asc, fieldOffset: last.ord, idOffset: last.id });
  }
  return {
    nodes: readNodesInOrder(
      db,
      kind,
      rows.map((row) => row.id),
    ),
    nextPageToken,
  };
}
