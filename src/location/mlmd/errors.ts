// A failed MLMD call, as a value with context: which location, which call, what happened, and
// what the user can do about it.
import { status } from '@grpc/grpc-js';
import { UserError } from '../../errors/user-error.js';

/** gRPC status names (grpc.status keys), e.g. 'ALREADY_EXISTS'. */
export type MlmdErrorCode = keyof typeof status;

const HINTS: Partial<Record<MlmdErrorCode, string>> = {
  UNAVAILABLE:
    'the metadata service could not be reached; check that metadata-grpc-service is running and ' +
    'that this address is reachable (port-forward, VPN, network policy), then re-run',
  DEADLINE_EXCEEDED: 'no answer before the deadline; the service may be overloaded — retry later or raise the deadline',
  ALREADY_EXISTS:
    'an entity with the same external_id or (type, name) is already stored; look it up instead of inserting it again',
  NOT_FOUND: 'the referenced metadata does not exist at this location',
  INVALID_ARGUMENT:
    'the metadata service rejected the request as malformed; this is likely a split-pipelines bug — please report it with this message',
  FAILED_PRECONDITION: 'the stored metadata changed concurrently; re-run to pick up the new state',
  ABORTED: 'the metadata transaction was aborted by a concurrent writer; re-run',
  UNIMPLEMENTED: 'the server does not implement this call; check that the location runs ML Metadata 1.14 (KFP 2.x)',
  UNAUTHENTICATED: 'check the TLS/credential settings configured for this location',
  PERMISSION_DENIED: 'check the TLS/credential settings configured for this location',
  INTERNAL: 'the metadata server failed internally; check the metadata-grpc-deployment logs',
  UNKNOWN: 'the metadata server failed; check the metadata-grpc-deployment logs',
};

export function codeName(code: status): MlmdErrorCode {
  const entry = Object.entries(status).find(([, value]) => value === code);
  return (entry?.[0] ?? 'UNKNOWN') as MlmdErrorCode;
}

export interface MlmdErrorInit {
  location: string;
  address: string;
  operation: string;
  code: status;
  details: string;
  attempts: number;
}

/**
 * MLMD 1.14 maps unique-key violations to ALREADY_EXISTS for nodes, events and parent links, but
 * a duplicate type external_id escapes as INTERNAL carrying the database's message ("Duplicate
 * entry … for key 'UniqueTypeExternalId'" on MySQL; IsUniqueConstraintViolated in
 * rdbms_metadata_access_object.cc only covers the other paths). Such errors are reported as
 * ALREADY_EXISTS so callers handle every duplicate the same way.
 */
function effectiveCode(code: status, details: string): status {
  const duplicate = /duplicate entry|duplicate key|unique constraint/i.test(details);
  return code === status.INTERNAL && duplicate ? status.ALREADY_EXISTS : code;
}

export class MlmdError extends UserError {
  override readonly location: string;
  readonly address: string;
  /** The RPC, e.g. 'PutExecution'. */
  override readonly operation: string;
  /** What happened, as a gRPC status name (duplicates always read ALREADY_EXISTS, see above). */
  readonly code: MlmdErrorCode;
  /** The status code the server actually sent. */
  readonly grpcCode: status;
  /** The server's own message. */
  readonly details: string;
  readonly attempts: number;
  /**
   * True when an earlier attempt of this write may have been applied before the retry that
   * failed: an ALREADY_EXISTS then usually means the first attempt succeeded.
   */
  readonly afterRetry: boolean;

  constructor(init: MlmdErrorInit) {
    const code = codeName(effectiveCode(init.code, init.details));
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : '';
    const hint = HINTS[code] ?? 'see the server message above';
    super(
      `ML Metadata at location '${init.location}' (${init.address}): ${init.operation} failed${tries} ` +
        `with ${code}: ${init.details || '(no message)'}`,
      { code: 'mlmd-call', location: init.location, operation: init.operation, advice: hint },
    );
    this.name = 'MlmdError';
    this.location = init.location;
    this.address = init.address;
    this.operation = init.operation;
    this.code = code;
    this.grpcCode = init.code;
    this.details = init.details;
    this.attempts = init.attempts;
    this.afterRetry = init.attempts > 1;
  }
}
