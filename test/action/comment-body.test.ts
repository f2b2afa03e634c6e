import { describe, expect, it } from 'vitest';
import { composeComment } from '../../action/src/comment-body.js';
import type { RunReport } from '../../action/src/report.js';
import { commentMarker } from '../../action/src/sticky-comment.js';
import { composeSummary } from '../../action/src/summary.js';
import { fakeCore, planDocument } from './support/fakes.js';

const core = fakeCore({});
const marker = commentMarker('plan', 'split-pipeline.yaml');

function reportWith(steps: number, configs = 1): RunReport {
  const names = Array.from({ length: steps }, (_, i) => `step-${i}-with-a-long-enough-name-to-fill-the-comment`);
  const plan = planDocument({
    stages: [{ index: 1, name: '1-a', location: 'a', steps: names, fromCache: [], state: 'pending' }],
    operations: names.map((n, i) => ({
      id: `run-stage:${i}`,
      kind: 'run-stage' as const,
      stage: 1,
      location: 'a',
      reason: `runs ${n}`,
    })),
  });
  return {
    command: 'plan',
    runUrl: 'https://github.example/o/r/actions/runs/1',
    configs: Array.from({ length: configs }, (_, i) => ({
      config: `c${i}/split-pipeline.yaml`,
      plan,
      diagnostics: [],
      drift: [],
      changed: true,
    })),
  };
}

describe('the comment body', () => {
  it('holds the whole plan when it fits', () => {
    const body = composeComment(marker, reportWith(3), core);
    expect(body.startsWith(`${marker}\n## split-pipelines plan`)).toBe(true);
    expect(body).toContain('runs step-2-with-a-long-enough-name-to-fill-the-comment');
    expect(body).not.toContain('this is a summary');
  });

  it('summarises a plan too long for GitHub, linking to the job summary', () => {
    const body = composeComment(marker, reportWith(2000), core);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('this is a summary');
    expect(body).toContain('[job summary](https://github.example/o/r/actions/runs/1)');
    expect(body).toContain('**2000 operations:** 2000 × `run-stage`');
  });

  it('cuts even the summary short when too many configs are planned, and still starts with the marker', () => {
    const body = composeComment(marker, reportWith(10, 2000), core);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(marker)).toBe(true);
    expect(
      body.trimEnd().endsWith('The full plan is in the [job summary](https://github.example/o/r/actions/runs/1).'),
    ).toBe(true);
  });
});

describe('the job summary', () => {
  it('holds the full plan well beyond the comment limit', () => {
    const summary = composeSummary(reportWith(2000), core);
    expect(summary.length).toBeGreaterThan(65_536);
    expect(summary).toContain('runs step-1999-with-a-long-enough-name-to-fill-the-comment');
  });

  it('stays under the runner limit of 1 MiB', () => {
    const summary = composeSummary(reportWith(20_000), core);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1_000_000);
    expect(summary).toContain('exceeds the job summary limit');
  });
});
