import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('split-pipelines demo', () => {
  it('runs the thesis example on a three-location lab, then shows a second apply does nothing', async () => {
    const r = await runCli(['demo'], { timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Stage 1 at a: executed load-data, split-data; cache hits none');
    expect(r.stdout).toContain('Stage 2 at b: executed train-model, evaluate-model; cache hits load-data, split-data');
    expect(r.stdout).toContain(
      'Stage 3 at c: executed serve-model; cache hits load-data, split-data, train-model, evaluate-model',
    );
    expect(r.stdout).toMatch(/handoff b → c: load-data, split-data, train-model, evaluate-model: \d+\/\d+ objects/);
    expect(r.stdout).toContain('0 operations, 0 runs submitted, 0 B moved: in sync.');
    expect(r.stdout).toContain('Lab stopped.');
  }, 150_000);
});
