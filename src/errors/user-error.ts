// The one base class for failures a user can act on: what we were doing, where, what went wrong
// and what to do about it. The CLI and the Action recognise these by type (never by name or by
// message) and report them without a stack trace; anything else is an internal error.
// A leaf module: it imports nothing, so every layer (the pure core included) may extend it.

/** The contract's exit codes (Terraform's `-detailed-exitcode`). */
export const EXIT = { ok: 0, error: 1, changes: 2, locked: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface UserErrorInit {
  /** Stable identifier for scripts (`error.code` in JSON), kebab-case, e.g. `lock-held`. */
  code: string;
  /** The location (as the file names it) the failure happened at, when there is one. */
  location?: string | undefined;
  /** What we were doing, e.g. `handoff`, `createRun`, `acquire-lock`. */
  operation?: string | undefined;
  /** What the user can do about it; appended to the message as "What to do: …". */
  advice?: string | undefined;
  /** Defaults to `EXIT.error`. */
  exitCode?: ExitCode;
  cause?: unknown;
}

export class UserError extends Error {
  /** Stable identifier for scripts, e.g. `kfp-request`, `lock-held`. */
  readonly errorCode: string;
  readonly location: string | undefined;
  readonly operation: string | undefined;
  readonly advice: string | undefined;
  readonly exitCode: ExitCode;
  /** The message without the advice (what went wrong), for errors that wrap this one. */
  readonly problem: string;

  /** `problem` says what went wrong (naming the location and operation in words a user knows). */
  constructor(problem: string, init: UserErrorInit) {
    super(withAdvice(problem, init.advice), init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'UserError';
    this.errorCode = init.code;
    this.location = init.location;
    this.operation = init.operation;
    this.advice = init.advice;
    this.exitCode = init.exitCode ?? EXIT.error;
    this.problem = problem;
  }
}

/** `problem. What to do: advice.` — the one way messages carry their advice. */
export function withAdvice(problem: string, advice: string | undefined): string {
  if (!advice) return problem;
  return `${problem.replace(/[.;:,\s]+$/, '')}. What to do: ${advice}${/[.!?]$/.test(advice) ? '' : '.'}`;
}
