// Kubernetes API failures as values with context: which location, which operation, and what to do.
import { ApiException } from '@kubernetes/client-node';
import { UserError } from '../../errors/user-error.js';

export type KubeOperation =
  | 'configure'
  | 'read-lease'
  | 'create-lease'
  | 'update-lease'
  | 'acquire-lock'
  | 'renew-lock'
  | 'release-lock'
  | 'create-job'
  | 'read-job'
  | 'delete-job'
  | 'list-pods'
  | 'read-log';

export interface KubeErrorInit {
  location: string;
  operation: KubeOperation;
  message: string;
  /** HTTP status of the API server's answer, when there was one. */
  status?: number;
  /** The `reason` of the API server's Status (`Conflict`, `Forbidden`, …) or a Node error code. */
  reason?: string;
  cause?: unknown;
}

export class KubeError extends UserError {
  override readonly location: string;
  override readonly operation: KubeOperation;
  readonly status: number | undefined;
  readonly reason: string | undefined;

  constructor(init: KubeErrorInit) {
    super(`kubernetes '${init.location}': ${init.operation}: ${init.message}`, {
      code: 'kubernetes',
      location: init.location,
      operation: init.operation,
      cause: init.cause,
    });
    this.name = 'KubeError';
    this.location = init.location;
    this.operation = init.operation;
    this.status = init.status;
    this.reason = init.reason;
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body === 'object' && body !== null) return body;
  if (typeof body !== 'string') return {};
  try {
    return JSON.parse(body) as StatusBody;
  } catch {
    return { message: body.slice(0, 200) };
  }
}

function hint(status: number | undefined, reason: string | undefined): string {
  if (status === 401) return 'the credentials were rejected; check the kubeconfig user or token';
  if (status === 403)
    return 'the user may not manage leases.coordination.k8s.io in this namespace; grant get/create/update on leases';
  if (status === 404 && reason === undefined) return 'check the server URL of the kubeconfig context';
  if (reason === 'ECONNREFUSED' || reason === 'ENOTFOUND' || reason === 'EAI_AGAIN') {
    return 'the API server is unreachable; check the kubeconfig context and network';
  }
  return '';
}

/** The HTTP status of an ApiException (or undefined for network errors). */
export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

export function toKubeError(err: unknown, location: string, operation: KubeOperation, what: string): KubeError {
  if (err instanceof KubeError) return err;
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    // client-node drops the body of answers its OpenAPI spec declares without one (401), keeping
    // only the reason phrase as the exception message.
    const reason = status.reason ?? (err.code === 401 ? 'Unauthorized' : undefined);
    const detail = [`HTTP ${err.code}`, reason, status.message].filter(Boolean).join(' ');
    const message = [`${what}: ${detail}`, hint(err.code, reason)].filter(Boolean).join(' — ');
    return new KubeError({ location, operation, message, status: err.code, reason, cause: err });
  }
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const text = typeof e?.message === 'string' ? e.message : String(err);
  const message = [`${what}: ${text}`, hint(undefined, code)].filter(Boolean).join(' — ');
  return new KubeError({ location, operation, message, reason: code, cause: err });
}
