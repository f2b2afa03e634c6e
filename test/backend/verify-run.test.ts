/** The verification rules of a finished stage run, on the port's RunRecord (src/location/backend/verify-run.ts). */
import { describe, expect, it } from 'vitest';
import type { RunRecord, TaskRecord } from '../../src/location/backend/port.js';
import { verifyRunRecord } from '../../src/location/backend/verify-run.js';

const task = (rootTask: string, outcome: TaskRecord['outcome'], over: Partial<TaskRecord> = {}): TaskRecord => ({
  id: `${rootTask}-${outcome}`,
  globalId: `g-${rootTask}`,
  kind: 'container',
  rootTask,
  outcome,
  ...over,
});
const run = (tasks: TaskRecord[], seen: string[] = []): RunRecord => ({
  runId: 'r1',
  found: true,
  tasks,
  rootTasksSeen: [...new Set([...tasks.map((t) => t.rootTask!), ...seen])],
});
const req = { location: 'c', runId: 'r1', steps: ['serve'], fromCache: ['train', 'eval'] };

describe('verifyRunRecord', () => {
  it('passes a stage whose handed-off steps were cache hits and whose own step executed', () => {
    const v = verifyRunRecord(run([task('train', 'cached'), task('eval', 'cached'), task('serve', 'executed')]), req);
    expect(v).toEqual({ ok: true, executed: ['serve'], cached: ['train', 'eval'], problems: [] });
  });

  it('names the fingerprints when a handed-off step executed instead of being a cache hit', () => {
    const v = verifyRunRecord(
      run([
        task('train', 'executed', { fingerprint: 'abcdef0123456789' }),
        task('eval', 'cached'),
        task('serve', 'executed'),
      ]),
      { ...req, expectedFingerprints: { train: ['0123456789abcdef'] } },
    );
    expect(v.ok).toBe(false);
    expect(v.executed).toEqual(['train', 'serve']);
    expect(v.problems).toEqual([
      'train executed at c instead of being a cache hit: KFP computed fingerprint abcdef012345, ' +
        'the handoff wrote cache entries for 0123456789ab (the handed-off metadata does not match what KFP looks up there)',
    ]);
  });

  it('reports a step of the stage that has no task at all, and accepts one whose condition was false', () => {
    expect(verifyRunRecord(run([task('train', 'cached'), task('eval', 'cached')]), req).problems).toEqual([
      'serve did not run at c: the run has no task for it',
    ]);
    const skipped = verifyRunRecord(run([task('train', 'cached'), task('eval', 'cached')], ['serve']), req);
    expect(skipped).toMatchObject({ ok: true, executed: [], cached: ['train', 'eval'] });
  });

  it('counts importers as cache hits, mixed steps as executed, and ignores canceled and skipped tasks', () => {
    const v = verifyRunRecord(
      run([
        task('train', 'executed', { kind: 'importer' }),
        task('eval', 'cached'),
        task('eval', 'canceled'),
        task('serve', 'cached'),
        task('serve', 'executed'),
        task('serve', 'skipped'),
      ]),
      req,
    );
    expect(v).toEqual({ ok: true, executed: ['serve'], cached: ['train', 'eval'], problems: [] });
  });

  it('fails a run the location has no record of', () => {
    const v = verifyRunRecord({ runId: 'r1', found: false, tasks: [], rootTasksSeen: [] }, req);
    expect(v).toEqual({
      ok: false,
      executed: [],
      cached: [],
      problems: ['run r1 at c has no task records: KFP did not record it'],
    });
  });
});
