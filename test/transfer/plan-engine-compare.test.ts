// `apply --plan FILE` refuses a fresh plan whose handoff would be copied by another transfer engine
// than the one reviewed (compare.ts), and names the operation and both engines.
import { describe, expect, it } from 'vitest';
import { operationDifferences } from '../../src/plan-pipeline/compare.js';
import type { PlannedOperation, PlannedTransfer } from '../../src/plan/types.js';

const handoff = (transfer?: PlannedTransfer): PlannedOperation => ({
  id: 'handoff:2:a',
  kind: 'handoff',
  stage: 2,
  location: 'b',
  from: 'a',
  steps: ['load'],
  reason: 'b needs load',
  reasonCode: 'handoff-needed',
  ...(transfer ? { transfer } : {}),
});

const by = (engine: PlannedTransfer['engine'], reason = 'spec.transfer.engine'): PlannedTransfer => ({
  engine,
  reason,
  bytes: engine === 'auto' ? null : 1024,
  estimatedSeconds: engine === 'auto' ? null : 1,
});

describe('the transfer engine in apply --plan', () => {
  it('refuses a handoff reviewed with one engine that would now use another, naming both', () => {
    const d = operationDifferences(
      [handoff(by('inline'))],
      [handoff(by('kubernetes-job', 'auto: 1 GiB > inlineMaxBytes 64 MiB, and kubernetes-job can copy this pair'))],
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toContain('operation handoff:2:a');
    expect(d[0]).toContain('a → b');
    expect(d[0]).toContain('inline in the plan file, kubernetes-job now');
    expect(d[0]).toContain('auto: 1 GiB > inlineMaxBytes');
  });

  it('accepts the same engine, and auto (size unknown when planned) against any engine', () => {
    expect(operationDifferences([handoff(by('server-side'))], [handoff(by('server-side'))])).toEqual([]);
    expect(operationDifferences([handoff(by('auto'))], [handoff(by('kubernetes-job'))])).toEqual([]);
    expect(operationDifferences([handoff(by('inline'))], [handoff(by('auto'))])).toEqual([]);
    // A plan file written before plans carried engines has nothing to compare.
    expect(operationDifferences([handoff()], [handoff(by('inline'))])).toEqual([]);
  });

  it('reports a changed engine beside other changes of the same handoff', () => {
    const fresh = { ...handoff(by('kubernetes-job')), steps: ['load', 'split'] };
    const d = operationDifferences([handoff(by('inline'))], [fresh]);
    expect(d).toEqual([
      expect.stringContaining('operation handoff:2:a changed: steps load → load, split'),
      expect.stringContaining('inline in the plan file, kubernetes-job now'),
    ]);
  });
});
