// Object store failures as values with context: which location, which operation, which object,
// and what to do. Messages never contain credentials (only the names of the variables that hold
// them).
import { UserError } from '../../errors/user-error.js';

export type ObjectStoreOperation = 'configure' | 'head' | 'list' | 'get' | 'put' | 'delete' | 'copy';

export interface ObjectStoreErrorInit {
  location: string;
  operation: ObjectStoreOperation;
  bucket: string;
  key: string;
  message: string;
  /** S3 error code (`NoSuchKey`, `SlowDown`, …), a Node error code (`ECONNRESET`), or ours
   * (`ChecksumMismatch`, `LengthMismatch`, `MissingCredentials`). */
  code?: string;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Attempts made, counting retries. */
  attempts?: number;
  /** What to do, when the caller knows better than the store's answer. */
  advice?: string;
  cause?: unknown;
}

export class ObjectStoreError extends UserError {
  override readonly location: string;
  override readonly operation: ObjectStoreOperation;
  readonly bucket: string;
  readonly key: string;
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly attempts: number | undefined;

  constructor(init: ObjectStoreErrorInit) {
    const target = init.key ? `${init.bucket}/${init.key}` : init.bucket;
    super(`object store '${init.location}': ${init.operation} ${target}: ${init.message}`, {
      code: 'object-store',
      location: init.location,
      operation: init.operation,
      advice: init.advice,
      cause: init.cause,
    });
    this.name = 'ObjectStoreError';
    this.location = init.location;
    this.operation = init.operation;
    this.bucket = init.bucket;
    this.key = init.key;
    this.code = init.code;
    this.status = init.status;
    this.attempts = init.attempts;
  }
}

/** A digest or length check failed: the bytes read are not the bytes that were recorded. */
export class IntegrityError extends UserError {
  readonly code: 'ChecksumMismatch' | 'LengthMismatch';
  constructor(code: 'ChecksumMismatch' | 'LengthMismatch', message: string) {
    super(message, { code: 'integrity', operation: 'verify' });
    this.name = 'IntegrityError';
    this.code = code;
  }
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function hintFor(code: string | undefined, status: number | undefined, attempts: number | undefined): string {
  if (code === 'NoSuchBucket') return 'create the bucket or correct the pipeline root';
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) return 'the object does not exist';
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || status === 403) {
    return 'check the credentials named by accessKeyIdEnv/secretAccessKeyEnv and their permissions';
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return 'check objectStore.endpoint and that the store is reachable';
  }
  const retried = attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
  if (status !== undefined && status >= 500) return `the store kept failing${retried}; retry later`;
  if (code === 'SlowDown' || status === 429) return `the store kept throttling${retried}; retry later`;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') {
    return `the connection kept failing${retried}; retry later`;
  }
  return '';
}

/** Wraps an AWS SDK (or stream) error with the context of the operation that failed. */
export function toObjectStoreError(
  err: unknown,
  context: { location: string; operation: ObjectStoreOperation; bucket: string; key: string },
): ObjectStoreError {
  if (err instanceof ObjectStoreError) return err;
  if (err instanceof IntegrityError) {
    return new ObjectStoreError({ ...context, message: err.message, code: err.code, cause: err });
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const code = e.code ?? (e.name && e.name !== 'Error' ? e.name : undefined);
  // HEAD answers have no body, so the SDK's message is just "UnknownError".
  const raw = e.message && e.message !== 'UnknownError' ? e.message : '';
  const detail = [status !== undefined ? `HTTP ${status}` : '', code ?? '', raw].filter(Boolean).join(' ');
  const hint = hintFor(code, status, attempts);
  const message = [detail || String(err), hint].filter(Boolean).join(' — ');
  return new ObjectStoreError({ ...context, message, code, status, attempts, cause: err });
}

/** True when the SDK says the object is not there (HEAD gives `NotFound`, GET `NoSuchKey`). */
export function isNotFound(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
