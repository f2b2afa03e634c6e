/**
 * The request loop under every KFP client call: headers (bearer token, optional user-id header),
 * time-out per attempt, retries with back-off honouring Retry-After, and the translation of every
 * failure into a `KfpError` that names the location and the operation and never holds the token.
 */
import { TokenUnavailableError, type TokenProvider } from './auth.js';
import { hintForStatus, KfpError } from './errors.js';
import { backoffMs, retryableStatus, retryableTransportError, retryAfterMs, type RetryPolicy } from './retry.js';
import { TransportError, transportFor, type HttpResponse, type Transport } from './transport.js';

export interface RetryEvent {
  location: string;
  operation: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  /** `HTTP 503`, `network ECONNRESET`, ... */
  reason: string;
}

export interface KfpHttpOptions {
  location: string;
  /** The KFP API server's own HTTP root, e.g. `http://ml-pipeline.kubeflow:8888`; `/apis/...` is appended. */
  endpoint: string;
  namespace?: string;
  tokenProvider?: TokenProvider;
  userIdHeader?: { name: string; value: string };
  caBundle?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Replaces the wait between attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (e: RetryEvent) => void;
  /** Replaces the HTTP transport (tests). */
  transport?: Transport;
}

export interface CallSpec {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the endpoint, starting with `/apis/`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  multipart?: { body: Uint8Array; contentType: string };
  /** Safe to repeat after an answer that may have been acted on. */
  idempotent: boolean;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The server's own words from an error body: grpc-gateway `message`, upload `error_message`, v1 `error`, or text. */
function serverMessage(res: HttpResponse): { message: string; grpcCode?: number } {
  try {
    const body = JSON.parse(res.text) as Record<string, unknown>;
    const message = [body['message'], body['error_message'], body['error']].find(
      (m): m is string => typeof m === 'string' && m !== '',
    );
    const code = typeof body['code'] === 'number' ? body['code'] : undefined;
    if (message) return code !== undefined ? { message, grpcCode: code } : { message };
  } catch {
    // not JSON
  }
  const text = res.text.trim().replace(/\s+/g, ' ');
  return { message: text === '' ? 'no message' : text.length > 500 ? `${text.slice(0, 500)}…` : text };
}

export class KfpHttp {
  private readonly transport: Transport;
  private readonly base: string;

