/**
 * List requests as the API server answers them: `filter` (URL-encoded JSON `Filter`), `sort_by`,
 * `page_size`, `page_token`. Mirrors `backend/src/apiserver/server/list_request_util.go`
 * (`parseAPIFilter`, `validatedListOptions`), `backend/src/apiserver/filter/filter.go` (predicate
 * checks, AND of all predicates) and `backend/src/apiserver/list/list.go` (default page size 20,
 * max 200, keyset pagination ordered by the sort field then the primary key, an opaque base64
 * token that carries the sort and filter, which a later request may not contradict).
 */
import { ApiError, invalidArgument } from './api-error.js';
import type { Db } from './db.js';
import { FilterV1Msg, FilterV2Msg } from './messages.js';
import { decodeMessage, isJsonObject, num, obj, str, type JsonObject } from './proto-json.js';

export type ApiVersion = 'v1beta1' | 'v2beta1';
type Scalar = string | number;

export interface Listable {
  readonly table: string;
  /** Type name used in messages, as KFP names the listable (`Run`, `Task`, ...). */
  readonly model: string;
  /** API field name → SQL column (KFP's `APIToModelFieldMap`). */
  readonly fields: Readonly<Record<string, string>>;
  readonly defaultSortColumn: string;
}

export interface ListRequest {
  filter?: string | undefined;
  pageToken?: string | undefined;
  pageSize?: number | undefined;
  sortBy?: string | undefined;
}

/** An extra SQL condition a handler adds (namespace, experiment, parent pipeline). */
export interface Condition {
  sql: string;
  params: Scalar[];
}

export interface Page<Row> {
  rows: Row[];
  totalSize: number;
  nextPageToken: string;
}

type Operation =
  | 'EQUALS'
  | 'NOT_EQUALS'
  | 'GREATER_THAN'
  | 'GREATER_THAN_EQUALS'
  | 'LESS_THAN'
  | 'LESS_THAN_EQUALS'
  | 'IN'
  | 'IS_SUBSTRING';
const SQL_OPS: Record<Exclude<Operation, 'IN' | 'IS_SUBSTRING'>, string> = {
  EQUALS: '=',
  NOT_EQUALS: '<>',
  GREATER_THAN: '>',
  GREATER_THAN_EQUALS: '>=',
  LESS_THAN: '<',
  LESS_THAN_EQUALS: '<=',
};

interface Predicate {
  op: Operation;
  column: string;
  value: Scalar | Scalar[];
}

