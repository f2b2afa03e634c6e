// Two runs of one stage created within the same second: KFP keeps `created_at` in seconds and breaks
// the tie by the runs' random UUIDs (`2.17.0:backend/src/apiserver/list/list.go:315-326`), so its
// `created_at desc` may list the older run first. The product tells them apart by the sequence
// number in each stage run's description.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startKfpServer, type KfpServer } from '../../packages/lab/src/kfp/index.js';
import { startMlmdServer, type MlmdServer } from '../../packages/lab/src/mlmd/index.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { observeLocation } from '../../src/observe/location.js';
import {
  compareNewestFirst,
  newestFirst,
  nextStageRunSequence,
  stageRunSequence,
  stageRunSequenceTag,
} from '../../src/observe/run-order.js';
import { stageRunName } from '../../src/split-file/run-names.js';
import type { Project } from '../../src/split-file/load-project.js';
import { repoRoot } from '../support/fixtures.js';
import { projectOf } from '../support/lab-project.js';

describe("the order of a stage's runs", () => {
  it("is the creation second, then the sequence number; KFP's order otherwise", () => {
    const run = (id: string, created_at: string, seq?: number) => ({
      run_id: id,
      created_at,
      description: `stage 1. ${seq ? stageRunSequenceTag(seq) : ''}`,
    });
    // KFP's answer for two runs of second :00 whose older one has the larger UUID, and an older run.
    const kfpOrder = [
      run('f0', '2026-12-05T09:00:00Z', 1),
      run('0a', '2026-12-05T09:00:00Z', 2),
      run('77', '2026-12-05T08:59:59Z'),
    ];
    expect(newestFirst(kfpOrder).map((r) => r.run_id)).toEqual(['0a', 'f0', '77']);
    expect(compareNewestFirst(run('x', '2026-12-05T09:00:01Z', 1), run('y', '2026-12-05T09:00:00Z', 9))).toBeLessThan(
      0,
    );
    // Without sequence numbers (runs of an earlier version) KFP's order is kept.
    expect(
      newestFirst([run('b', '2026-12-05T09:00:00Z'), run('a', '2026-12-05T09:00:00Z')]).map((r) => r.run_id),
    ).toEqual(['b', 'a']);
  });

  it('numbers a new run one past every earlier one, and reads the number back', () => {
    expect(nextStageRunSequence([])).toBe(1);
    expect(nextStageRunSequence([{ description: 'no number' }])).toBe(1);
    expect(
      nextStageRunSequence([
        { description: `x ${stageRunSequenceTag(2)}` },
        { description: `x ${stageRunSequenceTag(7)}` },
      ]),
    ).toBe(8);
    expect(stageRunSequence({ description: `Revision 3f2a. ${stageRunSequenceTag(12)}` })).toBe(12);
    expect(stageRunSequence({})).toBe(0);
  });
});

describe('observing a location where one stage has two runs of the same second', () => {
  let dir: string;
  let kfpServer: KfpServer;
  let mlmdServer: MlmdServer;
  let project: Project;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-run-order-'));
    kfpServer = await startKfpServer({ dbPath: join(dir, 'kfp.sqlite') });
    mlmdServer = await startMlmdServer({});
    project = await projectOf(join(repoRoot, 'examples', 'thesis', 'split-pipeline.yaml'));
  });
  afterAll(async () => {
    await kfpServer.close();
    await mlmdServer.close();
  });

  it('takes the run with the higher sequence number as the newest, whichever KFP lists first', async () => {
    const store = kfpServer.store;
    const experiment = store.experiments.create({ displayName: 'thesis', namespace: '' });
    const name = stageRunName(project.spec.metadata.name, project.revision.short, 1);
    const newRun = (runId: string, sequence: number) =>
      store.runs.create({
        runId,
        experimentId: experiment.uuid,
        namespace: '',
        displayName: name,
        description: `split-pipelines stage 1 of thesis at a. ${stageRunSequenceTag(sequence)}`,
        source: 'spec',
        pkg: { pipelineSpec: { pipelineInfo: { name: 'thesis' } } },
        parameters: {},
      });
    // The first run failed; the second, created in the same second, is the one that counts. Its
    // UUID sorts lower, so KFP (and the lab, as list.go does) lists the failed one first.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-05T09:00:00.100Z') });
    try {
      newRun('ffffffff-0000-4000-8000-000000000001', 1);
      store.runs.finish('ffffffff-0000-4000-8000-000000000001', 'FAILED', { message: 'split-data failed' });
      vi.setSystemTime(new Date('2026-12-05T09:00:00.900Z'));
      newRun('00000000-0000-4000-8000-000000000002', 2);
    } finally {
      vi.useRealTimers();
    }
    const kfp = new KfpClient({ location: 'a', endpoint: kfpServer.url });
    const listed = await kfp.listRuns({ sortBy: 'created_at desc' });
    expect(listed.items.map((r) => r.run_id)).toEqual([
      'ffffffff-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
    expect(listed.items[0]!.created_at).toBe(listed.items[1]!.created_at);

    const mlmd = new MlmdClient({ location: 'a', address: mlmdServer.address });
    const objects = new ObjectStore({
      location: 'a',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      pipelineRoot: 'minio://mlpipeline/v2/artifacts',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      const obs = await observeLocation({
        location: { name: 'a', kfp, mlmd, store: objects, publishLogs: true },
        splitPipeline: project.spec.metadata.name,
        revision: project.revision.short,
        graph: project.graph,
        parameters: {},
        layouts: project.layouts,
      });
      const stage1 = obs.runs.filter((r) => r.stage === 1);
      expect(stage1.map((r) => [r.runId, r.state])).toEqual([
        ['00000000-0000-4000-8000-000000000002', 'pending'],
        ['ffffffff-0000-4000-8000-000000000001', 'failed'],
      ]);
    } finally {
      mlmd.close();
      objects.close();
    }
  });
});
