/** Request/response plumbing for the emulated API server (node:http). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, invalidArgument } from './api-error.js';
import type { ListRequest } from './listing.js';
import type { JsonValue } from './proto-json.js';

/** The upload endpoints accept files up to 32 MiB (`common.MaxFileLength`); JSON bodies likewise. */
export const MAX_BODY_BYTES = 32 << 20;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw invalidArgument(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** grpc-gateway decodes an empty body as an empty message; anything else must be JSON. */
export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw invalidArgument(`proto: syntax error: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: JsonValue): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendApiError(res: ServerResponse, err: ApiError): void {
  const headers: Record<string, string> = {};
  // grpc-gateway sets WWW-Authenticate to the status message for UNAUTHENTICATED.
  if (err.httpStatus === 401) headers['www-authenticate'] = 'Bearer';
  const text = JSON.stringify(err.toStatusBody());
  res.writeHead(err.httpStatus, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** grpc-gateway's query parsing of an int32 field. */
export function queryInt32(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw invalidArgument(`parsing field "${name}": strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

export function queryString(query: URLSearchParams, name: string): string {
  return query.get(name) ?? '';
}

/** The list parameters every List call takes. */
export function listRequest(q: URLSearchParams): ListRequest {
  return {
    filter: queryString(q, 'filter'),
    pageToken: queryString(q, 'page_token'),
    pageSize: queryInt32(q, 'page_size'),
    sortBy: queryString(q, 'sort_by'),
  };
}