interface Options {
  sort: string;
  desc: boolean;
  filter: Predicate[];
  pageSize: number;
  after?: { sortValue: Scalar; key: string };
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;

/** Go's `url.QueryUnescape`, which KFP applies to the already-decoded `filter` parameter. */
function queryUnescape(s: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) throw new Error('invalid URL escape');
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

function predicateValue(p: JsonObject): Scalar | Scalar[] | undefined {
  if ('string_value' in p) return str(p, 'string_value');
  if ('int_value' in p) return num(p, 'int_value');
  if ('long_value' in p) return Number(str(p, 'long_value'));
  if ('timestamp_value' in p) return num(p, 'timestamp_value');
  for (const list of ['int_values', 'long_values', 'string_values']) {
    const values = obj(p, list)?.['values'];
    const asString = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    if (list in p)
      return Array.isArray(values) ? values.map((v) => (list === 'string_values' ? asString(v) : Number(v))) : [];
  }
  return undefined;
}

/** `filter.go` `checkPredicate`: IN takes a list, IS_SUBSTRING a string, the rest a scalar. */
function checkPredicate(op: Operation, value: Scalar | Scalar[]): void {
  if (op === 'IN') {
    if (!Array.isArray(value))
      throw invalidArgument(`cannot use IN operator with scalar type ${typeof value === 'string' ? 'string' : 'int'}`);
  } else if (op === 'IS_SUBSTRING') {
    if (typeof value !== 'string') throw invalidArgument(`cannot use non string value type with operator ${op}`);
  } else if (Array.isArray(value)) {
    throw invalidArgument(`cannot use scalar operator ${op} on array type`);
  }
}

function parseFilter(listable: Listable, encoded: string, version: ApiVersion): Predicate[] {
  const parseError = (why: string): ApiError =>
    invalidArgument(`failed to parse valid filter from ${JSON.stringify(encoded)}: ${why}`);
  let json: unknown;
  try {
    // list_request_util.go transformJSONForBackwardCompatibility: camelCase value names accepted.
    json = JSON.parse(queryUnescape(encoded));
  } catch (e) {
    throw parseError((e as Error).message);
  }
  let decoded: JsonObject;
  try {
    decoded = decodeMessage(version === 'v2beta1' ? FilterV2Msg : FilterV1Msg, json);
  } catch (e) {
    throw e instanceof ApiError ? parseError(e.external) : e;
  }
  const raw = decoded['predicates'];
  const predicates: Predicate[] = [];
  for (const p of Array.isArray(raw) ? raw : []) {
    if (!isJsonObject(p)) continue;
    const op = str(p, version === 'v2beta1' ? 'operation' : 'op');
    const key = str(p, 'key');
    const value = predicateValue(p);
    if (op === '' || op === 'OPERATION_UNSPECIFIED' || op === 'UNKNOWN')
      throw invalidArgument(`invalid predicate operation: ${op || 'unspecified'}`);
    if (value === undefined) throw invalidArgument(`Predicate value cannot be empty for key ${JSON.stringify(key)}`);
    if (key === '')
      throw invalidArgument(`Predicate key cannot be empty for operation ${op} and value ${JSON.stringify(value)}`);
    checkPredicate(op as Operation, value);
    const column = listable.fields[key];
    if (column === undefined)
      throw invalidArgument(`no support for filtering on unrecognized field ${JSON.stringify(key)}`);
    predicates.push({ op: op as Operation, column, value });
  }
  return predicates;
}

function pageSizeOf(n: number | undefined): number {
  const size = n ?? 0;
  if (!Number.isInteger(size) || size < 0)
    throw invalidArgument(`The page size should be greater than 0. Got ${String(n)}`);
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}

function newOptions(listable: Listable, req: ListRequest, version: ApiVersion): Options {
  // list.go NewOptions lower-cases the whole sort_by string before looking the field up.
  const words = (req.sortBy ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length > 2 || (words.length === 2 && words[1] !== 'asc' && words[1] !== 'desc')) {
    throw invalidArgument(
      `Received invalid sort by format ${JSON.stringify(req.sortBy)}. Supported format: "field_name", "field_name desc", or "field_name asc"`,
    );
  }
  let sort = listable.defaultSortColumn;
  if (words[0] !== undefined) {
    const column = listable.fields[words[0]];
    if (column === undefined)
      throw invalidArgument(`Invalid sorting field: ${JSON.stringify(words[0])} on listable type ${listable.model}`);
    sort = column;
  }
  const filter = req.filter ? parseFilter(listable, req.filter, version) : [];
  return { sort, desc: words[1] === 'desc', filter, pageSize: pageSizeOf(req.pageSize) };
}

function encodeToken(o: Options): string {
  return Buffer.from(JSON.stringify({ s: o.sort, d: o.desc, f: o.filter, a: o.after })).toString('base64');
}

function decodeToken(listable: Listable, token: string, pageSize: number): Options {
  const bad = (): ApiError => invalidArgument('Invalid page token');
  let t: unknown;
  try {
    t = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw bad();
  }
  const columns = new Set([...Object.values(listable.fields), listable.defaultSortColumn]);
  if (
    !isJsonObject(t) ||
    typeof t['s'] !== 'string' ||
    !columns.has(t['s']) ||
    typeof t['d'] !== 'boolean' ||
    !Array.isArray(t['f'])
  )
    throw bad();
  const filter: Predicate[] = [];
  for (const p of t['f']) {
    if (!isJsonObject(p) || typeof p['column'] !== 'string' || !columns.has(p['column']) || typeof p['op'] !== 'string')
      throw bad();
    if (!(p['op'] in SQL_OPS) && p['op'] !== 'IN' && p['op'] !== 'IS_SUBSTRING') throw bad();
    const v = p['value'];
    const scalar = (x: unknown): x is Scalar => typeof x === 'string' || typeof x === 'number';
    if (!(scalar(v) || (Array.isArray(v) && v.every(scalar)))) throw bad();
    filter.push({ op: p['op'] as Operation, column: p['column'], value: v });
  }
  const a = t['a'];
  let after: Options['after'];
  if (a !== undefined) {
    if (
      !isJsonObject(a) ||
      typeof a['key'] !== 'string' ||
      !(typeof a['sortValue'] === 'string' || typeof a['sortValue'] === 'number')
    )
      throw bad();
    after = { sortValue: a['sortValue'], key: a['key'] };
  }
  return { sort: t['s'], desc: t['d'], filter, pageSize, ...(after ? { after } : {}) };
}

/** `validatedListOptions`: a page token carries the query; a request may repeat it, not change it. */
export function listOptions(listable: Listable, req: ListRequest, version: ApiVersion): Options {
  if (!req.pageToken) return newOptions(listable, req, version);
  const fromToken = decodeToken(listable, req.pageToken, pageSizeOf(req.pageSize));
  if (req.sortBy || req.filter) {
    const fresh = newOptions(listable, req, version);
    if (
      fresh.sort !== fromToken.sort ||
      fresh.desc !== fromToken.desc ||
      JSON.stringify(fresh.filter) !== JSON.stringify(fromToken.filter)
    ) {
      throw invalidArgument(
        'page token does not match the supplied sort by and/or filtering criteria. ' +
          'Either specify the same criteria or leave the latter empty if page token is specified',
      );
    }
  }
  return fromToken;
}

function filterConditions(filter: Predicate[]): Condition[] {
  return filter.map((p): Condition => {
    if (p.op === 'IN') {
      const values = p.value as Scalar[];
      return values.length === 0
        ? { sql: '(1=0)', params: [] }
        : { sql: `${p.column} IN (${values.map(() => '?').join(', ')})`, params: values };
    }
    if (p.op === 'IS_SUBSTRING') return { sql: `${p.column} LIKE ?`, params: [`%${String(p.value)}%`] };
    return { sql: `${p.column} ${SQL_OPS[p.op]} ?`, params: [p.value as Scalar] };
  });
}

function where(conditions: Condition[]): { sql: string; params: Scalar[] } {
  if (conditions.length === 0) return { sql: '', params: [] };
  return {
    sql: ` WHERE ${conditions.map((c) => `(${c.sql})`).join(' AND ')}`,
    params: conditions.flatMap((c) => c.params),
  };
}

/** Lists rows of a table with KFP's filter, sort and pagination, plus the handler's own conditions. */
export function listRows<Row extends { uuid: string }>(
  db: Db,
  listable: Listable,
  req: ListRequest,
  version: ApiVersion,
  extra: Condition[],
): Page<Row> {
  const o = listOptions(listable, req, version);
  const base = [...extra, ...filterConditions(o.filter)];
  const count = where(base);
  const total = (
    db.prepare(`SELECT count(*) AS n FROM ${listable.table}${count.sql}`).get(...count.params) as { n: number }
  ).n;
  const paged = [...base];
  if (o.after) {
    const cmp = o.desc ? '<' : '>';
    paged.push({
      sql: `${o.sort} ${cmp} ? OR (${o.sort} = ? AND uuid ${cmp}= ?)`,
      params: [o.after.sortValue, o.after.sortValue, o.after.key],
    });
  }
  const w = where(paged);
  const dir = o.desc ? 'DESC' : 'ASC';
  const rows = db
    .prepare(`SELECT * FROM ${listable.table}${w.sql} ORDER BY ${o.sort} ${dir}, uuid ${dir} LIMIT ?`)
    .all(...w.params, o.pageSize + 1) as Row[];
  let nextPageToken = '';
  if (rows.length > o.pageSize) {
    const next = rows[o.pageSize] as Row & Record<string, unknown>;
    const sortValue = next[o.sort];
    nextPageToken = encodeToken({
      ...o,
      after: { sortValue: typeof sortValue === 'number' ? sortValue : String(sortValue), key: next.uuid },
    });
    rows.length = o.pageSize;
  }
  return { rows, totalSize: total, nextPageToken };
}
