// What every command (plan, apply, reconcile) is given: the core, the runner IO, the resolved
// configs and settings, and the environment the core may read secrets from.
import type { ApplyProgress, Diagnostic, SplitCore } from './core-api.js';
import type { RunEvent } from './event.js';
import type { Settings } from './inputs.js';
import type { ActionIO } from './io.js';
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
}

/** Diagnostics as GitHub annotations on the file and line they are about. */
export function annotate(io: ActionIO, core: SplitCore, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const at = { file: d.file, startLine: d.line, startColumn: d.col, title: 'split-pipelines' };
    if (d.severity === 'error') io.error(core.formatDiagnostic(d), at);
    else io.warning(core.formatDiagnostic(d), at);
  }
}

/** One log line per progress event; undefined for events too chatty for a log (byte counts). */
export function progressText(e: ApplyProgress): string | undefined {
  if (typeof e === 'string') return e;
  const op = e.op;
  const target = op ? `${op.kind ?? 'operation'} ${op.from ? `${op.from} → ` : ''}${op.location ?? ''}`.trim() : '';
  switch (e.type) {
    case 'observed':
      return `observed the locations: ${e.operations ?? 0} operation(s) to apply`;
    case 'operation-start':
      return `▶ ${target}${op?.reason ? `: ${op.reason}` : ''}`;
    case 'operation-done':
      return `✓ ${target}${e.detail ? `: ${e.detail}` : ''}${e.durationMs !== undefined ? ` (${(e.durationMs / 1000).toFixed(1)} s)` : ''}`;
    case 'run-state':
      return `  ${target}: run ${e.runId ?? '?'} is ${e.state ?? '?'}`;
    case 'lock-wait':
      return `waiting for the lock at ${e.location ?? '?'}, held by ${e.heldBy ?? '?'}`;
    case 'bytes':
      return undefined;
    default:
      return typeof e.message === 'string' ? e.message : JSON.stringify(e);
  }
}

/** A thrown error as a sentence for users; the stack only when step debugging is on. */
export function errorText(e: unknown, env: NodeJS.ProcessEnv): string {
  const message = e instanceof Error ? e.message : String(e);
  const debug = env['RUNNER_DEBUG'] === '1' || env['ACTIONS_STEP_DEBUG'] === 'true';
  return debug && e instanceof Error && e.stack ? `${message}\n${e.stack}` : message;
}

export function invalidMessage(config: string, diagnostics: readonly Diagnostic[]): string {
  const n = diagnostics.filter((d) => d.severity === 'error').length;
  return `${config} is invalid (${n} problem${n === 1 ? '' : 's'}, annotated on the file): nothing was contacted`;
}
