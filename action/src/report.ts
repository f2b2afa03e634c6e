// What one run of the action found and did, per config file: the data the comment, the job
// summary and the outputs are rendered from (each renderer reads this; none fetches anything).
import { errorReport, errorText, type ErrorReport } from '../../src/errors/error-report.js';
import type { AppliedOperation, Diagnostic, PlanDocument, PolicyOverride } from './core-api.js';
import type { Command } from './inputs.js';
import type { SemanticDiff } from './semantic-diff.js';

export interface ConfigReport {
  /** Path relative to the workspace. */
  config: string;
  /** The plan (plan), or the plan observed after applying (apply, reconcile). */
  plan?: PlanDocument;
  /** The file's revision, known from the file alone (also when planning or applying failed). */
  revision?: string;
  diagnostics: Diagnostic[];
  /** What the pull request changes in this file (pull requests only). */
  diff?: SemanticDiff;
  /** Operations performed (apply, reconcile). */
  applied?: AppliedOperation[];
  /** Drift found at the locations. */
  drift: string[];
  /** plan: the plan has operations; apply/reconcile: something was done at a location. */
  changed: boolean;
  /** Why this config failed (invalid file, failed operation), as a user-facing sentence. */
  error?: string;
  /** The thrown failure behind `error`, when there was one: its code, location, operation and advice. */
  failure?: ErrorReport;
  /** Soft policy failures overridden by owners' approving reviews (who, why) for this run. */
  overrides?: PolicyOverride[];
}

export interface RunReport {
  command: Command;
  configs: ConfigReport[];
  /** Set when the plan was made offline, with the reason shown to readers. */
  offlineReason?: 'fork' | 'input';
  runUrl?: string;
}

/** Records a thrown failure as `during: <message>` (a user error's, or an internal error's) and its structure. */
export function recordFailure(report: ConfigReport, during: string, e: unknown, debug: boolean): void {
  report.failure = errorReport(e);
  report.error = `${during}: ${errorText(e, { debug })}`;
}

export function failed(report: RunReport): ConfigReport[] {
  return report.configs.filter((c) => c.error !== undefined);
}

export function allInSync(report: RunReport): boolean {
  return report.configs.length > 0 && report.configs.every((c) => c.plan?.inSync === true);
}
