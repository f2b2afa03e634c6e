/**
 * Errors the emulated KFP API server answers with.
 *
 * The real server is a grpc-gateway v2 in front of gRPC services: a failed call becomes a
 * `google.rpc.Status` JSON body `{code, message, details}` (grpc-gateway `DefaultHTTPErrorHandler`),
 * the HTTP status derived from the gRPC code. KFP's `util.UserError.GRPCStatus()`
 * (`backend/src/common/util/error.go`) puts the wrapped internal error in `message` and the short
 * external message in one `google.rpc.Status` detail. The hand-written upload handlers
 * (`backend/src/apiserver/server/pipeline_upload_server.go` `writeErrorToResponse`) answer with the
 * v1beta1 `Error` message instead: `{error_message, error_details}`.
 */

/** gRPC status codes used by the API server (google.rpc.Code). */
export const GrpcCode = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCodeNumber = (typeof GrpcCode)[keyof typeof GrpcCode];

/** grpc-gateway `runtime.HTTPStatusFromCode`. */
export function httpStatusFromCode(code: number): number {
  switch (code) {
    case GrpcCode.INVALID_ARGUMENT:
    case GrpcCode.FAILED_PRECONDITION:
      return 400;
    case GrpcCode.UNAUTHENTICATED:
      return 401;
    case GrpcCode.PERMISSION_DENIED:
      return 403;
    case GrpcCode.NOT_FOUND:
      return 404;
    case GrpcCode.ALREADY_EXISTS:
      return 409;
    case GrpcCode.RESOURCE_EXHAUSTED:
      return 429;
    case GrpcCode.UNIMPLEMENTED:
      return 501;
    case GrpcCode.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

export class ApiError extends Error {
  /** The short message a user sees (KFP's "external message"). */
  readonly external: string;
  constructor(
    readonly code: GrpcCodeNumber,
    external: string,
    /** Context added by the layers the error passed through, outermost first. */
    readonly context: string[] = [],
  ) {
    super([...context, external].join(': '));
    this.external = external;
    this.name = 'ApiError';
  }

  /** A copy with one more layer of context, as KFP's `util.Wrap` adds. */
  wrap(context: string): ApiError {
    return new ApiError(this.code, this.external, [context, ...this.context]);
  }

  get httpStatus(): number {
    return httpStatusFromCode(this.code);
  }

  /** The grpc-gateway error body. */
  toStatusBody(): { code: number; message: string; details: { '@type': string; code: number; message: string }[] } {
    return {
      code: this.code,
      message: this.message,
      details: [{ '@type': 'type.googleapis.com/google.rpc.Status', code: this.code, message: this.external }],
    };
  }
}

export const invalidArgument = (msg: string): ApiError => new ApiError(GrpcCode.INVALID_ARGUMENT, msg);
export const notFound = (msg: string): ApiError => new ApiError(GrpcCode.NOT_FOUND, msg);
export const alreadyExists = (msg: string): ApiError => new ApiError(GrpcCode.ALREADY_EXISTS, msg);
export const permissionDenied = (msg: string): ApiError => new ApiError(GrpcCode.PERMISSION_DENIED, msg);
export const unauthenticated = (msg: string): ApiError => new ApiError(GrpcCode.UNAUTHENTICATED, msg);
export const internal = (msg: string): ApiError => new ApiError(GrpcCode.INTERNAL, msg);

/** Adds context to an ApiError (thrown or, for an async `f`, rejected); anything else passes unchanged. */
export function wrapApi<T>(context: string, f: () => T): T {
  const rewrap = (e: unknown): never => {
    if (e instanceof ApiError) throw e.wrap(context);
    throw e;
  };
  try {
    const r = f();
    return (r instanceof Promise ? r.catch(rewrap) : r) as T;
  } catch (e) {
    return rewrap(e);
  }
}
