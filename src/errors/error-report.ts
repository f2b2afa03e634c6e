// A thrown value as the CLI and the Action report it: a user error with its context, or an
// internal error with its message (the stack only when debugging is asked for). Messages of user
// errors never hold a secret: the clients scrub tokens and name only the variables holding keys.
import { EXIT, UserError, type ExitCode } from './user-error.js';

/** The `error` object of JSON output (fields are added, never removed). */
export interface ErrorReport {
  /** A user error's stable code, or `internal`. */
  code: string;
  /** The whole sentence, advice included. */
  message: string;
  location?: string;
  operation?: string;
  advice?: string;
  exitCode: ExitCode;
  /** True for a failure no user could foresee (a bug to report). */
  internal: boolean;
}

export function errorReport(e: unknown): ErrorReport {
  if (e instanceof UserError) {
    return {
      code: e.errorCode,
      message: e.message,
      ...(e.location !== undefined ? { location: e.location } : {}),
      ...(e.operation !== undefined ? { operation: e.operation } : {}),
      ...(e.advice !== undefined ? { advice: e.advice } : {}),
      exitCode: e.exitCode,
      internal: false,
    };
  }
  return { code: 'internal', message: `internal error: ${messageOf(e)}`, exitCode: EXIT.error, internal: true };
}

/** The text users read; with `debug`, the stack follows (for any error: a user error's too). */
export function errorText(e: unknown, options: { debug?: boolean } = {}): string {
  const text = errorReport(e).message;
  const stack = options.debug && e instanceof Error ? e.stack : undefined;
  return stack ? `${text}\n${stack}` : text;
}

/** The bare message of anything thrown (for reasons quoted inside another sentence). */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
