/**
 * One HTTP exchange with a KFP API server. The default goes through Node's global `fetch`. Node
 * 20's fetch cannot be given a CA bundle or told to skip verification without the `undici`
 * package's `Agent`, so those cases use `node:https` with the same interface.
 */
// Looked up per call (see objectstore/direct.ts): test interceptors replace the module's property.
import http from 'node:http';
import https, { type RequestOptions } from 'node:https';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header name → value. */
  headers: Record<string, string>;
  text: string;
}

export type TransportErrorKind = 'timeout' | 'network' | 'tls';

/** A request that got no HTTP answer. `sent` is false when the connection was never made. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    readonly code: string,
    readonly sent: boolean,
  ) {
    super(`${kind} error (${code})`);
    this.name = 'TransportError';
  }
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur; depth++) {
    const c = cur as { code?: unknown; cause?: unknown; name?: unknown };
    if (typeof c.code === 'string') return c.code;
    cur = c.cause;
  }
  return (e as { name?: string }).name ?? 'error';
}

/** Classifies a failure to get an answer. */
export function classify(e: unknown): TransportError {
  if (e instanceof TransportError) return e;
  const name = (e as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return new TransportError('timeout', 'ETIMEDOUT', true);
  const code = errorCode(e);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/i.test(code))
    return new TransportError('tls', code, false);
  return new TransportError('network', code, !NOT_CONNECTED.has(code));
}

export const fetchTransport: Transport = async (req) => {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body ? { body: req.body } : {}),
      signal: AbortSignal.timeout(req.timeoutMs),
      redirect: 'error',
    });
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    return { status: res.status, headers, text };
  } catch (e) {
    throw classify(e);
  }
};

export interface TlsOptions {
  /** PEM certificates trusted for this endpoint (in addition to nothing else: replaces the defaults). */
  ca?: string | Buffer;
  /** Accept any certificate. For test clusters only. */
  insecureSkipTlsVerify?: boolean;
}

/** node:http(s) transport, used when TLS options are needed. */
export function nodeTransport(tls: TlsOptions): Transport {
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const secure = req.url.protocol === 'https:';
      const options: RequestOptions = {
        method: req.method,
        headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.byteLength) } : {}) },
        signal: AbortSignal.timeout(req.timeoutMs),
        ...(secure && tls.ca ? { ca: tls.ca } : {}),
        ...(secure && tls.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
      };
      const r = (secure ? https.request : http.request)(req.url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(classify(e)));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      r.on('error', (e) => reject(classify(e)));
      if (req.body) r.write(req.body);
      r.end();
    });
}

export function transportFor(tls: TlsOptions): Transport {
  return tls.ca || tls.insecureSkipTlsVerify ? nodeTransport(tls) : fetchTransport;
}
