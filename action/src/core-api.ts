// The part of split-pipelines' programmatic API (`src/api/index.ts`, the same core as the CLI) that
// the action calls. Typed here as an interface so command dispatch can be tested with an injected
// core, and so a build whose core cannot apply yet fails the step with a clear message instead of
// a TypeError.
import type { ApplyEvent, Diagnostic, PlanDocument, PolicyOverride } from '../../src/api/index.js';
import type { PlanMarkdownOptions } from '../../src/report/plan-markdown.js';
import { UserError } from '../../src/errors/user-error.js';

export type { Diagnostic, PlanDocument, PolicyOverride };
export type { PlanMarkdownOptions } from '../../src/report/plan-markdown.js';

export interface PlanFileOptions {
  offline?: boolean;
  env?: NodeJS.ProcessEnv;
  /** `context.command` of the policies. */
  command?: 'plan' | 'apply' | 'reconcile';
  /** Soft policy failures overridden by owners' approving reviews. */
  overrides?: PolicyOverride[];
}

export interface PlanFileResult {
  plan?: PlanDocument;
  diagnostics: Diagnostic[];
  /** The file's policies: who owns each and how it is enforced (absent from a core without policies). */
  policies?: { name: string; enforcement: 'advisory' | 'soft' | 'hard'; owners: string[] }[];
}

/**
 * A progress event of `applyFile` (src/apply/events.ts). The Action renders it with the CLI's renderer
 * (src/report/progress.ts), which shows an event kind it does not know as JSON rather than dropping it.
 */
export type ApplyProgress = ApplyEvent;

export interface ApplyFileOptions {
  /** Stage name or 1-based index after which to stop. */
  through?: string;
  lockTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: (event: ApplyProgress) => void;
  command?: 'apply' | 'reconcile';
  /** Soft policy failures overridden by owners' approving reviews: written in the apply output and the runs' records. */
  overrides?: PolicyOverride[];
}

export interface AppliedOperation {
  id: string;
  kind: string;
  location: string;
  status: string;
  detail?: string;
  /** Handoffs: what they moved (the diagram labels its arrows with it). */
  bytesMoved?: number;
  handoff?: { objects: number };
}

export interface ApplyFileResult {
  /** The plan observed after applying. */
  plan: PlanDocument;
  applied: AppliedOperation[];
  inSync: boolean;
  drift: string[];
}

export interface SplitCore {
  planFile(file: string, options: PlanFileOptions): Promise<PlanFileResult>;
  /** Absent while the core cannot apply yet. */
  applyFile?: (file: string, options: ApplyFileOptions) => Promise<ApplyFileResult>;
  renderPlanMarkdown(plan: PlanDocument, options?: PlanMarkdownOptions): string;
  renderPlanText(plan: PlanDocument): string;
  formatDiagnostic(d: Diagnostic): string;
}

/** Loads the bundled core. `applyFile` is looked up by name so its absence is a value, not a crash. */
export async function loadSplitCore(): Promise<SplitCore> {
  const api = await import('../../src/api/index.js');
  const named = api as unknown as Record<string, unknown>;
  const core: SplitCore = {
    planFile: (file, options) => api.planFile(file, options),
    renderPlanMarkdown: api.renderPlanMarkdown,
    renderPlanText: api.renderPlanText,
    formatDiagnostic: api.formatDiagnostic,
  };
  const apply = named['applyFile'];
  if (typeof apply === 'function') {
    const call = apply as (file: string, options: ApplyFileOptions) => Promise<unknown>;
    core.applyFile = async (file, options) =>
      normaliseApplyResult(file, await call(file, options), api.formatDiagnostic);
  }
  return core;
}

/**
 * The core's `applyFile` answers `{ result?, diagnostics }` (input problems stop it before any
 * location is contacted); this turns that into a result, or an error naming the problems.
 */
export function normaliseApplyResult(file: string, value: unknown, format: (d: Diagnostic) => string): ApplyFileResult {
  const v = value as { result?: ApplyFileResult; diagnostics?: Diagnostic[] } & Partial<ApplyFileResult>;
  if (v && Array.isArray(v.applied) && v.plan) return v as ApplyFileResult;
  if (v?.result) return v.result;
  const errors = (v?.diagnostics ?? []).filter((d) => d.severity === 'error').map(format);
  // Problems of the file are the user's to fix; no result without any problem is the core's fault.
  if (errors.length > 0)
    throw new UserError(`${file}: nothing was applied:\n${errors.join('\n')}`, {
      code: 'invalid-file',
      operation: 'validate',
    });
  throw new Error(`${file}: nothing was applied (the core returned no result)`);
}

export class CoreUnavailableError extends UserError {
  override readonly name = 'CoreUnavailableError';
  constructor(message: string) {
    super(message, { code: 'core-unavailable', operation: 'load-core' });
  }
}

/** The core's `applyFile`, or an error saying this build of split-pipelines cannot apply. */
export function requireApply(core: SplitCore, command: string): NonNullable<SplitCore['applyFile']> {
  if (!core.applyFile) {
    throw new CoreUnavailableError(
      `command "${command}" needs split-pipelines' apply, which this build of the action does not contain ` +
        '(src/api/index.ts exports no applyFile); use a released version of the action, or run `plan`',
    );
  }
  return core.applyFile;
}
