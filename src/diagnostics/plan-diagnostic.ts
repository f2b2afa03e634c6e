// A plan-level diagnostic: what a plan tells its reader beside its operations (a warning from the
// file, a fact about the stage layout), with where it applies, in the file or across locations.
// It shares its severities with the file's diagnostics (diagnostic.ts), and adds `info` for facts
// that need no action.
import type { Diagnostic, Severity } from './diagnostic.js';

export type PlanSeverity = Severity | 'info';

export interface DiagnosticWhere {
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  location?: string;
  stage?: number;
  step?: string;
}

export interface PlanDiagnostic {
  severity: PlanSeverity;
  /** One line, what a reader must know. */
  summary: string;
  /** Why, and what to do: may be several sentences. */
  detail?: string;
  where?: DiagnosticWhere;
}

/** A problem found in the file, as the plan carries it. */
export function planDiagnosticOf(d: Diagnostic): PlanDiagnostic {
  return { severity: d.severity, summary: d.message, where: { file: d.file, line: d.line, column: d.col } };
}

/** `FILE:LINE:COL`, `stage N (LOCATION)`, `step S`: as precise as `where` is, '' when it says nothing. */
export function whereText(where: DiagnosticWhere | undefined, withColumn = true): string {
  if (!where) return '';
  const parts: string[] = [];
  if (where.file !== undefined) {
    let at = where.file;
    if (where.line !== undefined) at += `:${where.line}`;
    if (withColumn && where.line !== undefined && where.column !== undefined) at += `:${where.column}`;
    parts.push(at);
  }
  if (where.stage !== undefined) {
    parts.push(where.location !== undefined ? `stage ${where.stage} (${where.location})` : `stage ${where.stage}`);
  } else if (where.location !== undefined) parts.push(where.location);
  if (where.step !== undefined) parts.push(`step ${where.step}`);
  return parts.join(', ');
}

/**
 * The one-line form kept in a plan's `warnings` (strings, as plans carried them before diagnostics
 * had structure): `WHERE: summary`, positions without the column as before.
 */
export function warningLine(d: PlanDiagnostic): string {
  const where = whereText(d.where, false);
  return where ? `${where}: ${d.summary}` : d.summary;
}

const ORDER: Record<PlanSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then facts; otherwise in the order found. */
export function bySeverity(diagnostics: readonly PlanDiagnostic[]): PlanDiagnostic[] {
  return [...diagnostics].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
