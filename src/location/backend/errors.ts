// A write of the location backend port that cannot go on; the message says where and why.
import { UserError } from '../../errors/user-error.js';

export class BackendWriteError extends UserError {
  constructor(location: string, message: string) {
    super(message, { code: 'handoff', operation: 'handoff', location });
    this.name = 'BackendWriteError';
  }
}
