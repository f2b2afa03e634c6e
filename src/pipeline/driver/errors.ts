// Errors of the KFP driver emulation. Failures KFP itself would report (a missing input, a condition
// that does not evaluate) are not exceptions: they fail the task, as KFP's driver does. Exceptions are
// reserved for what this emulation cannot honestly reproduce.

/**
 * The pipeline (or a condition, a selector, a visitor result) uses something this emulation does not
 * reproduce. Thrown instead of guessing, so no caller ever acts on a silently wrong result.
 */
export class NotEmulatedError extends Error {
  override readonly name = 'NotEmulatedError';
  constructor(detail: string) {
    super(`not emulated: ${detail}`);
  }
}

/** An error with the task it belongs to, for messages users read ("task for-loop-2/print-struct[1]: …"). */
export function describeTask(path: readonly string[], iteration: readonly number[]): string {
  const at = iteration.length > 0 ? `[${iteration.join(',')}]` : '';
  return path.length > 0 ? `${path.join('/')}${at}` : 'the root DAG';
}
