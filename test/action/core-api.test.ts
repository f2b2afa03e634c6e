import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSplitCore, normaliseApplyResult } from '../../action/src/core-api.js';
import { formatDiagnostic } from '../../src/api/index.js';
import { planDocument } from './support/fakes.js';
import { tempDir } from './support/workspace.js';

describe('the core as the action sees it', () => {
  it("takes the core's apply result out of its envelope", () => {
    const result = { plan: planDocument({ inSync: true }), applied: [], inSync: true, drift: [] };
    expect(normaliseApplyResult('f.yaml', { result, diagnostics: [] }, formatDiagnostic)).toBe(result);
    expect(normaliseApplyResult('f.yaml', result, formatDiagnostic)).toBe(result);
  });

  it('turns an apply stopped by input problems into an error that lists them', () => {
    const diagnostics = [
      { file: 'f.yaml', line: 3, col: 5, severity: 'error' as const, message: 'unknown location "x"' },
    ];
    expect(() => normaliseApplyResult('f.yaml', { diagnostics }, formatDiagnostic)).toThrow(
      'f.yaml: nothing was applied:\nf.yaml:3:5: unknown location "x"',
    );
  });

  it('applies an invalid file through the real core without contacting anything, failing with its problems', async () => {
    const core = await loadSplitCore();
    const file = join(tempDir('core'), 'split-pipeline.yaml');
    writeFileSync(file, 'apiVersion: splitpipelines.dev/v1alpha1\nkind: SplitPipeline\nmetadata: { name: x }\n');
    expect(core.applyFile).toBeTypeOf('function');
    await expect(core.applyFile!(file, {})).rejects.toThrow(/nothing was applied:\n.*split-pipeline.yaml:\d+:\d+:/);
  });
});
