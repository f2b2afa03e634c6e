export const EXIT = { ok: 0, error: 1, changes: 2, locked: 3 } as const;

/** A foreseeable failure: the message is for users (what failed, where, what to do). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.error) {
    super(message);
    this.name = 'CliError';
  }
}
