import { describe, expect, it } from 'vitest';
import {
  bySeverity,
  planDiagnosticOf,
  warningLine,
  whereText,
  type PlanDiagnostic,
} from '../../src/diagnostics/plan-diagnostic.js';

describe('whereText', () => {
  it('names a position in the file as FILE:LINE:COL', () => {
    expect(whereText({ file: 'split-pipeline.yaml', line: 12, column: 7 })).toBe('split-pipeline.yaml:12:7');
  });

  it('names a stage with its location, and a step', () => {
    expect(whereText({ stage: 2, location: 'serve', step: 'train' })).toBe('stage 2 (serve), step train');
    expect(whereText({ location: 'serve' })).toBe('serve');
    expect(whereText({ stage: 3 })).toBe('stage 3');
  });

  it('says nothing when it knows nothing', () => {
    expect(whereText(undefined)).toBe('');
    expect(whereText({})).toBe('');
  });

  it('leaves out the column when asked, and a column without a line', () => {
    expect(whereText({ file: 'f.yaml', line: 3, column: 5 }, false)).toBe('f.yaml:3');
    expect(whereText({ file: 'f.yaml', column: 5 })).toBe('f.yaml');
  });
});

describe('planDiagnosticOf', () => {
  it("keeps a file diagnostic's severity, message and position", () => {
    expect(planDiagnosticOf({ file: 'f.yaml', line: 3, col: 5, severity: 'warning', message: 'odd' })).toEqual({
      severity: 'warning',
      summary: 'odd',
      where: { file: 'f.yaml', line: 3, column: 5 },
    });
  });
});

describe('warningLine', () => {
  it('is WHERE: summary, without the detail', () => {
    expect(
      warningLine({
        severity: 'info',
        summary: 'caching switched on',
        detail: 'why',
        where: { stage: 1, location: 'a' },
      }),
    ).toBe('stage 1 (a): caching switched on');
  });

  it('is the summary alone when there is no where', () => {
    expect(warningLine({ severity: 'warning', summary: 'plain' })).toBe('plain');
  });
});

describe('bySeverity', () => {
  it('puts errors first and facts last, keeping the order found otherwise', () => {
    const d = (severity: PlanDiagnostic['severity'], summary: string): PlanDiagnostic => ({ severity, summary });
    const sorted = bySeverity([
      d('info', 'i1'),
      d('warning', 'w1'),
      d('error', 'e1'),
      d('info', 'i2'),
      d('warning', 'w2'),
    ]);
    expect(sorted.map((x) => x.summary)).toEqual(['e1', 'w1', 'w2', 'i1', 'i2']);
  });
});
