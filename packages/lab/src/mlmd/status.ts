// A gRPC status raised by the store; the server turns it into the call's error status.
import { status } from '@grpc/grpc-js';

export class MlmdStatus extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'MlmdStatus';
  }
}

export const invalidArgument = (message: string): MlmdStatus => new MlmdStatus(status.INVALID_ARGUMENT, message);
export const notFound = (message: string): MlmdStatus => new MlmdStatus(status.NOT_FOUND, message);
export const alreadyExists = (message: string): MlmdStatus => new MlmdStatus(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string): MlmdStatus => new MlmdStatus(status.FAILED_PRECONDITION, message);

/** SQLite reports UNIQUE/PRIMARY KEY violations with these codes; MLMD maps them to ALREADY_EXISTS. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
