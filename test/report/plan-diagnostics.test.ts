import { describe, expect, it } from 'vitest';
import type { PlanDiagnostic } from '../../src/diagnostics/plan-diagnostic.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { diagnosticsMarkdown, diagnosticsText, severityCounts } from '../../src/report/plan-diagnostics.js';
import { renderPlanMarkdown } from '../../src/report/plan-markdown.js';
import { renderPlanText } from '../../src/report/plan-text.js';

const caching: PlanDiagnostic = {
  severity: 'info',
  summary: 'caching switched on for load',
  detail: 'KFP serves a task from cache only when its caching is enabled.',
  where: { stage: 1, location: 'a' },
};
const importer: PlanDiagnostic = {
  severity: 'warning',
  summary: 'importer URI names the store by scheme only',
  where: { file: 'split-pipeline.yaml', line: 12, column: 9 },
};

function plan(diagnostics: PlanDiagnostic[]): PlanDocument {
  return {
    name: 'thesis',
    revision: '0123456789ab',
    revisionDigest: '0'.repeat(64),
    pipeline: { name: 'p', package: 'pipelines/p.yaml' },
    offline: true,
    inSync: false,
    stages: [{ index: 1, name: '1-a', location: 'a', steps: ['load'], fromCache: [], state: 'unknown' }],
    operations: [],
    warnings: [],
    diagnostics,
    drift: [],
  };
}

describe('severityCounts', () => {
  it('counts each severity, errors first', () => {
    expect(severityCounts([caching, importer, importer, { severity: 'error', summary: 'x' }])).toBe(
      '1 error, 2 warnings, 1 info',
    );
  });
});

describe('diagnosticsText', () => {
  it('shows severity, where, summary and detail, warnings before facts', () => {
    expect(diagnosticsText([caching, importer])).toEqual([
      'Diagnostics (1 warning, 1 info):',
      '  warning  split-pipeline.yaml:12:9: importer URI names the store by scheme only',
      '  info     stage 1 (a): caching switched on for load',
      '           KFP serves a task from cache only when its caching is enabled.',
    ]);
  });

  it('is empty when there is nothing to say', () => {
    expect(diagnosticsText([])).toEqual([]);
  });
});

describe('diagnosticsMarkdown', () => {
  const esc = (s: string) => s.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);

  it('folds facts away but opens the list when something needs attention', () => {
    expect(diagnosticsMarkdown([caching], esc)[0]).toBe('<details><summary>Diagnostics (1 info)</summary>');
    expect(diagnosticsMarkdown([caching, importer], esc)[0]).toBe(
      '<details open><summary>Diagnostics (1 warning, 1 info)</summary>',
    );
  });

  it('shows severity, where as code, the escaped summary and the detail', () => {
    const lines = diagnosticsMarkdown([{ ...caching, summary: 'caching switched on for load_data' }], esc);
    expect(lines).toContain(
      '- ℹ️ **info** `stage 1 (a)` — caching switched on for load\\_data<br>KFP serves a task from cache only when its caching is enabled.',
    );
  });
});

describe('plan reports', () => {
  it('render the diagnostics in the text report', () => {
    const text = renderPlanText(plan([caching, importer]));
    expect(text).toContain('Diagnostics (1 warning, 1 info):\n  warning  split-pipeline.yaml:12:9: importer URI');
    expect(text).not.toContain('Warnings:');
  });

  it('render the diagnostics in the Markdown report', () => {
    const md = renderPlanMarkdown(plan([importer]));
    expect(md).toContain('- ⚠️ **warning** `split-pipeline.yaml:12:9` — importer URI names the store by scheme only');
  });

  it('render no diagnostics section for a plan without any', () => {
    expect(renderPlanText(plan([]))).not.toContain('Diagnostics');
    expect(renderPlanMarkdown(plan([]))).not.toContain('Diagnostics');
  });
});