  constructor(readonly opts: KfpHttpOptions) {
    this.transport =
      opts.transport ??
      transportFor({
        ...(opts.caBundle ? { ca: opts.caBundle } : {}),
        ...(opts.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
      });
    this.base = opts.endpoint.replace(/\/+$/, '');
  }

  private fail(
    spec: CallSpec,
    init: Omit<ConstructorParameters<typeof KfpError>[0], 'location' | 'operation'>,
    token: string | undefined,
  ): KfpError {
    const scrub = (s: string): string => (token ? s.split(token).join('***') : s);
    return new KfpError({
      ...init,
      location: this.opts.location,
      operation: spec.operation,
      detail: scrub(init.detail),
      hint: scrub(init.hint),
    });
  }

  private url(spec: CallSpec): URL {
    const url = new URL(`${this.base}${spec.path}`);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    return url;
  }

  /** Performs the call; resolves with the parsed JSON body of a 2xx answer. */
  async call(spec: CallSpec): Promise<unknown> {
    const { opts } = this;
    let token: string | undefined;
    if (opts.tokenProvider) {
      try {
        token = await opts.tokenProvider.getToken();
      } catch (e) {
        const detail =
          e instanceof TokenUnavailableError ? e.message : `cannot get the token from ${opts.tokenProvider.source}`;
        throw this.fail(
          spec,
          { kind: 'auth-config', detail, hint: `Provide the token in ${opts.tokenProvider.source}`, attempts: 0 },
          undefined,
        );
      }
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (opts.userIdHeader) headers[opts.userIdHeader.name.toLowerCase()] = opts.userIdHeader.value;
    let body: Uint8Array | undefined;
    if (spec.multipart) {
      headers['content-type'] = spec.multipart.contentType;
      body = spec.multipart.body;
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = new TextEncoder().encode(JSON.stringify(spec.json));
    }
    const hintCtx = {
      endpoint: this.base,
      timeoutMs: opts.timeoutMs,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.tokenProvider ? { tokenSource: opts.tokenProvider.source } : {}),
    };
    const sleep = opts.sleep ?? defaultSleep;
    const url = this.url(spec);
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.transport({
          method: spec.method,
          url,
          headers,
          ...(body ? { body } : {}),
          timeoutMs: opts.timeoutMs,
        });
      } catch (e) {
        const err = e instanceof TransportError ? e : new TransportError('network', 'error', true);
        if (attempt <= opts.retry.retries && retryableTransportError(err, spec.idempotent)) {
          const delayMs = backoffMs(attempt, opts.retry);
          opts.onRetry?.({
            location: opts.location,
            operation: spec.operation,
            attempt,
            delayMs,
            reason: `${err.kind} ${err.code}`,
          });
          await sleep(delayMs);
          continue;
        }
        throw this.fail(spec, this.transportFailure(err, spec, attempt), token);
      }
      if (res.status >= 200 && res.status < 300) {
        if (res.text.trim() === '') return {};
        try {
          return JSON.parse(res.text) as unknown;
        } catch {
          throw this.fail(
            spec,
            {
              kind: 'invalid-response',
              status: res.status,
              detail: 'the answer is not JSON',
              hint: `Check that ${this.base} is a KFP API endpoint`,
              attempts: attempt,
            },
            token,
          );
        }
      }
      const { message, grpcCode } = serverMessage(res);
      if (attempt <= opts.retry.retries && retryableStatus(res.status, spec.idempotent)) {
        const asked = retryAfterMs(res.headers['retry-after']);
        if (asked === undefined || asked <= opts.retry.maxDelayMs) {
          const delayMs = Math.max(asked ?? 0, backoffMs(attempt, opts.retry));
          opts.onRetry?.({
            location: opts.location,
            operation: spec.operation,
            attempt,
            delayMs,
            reason: `HTTP ${res.status}`,
          });
          await sleep(delayMs);
          continue;
        }
        const hint =
          `The server asked to wait ${Math.round(asked / 1000)} s (Retry-After), ` +
          `longer than the client's ${opts.retry.maxDelayMs} ms limit; retry later`;
        throw this.fail(
          spec,
          {
            kind: 'http',
            status: res.status,
            detail: message,
            hint,
            attempts: attempt,
            ...(grpcCode !== undefined ? { grpcCode } : {}),
          },
          token,
        );
      }
      throw this.fail(
        spec,
        {
          kind: 'http',
          status: res.status,
          detail: message,
          hint: hintForStatus(res.status, hintCtx),
          attempts: attempt,
          ...(grpcCode !== undefined ? { grpcCode } : {}),
        },
        token,
      );
    }
  }

  private transportFailure(
    err: TransportError,
    spec: CallSpec,
    attempts: number,
  ): Omit<ConstructorParameters<typeof KfpError>[0], 'location' | 'operation'> {
    const mayHaveActed =
      err.sent && !spec.idempotent ? ' The request may have been carried out: check before repeating it.' : '';
    switch (err.kind) {
      case 'timeout':
        return {
          kind: 'timeout',
          detail: `no answer within ${this.opts.timeoutMs} ms`,
          hint: `Check that ${this.base} is reachable, or raise the time-out.${mayHaveActed}`,
          attempts,
        };
      case 'tls':
        return {
          kind: 'tls',
          detail: `the server's certificate is not trusted (${err.code})`,
          hint: 'Set caBundle to the CA that signed the KFP endpoint certificate',
          attempts,
        };
      default:
        return {
          kind: 'network',
          detail: `cannot talk to ${this.base} (${err.code})`,
          hint: `Check the endpoint URL and that KFP is up.${mayHaveActed}`,
          attempts,
        };
    }
  }
}
