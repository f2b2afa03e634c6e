/**
 * Outputs lost everywhere, where the producing stage runs at the next KFP (native API): the plan runs stage 1
 * at a again with caching off for the lost step; the next driver then records no fingerprint for it
 * (`next:backend/src/v2/driver/cache.go:91-93`: a task that opts out of caching gets none), so the apply
 * writes the fresh cache entry itself, on the task that ran; later stages are cache hits on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { NativeClient } from '../../src/location/native/client.js';
import { deleteObjects, exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

let lab: Lab;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-native-refresh-'));
  lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['a', 'b', 'c'],
    kfpVersion: { a: 'next' },
    ports: 'ephemeral',
  });
}, 60_000);
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outputs lost everywhere, produced at a native location', () => {
  it('runs the step again at a, writes its fresh cache entry there, and the chain converges', async () => {
    const project = await projectOf(exampleOnLabs([lab], dir));
    const env = labEnv([lab]);
    const first = await applyProject(project, { env, pollMs: 100, through: '2' });
    expect(first.plan.stages.map((s) => s.state)).toEqual(['done', 'done', 'pending']);
    for (const name of ['a', 'b']) expect(await deleteObjects(lab, name, '/split-data/')).toBeGreaterThan(0);
    const plan = await planProject(project, { env });
    expect(plan.operations.find((o) => o.id === 'run-stage:1')?.refresh).toEqual(['split-data']);
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.applied.find((a) => a.id === 'run-stage:1')!.detail).toMatch(/1 fresh cache entries for split-data/);
    expect(result.plan.stages[0]).toMatchObject({ executed: ['split-data'], cached: ['load-data'] });
    expect(result.plan.stages[2]).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    // The entry is on the task that ran, in a's own records: the newest SUCCEEDED task with its fingerprint.
    const native = new NativeClient({ location: 'a', endpoint: lab.locations['a']!.kfp });
    const tasks = await native.listTasks(result.plan.stages[0]!.runId!);
    const split = tasks.find((t) => t.name === 'split-data' && t.type === 'RUNTIME')!;
    expect(split.state).toBe('SUCCEEDED');
    expect(split.cache_fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect((await native.findCached('', split.cache_fingerprint!))?.task_id).toBe(split.task_id);
    // Not by chance: the run was submitted only once the second of the stale answer had passed, so its task is
    // strictly newer in KFP's order (creation second first, then a random UUID).
    const stale = (await native.listTasks(first.plan.stages[0]!.runId!)).find(
      (t) => t.name === 'split-data' && t.type === 'RUNTIME',
    )!;
    const second = (t: { create_time?: string }) => Math.floor(Date.parse(t.create_time ?? '') / 1000);
    expect(stale.cache_fingerprint).toBe(split.cache_fingerprint);
    expect(second(split)).toBeGreaterThan(second(stale));
  }, 180_000);
});
