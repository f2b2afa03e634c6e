// The lab (packages/lab, an npm workspace of the repository) is not part of the published package:
// its emulators need native modules (better-sqlite3) and s3rver, which the reconciler's users — the
// Action, the CronJob image — should not install. `lab` and `demo` therefore load it on demand; the
// CLI bundle imports it as its own file (dist/lab.js), which the npm tarball leaves out.
import { CliError, EXIT } from './exit.js';

export type LabModule = typeof import('../../packages/lab/src/index.js');

const HOW_TO_GET_IT =
  'the lab runs from a clone of the split-pipelines repository: clone it, run `npm ci` there ' +
  '(it installs the lab workspace and builds dist/), then `npx split-pipelines demo` or `npx split-pipelines lab up`';

/** Loads the lab, or fails with a CliError that says how to get it when it is not installed. */
export async function loadLab(): Promise<LabModule> {
  try {
    return await import('../../packages/lab/src/index.js');
  } catch (err) {
    if (!isModuleNotFound(err)) throw err;
    throw new CliError(`the lab is not part of this installed copy of split-pipelines (${err.message})`, EXIT.error, {
      code: 'lab-not-installed',
      operation: 'load-lab',
      advice: HOW_TO_GET_IT,
      cause: err,
    });
  }
}

/** The lab's bundle, or one of its dependencies, is missing from this install. */
function isModuleNotFound(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
