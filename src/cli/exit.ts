import { EXIT, UserError, type ExitCode, type UserErrorInit } from '../errors/user-error.js';

export { EXIT, type ExitCode };

/** A foreseeable failure of a command's input (flags, files): the message says what failed and what to do. */
export class CliError extends UserError {
  constructor(message: string, exitCode: ExitCode = EXIT.error, context: Partial<UserErrorInit> = {}) {
    super(message, { code: 'usage', ...context, exitCode });
    this.name = 'CliError';
  }
}
