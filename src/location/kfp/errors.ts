/**
 * The error every KFP client failure becomes: which location, which operation, what happened and
 * what to do. Messages never contain a token (the client scrubs it from server text too).
 */
import { UserError } from '../../errors/user-error.js';

export type KfpErrorKind =
  /** The server answered with an error status. */
  | 'http'
  /** No answer within the time-out. */
  | 'timeout'
  /** The connection could not be made or broke. */
  | 'network'
  /** The server's certificate was not trusted. */
  | 'tls'
  /** No usable token. */
  | 'auth-config'
  /** A 2xx answer that is not the JSON expected. */
  | 'invalid-response';

export interface KfpErrorInit {
  location: string;
  operation: string;
  kind: KfpErrorKind;
  /** HTTP status, when the server answered. */
  status?: number;
  /** What went wrong, in one sentence (server message, error code...). */
  detail: string;
  /** What to do about it. */
  hint: string;
  attempts: number;
  /** The gRPC code from a `google.rpc.Status` body, when there was one. */
  grpcCode?: number;
}

export class KfpError extends UserError {
  override readonly location: string;
  override readonly operation: string;
  readonly kind: KfpErrorKind;
  readonly status: number | undefined;
  readonly detail: string;
  readonly hint: string;
  readonly attempts: number;
  readonly grpcCode: number | undefined;

  constructor(init: KfpErrorInit) {
    const status = init.status !== undefined ? ` (HTTP ${init.status})` : '';
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : '';
    super(`KFP at location "${init.location}": ${init.operation} failed${status}${tries}: ${init.detail}`, {
      code: 'kfp-request',
      location: init.location,
      operation: init.operation,
      advice: init.hint || undefined,
    });
    this.name = 'KfpError';
    this.location = init.location;
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status;
    this.detail = init.detail;
    this.hint = init.hint;
    this.attempts = init.attempts;
    this.grpcCode = init.grpcCode;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }
}

export interface HintContext {
  endpoint: string;
  namespace?: string;
  /** Where the token comes from (`$VAR`, file...), or undefined when no token is configured. */
  tokenSource?: string;
  timeoutMs: number;
}

/** What to do about an HTTP error status. */
export function hintForStatus(status: number, ctx: HintContext): string {
  switch (status) {
    case 400:
      return 'The server rejected the request as invalid; check the pipeline package, parameters and names sent';
    case 401:
      return ctx.tokenSource
        ? `Check the token in ${ctx.tokenSource}: it is missing, expired or not accepted by this KFP`
        : 'This KFP requires authentication: configure a token for the location (auth.tokenEnv or a token file)';
    case 403:
      return (
        `The token's identity may not do this${ctx.namespace ? ` in namespace "${ctx.namespace}"` : ''}: ` +
        "check the namespace and the identity's access (Kubeflow profile contributor / RBAC)"
      );
    case 404:
      return (
        `It does not exist at this location, or ${ctx.endpoint} is not the KFP API root ` +
        `(it should be the URL under which /apis/v2beta1 is served)`
      );
    case 409:
      return 'It already exists at this location';
    case 429:
    case 502:
    case 503:
    case 504:
      return 'KFP is overloaded or unavailable; retry later, or raise the client retries';
    default:
      return status >= 500
        ? 'KFP failed internally; check the API server logs (ml-pipeline) at this location'
        : 'Check the request and the location configuration';
  }
}
