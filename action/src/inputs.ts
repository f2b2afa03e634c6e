// The action's inputs, read and validated once into a typed settings object (as actions/checkout's
// `src/input-helper.ts` does), so no other module reads `INPUT_*` variables or guesses defaults.

import { posix } from 'node:path';
import { UserError } from '../../src/errors/user-error.js';
import { DURATION_EXAMPLES, readDuration } from '../../src/units/duration.js';

export type Command = 'plan' | 'apply' | 'reconcile';

export const COMMANDS: readonly Command[] = ['plan', 'apply', 'reconcile'];

/**
 * Defaults of the inputs, identical to `action.yml` (a test compares them). The runner always sets
 * an input that has a default; repeating them here keeps local runs and tests honest.
 */
export const INPUT_DEFAULTS = {
  command: 'plan',
  config: 'split-pipeline.yaml',
  comment: 'true',
  'lock-timeout': '10m',
  offline: 'false',
  'working-directory': '.',
} as const;

export interface Settings {
  command: Command;
  /** File names or globs, one per line of the `config` input, relative to `workingDirectory`. */
  configPatterns: string[];
  /** The `config` input as written, with the working directory: names the sticky comment. */
  configKey: string;
  /** Post or update one sticky comment on the pull request. */
  comment: boolean;
  /** Empty when no token is available (then no comment is posted). */
  githubToken: string;
  /** Stage name or 1-based index after which `apply` stops (a promotion gate). */
  throughStage?: string;
  lockTimeoutMs: number;
  /** Asked for by the workflow; forced for pull requests from forks. */
  offline: boolean;
  workingDirectory: string;
}

/** Reads one input as the runner passes it (`''` when unset). */
export type InputReader = (name: string) => string;

export class InputError extends UserError {
  override readonly name = 'InputError';
  constructor(message: string) {
    super(message, { code: 'action-input', operation: 'read-inputs' });
  }
}

/** `INPUT_<NAME>` as the runner sets it (upper-cased, spaces to `_`, hyphens kept). */
export function inputsFromEnv(env: NodeJS.ProcessEnv): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function readSettings(read: InputReader): Settings {
  const value = (name: keyof typeof INPUT_DEFAULTS): string => read(name) || INPUT_DEFAULTS[name];
  const command = value('command').toLowerCase();
  if (!COMMANDS.includes(command as Command)) {
    throw new InputError(`input "command" must be one of ${COMMANDS.join(', ')}; got "${command}"`);
  }
  const configText = value('config');
  const configPatterns = configText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (configPatterns.length === 0) throw new InputError('input "config" names no file');
  const workingDirectory = value('working-directory');
  const lockTimeout = value('lock-timeout');
  const lockTimeoutMs = readDuration(lockTimeout);
  if (lockTimeoutMs === undefined) {
    throw new InputError(`input "lock-timeout" must be a duration such as ${DURATION_EXAMPLES}; got "${lockTimeout}"`);
  }
  const settings: Settings = {
    command: command as Command,
    configPatterns,
    configKey: configPatterns.map((p) => posix.join(workingDirectory, p)).join(','),
    comment: parseBoolean('comment', value('comment')),
    githubToken: read('github-token'),
    lockTimeoutMs,
    offline: parseBoolean('offline', value('offline')),
    workingDirectory,
  };
  const through = read('through-stage');
  if (through !== '') settings.throughStage = through;
  return settings;
}

/**
 * The YAML 1.2 core-schema booleans that `@actions/core`'s `getBooleanInput` accepts; anything
 * else is refused rather than read as false (a typo must not silently disable something).
 */
export function parseBoolean(name: string, text: string): boolean {
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  throw new InputError(`input "${name}" must be true or false; got "${text}"`);
}
