// A lab restarted on the same directory keeps its runs, metadata and artifacts, and resumes the
// runs that were still executing.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  containerExecutions,
  eventsOf,
  packageBody,
  runToEnd,
  startTestLab,
  thesisText,
  waitForRun,
  type TestLab,
} from './helpers.js';

const dirs: string[] = [];
let t: TestLab | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('restarting a lab on the same directory', () => {
  it('keeps the runs, the MLMD executions and the artifact bytes, and the next run is all cache hits', async () => {
    t = await startTestLab();
    dirs.push(t.dir);
    const first = await runToEnd(t.clients('a').kfp, packageBody(thesisText()));
    const before = await containerExecutions(t.clients('a').mlmd, first.run_id);
    await t.close();

    t = await startTestLab({ dir: dirs[0]! });
    const { kfp, mlmd, store } = t.clients('a');
    expect((await kfp.getRun(first.run_id)).state).toBe('SUCCEEDED');
    const after = await containerExecutions(mlmd, first.run_id);
    expect([...after.values()].map((e) => e.id)).toEqual([...before.values()].map((e) => e.id));
    const [model] = await mlmd.getArtifactsByID([
      (await eventsOf(mlmd, after.get('train-model')!.id!, 'OUTPUT')).get('model')!,
    ]);
    expect(await store.head(store.resolve(model!.uri!))).toBeDefined();
    const second = await runToEnd(kfp, packageBody(thesisText()));
    expect(
      [...(await containerExecutions(mlmd, second.run_id)).values()].every((e) => e.lastKnownState === 'CACHED'),
    ).toBe(true);
  });

  it('resumes a run that was executing when the lab stopped, and finishes it', async () => {
    t = await startTestLab({ steps: { a: { 'train-model': { durationMs: 20_000 } } } });
    dirs.push(t.dir);
    const { kfp } = t.clients('a');
    const created = await kfp.createRun({ displayName: 'interrupted', pipelineSpec: packageBody(thesisText()) });
    const deadline = Date.now() + 10_000;
    while (
      !(await kfp.getRun(created.run_id)).run_details?.task_details?.some((d) => d.display_name === 'train-model')
    ) {
      if (Date.now() > deadline) throw new Error('train-model never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await t.close();

    t = await startTestLab({ dir: dirs[0]! });
    const run = await waitForRun(t.clients('a').kfp, created.run_id);
    expect(run.state).toBe('SUCCEEDED');
    const byTask = await containerExecutions(t.clients('a').mlmd, created.run_id);
    // The resumed walk finds load-data and split-data in the cache; train-model runs again.
    expect(byTask.get('split-data')!.lastKnownState).toBe('CACHED');
    expect(byTask.get('serve-model')!.lastKnownState).toBe('COMPLETE');
  });
});
