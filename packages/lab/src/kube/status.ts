// Kubernetes `Status` objects (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/
// types.go `Status`), with the messages the API server writes (…/apimachinery/pkg/api/errors/
// errors.go `NewNotFound`, `NewAlreadyExists`, `NewConflict`, `NewInvalid`), so that clients that
// match on `reason`/`code` behave as against a real cluster.

export const GROUP = 'coordination.k8s.io';
export const RESOURCE = 'leases';
const QUALIFIED = `${RESOURCE}.${GROUP}`;

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  /** HTTP status; omitted on success, as the generic registry's delete answer has none. */
  code?: number;
}

/** A failure answer; route handlers throw it and the server writes it as the response. */
export class StatusError extends Error {
  readonly httpStatus: number;
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'Failure');
    this.httpStatus = status.code ?? 500;
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

const leaseDetails = (name: string) => ({ name, group: GROUP, kind: RESOURCE });

export const notFound = (name: string) =>
  failure(404, 'NotFound', `${QUALIFIED} "${name}" not found`, leaseDetails(name));

export const alreadyExists = (name: string) =>
  failure(409, 'AlreadyExists', `${QUALIFIED} "${name}" already exists`, leaseDetails(name));

export const conflict = (
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
) => failure(409, 'Conflict', `Operation cannot be fulfilled on ${QUALIFIED} "${name}": ${why}`, leaseDetails(name));

export const badRequest = (message: string) => failure(400, 'BadRequest', message);

/** 422 Invalid; `kind` is `Lease` for validation errors, `leases` for the registry's own checks. */
export const invalid = (name: string, causes: StatusCause[], kind: 'Lease' | 'leases' = 'Lease') =>
  failure(
    422,
    'Invalid',
    `${kind}.${GROUP} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    { name, group: GROUP, kind, causes },
  );

export const unauthorized = () => failure(401, 'Unauthorized', 'Unauthorized');

export const pathNotFound = () => failure(404, 'NotFound', 'the server could not find the requested resource', {});

export const methodNotAllowed = (method: string) =>
  failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {});

export const unsupportedMediaType = (type: string) =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - ` +
      `accepted media types include: application/json-patch+json, application/merge-patch+json, ` +
      `application/strategic-merge-patch+json (got ${type})`,
  );

/** The answer to a delete (apiserver/pkg/registry/generic/registry/store.go `finalizeDelete`). */
export function deleted(name: string, uid: string): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: GROUP, kind: RESOURCE, uid },
  };
}

/**
 * The same answers for any resource (`jobs.batch`, `pods`, `secrets`): core resources have an
 * empty group and are named without a suffix (apimachinery errors.go `NewNotFound` formats
 * `qualifiedResource.String()`).
 */
export function resourceErrors(group: string, resource: string) {
  const qualified = group === '' ? resource : `${resource}.${group}`;
  const details = (name: string) => ({ name, group, kind: resource });
  return {
    notFound: (name: string) => failure(404, 'NotFound', `${qualified} "${name}" not found`, details(name)),
    alreadyExists: (name: string) =>
      failure(409, 'AlreadyExists', `${qualified} "${name}" already exists`, details(name)),
    invalid: (name: string, kind: string, causes: StatusCause[]) =>
      failure(
        422,
        'Invalid',
        `${kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
        { name, group, kind, causes },
      ),
    deleted: (name: string, uid: string): Status => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group, kind: resource, uid },
    }),
  };
}
