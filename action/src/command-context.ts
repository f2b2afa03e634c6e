// What every command (plan, apply, reconcile) is given: the core, the runner IO, the resolved
// configs and settings, and the environment the core may read secrets from.
import { errorText as describeError } from '../../src/errors/error-report.js';
import { progressRenderer } from '../../src/report/progress.js';
import type { ApplyProgress, Diagnostic, SplitCore } from './core-api.js';
import type { RunEvent } from './event.js';
import type { Settings } from './inputs.js';
import type { ActionIO } from './io.js';
import type { ApprovalDecision, PolicyOwners } from './policy-approvals.js';
import type { SemanticDiff } from './semantic-diff.js';

export interface CommandContext {
  core: SplitCore;
  io: ActionIO;
  settings: Settings;
  event: RunEvent;
  /** Config files, relative to the workspace. */
  configs: string[];
  /** The plan is made without contacting locations (asked for, or a fork's pull request). */
  offline: boolean;
  /** Environment handed to the core: without location secrets when the plan is a fork's. */
  env: NodeJS.ProcessEnv;
  /** Semantic diff of a config against the pull request's base (pull requests only). */
  diff?: (config: string) => Promise<SemanticDiff>;
  /** Overrides of soft policy failures by owners' approving reviews of the pull request (when one is known). */
  approvals?: (policies: readonly PolicyOwners[], config: string) => Promise<ApprovalDecision>;
}

/** Diagnostics as GitHub annotations on the file and line they are about. */
export function annotate(io: ActionIO, core: SplitCore, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const at = { file: d.file, startLine: d.line, startColumn: d.col, title: 'split-pipelines' };
    if (d.severity === 'error') io.error(core.formatDiagnostic(d), at);
    else io.warning(core.formatDiagnostic(d), at);
  }
}

/**
 * Apply's progress in the step's log, drawn by the CLI's renderer: warnings as annotations, byte
 * counts of a long copy at most every few seconds (a log cannot redraw a line).
 */
export function progressLogger(io: ActionIO): (e: ApplyProgress) => void {
  return progressRenderer({ line: (text, kind) => (kind === 'warning' ? io.warning(text) : io.info(text)) });
}

/**
 * A thrown error as a sentence for users, as the CLI says it: a user error's message (where, doing
 * what, what to do), anything else as an internal error; the stack only when step debugging is on.
 */
export function errorText(e: unknown, env: NodeJS.ProcessEnv): string {
  return describeError(e, { debug: stepDebug(env) });
}

export function stepDebug(env: NodeJS.ProcessEnv): boolean {
  return env['RUNNER_DEBUG'] === '1' || env['ACTIONS_STEP_DEBUG'] === 'true';
}

export function invalidMessage(config: string, diagnostics: readonly Diagnostic[]): string {
  const n = diagnostics.filter((d) => d.severity === 'error').length;
  return `${config} is invalid (${n} problem${n === 1 ? '' : 's'}, annotated on the file): nothing was contacted`;
}
