import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { MlmdClient } from '../../src/location/mlmd/index.js';
import { runCli } from '../support/cli.js';
import { deleteObjects, exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';
import { applyJson } from '../support/json-output.js';

const labs: Lab[] = [];
afterAll(async () => {
  for (const lab of labs) await lab.close();
});
async function lab(dir: string, options: Parameters<typeof startLab>[0]): Promise<Lab> {
  const l = await startLab({ ...options, dir: join(dir, options.dir), ports: 'ephemeral' });
  labs.push(l);
  return l;
}

describe('handoffs between unlike locations', () => {
  it('hands off from KFP 2.14 with one bucket and root to KFP 2.17 with another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-variants-'));
    const train = await lab(dir, {
      dir: 'train',
      locations: ['train'],
      kfpVersion: '2.14.0',
      pipelineRoot: 'minio://train-artifacts/kfp/root',
    });
    const serve = await lab(dir, {
      dir: 'serve',
      locations: ['serve'],
      kfpVersion: '2.17.0',
      pipelineRoot: 'minio://serving/v2/artifacts',
    });
    const project = await projectOf(exampleOnLabs([train, serve], dir, 'train-serve'));
    const env = labEnv([train]);
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[1]).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    // The handed-off artifacts live under the target's own root, in its own bucket.
    const mlmd = new MlmdClient({ location: 'serve', address: serve.locations['serve']!.mlmd });
    const models = (await mlmd.getArtifactsByType('system.Model')).items;
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) expect(m.uri).toMatch(/^minio:\/\/serving\/v2\/artifacts\//);
    mlmd.close();
  }, 120_000);
});

describe('drift at a target', () => {
  it('plans only the missing handoff again when the handoff cache rows were removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-drift-'));
    const l = await lab(dir, { dir: 'lab', locations: ['a', 'b', 'c'] });
    const project = await projectOf(exampleOnLabs([l], dir));
    const env = labEnv([l]);
    const first = await applyProject(project, { env, pollMs: 100 });
    expect(first.inSync).toBe(true);
    // Deleting the marker run at c deletes the cache rows it owns (KFP's foreign key cascades).
    const kfp = new KfpClient({ location: 'c', endpoint: l.locations['c']!.kfp });
    const markers = (await kfp.listRuns({ pageSize: 100 })).items.filter((r) =>
      r.display_name?.includes('-handoff-3-from-'),
    );
    expect(markers.length).toBe(1);
    await kfp.deleteRun(markers[0]!.run_id);
    const plan = await planProject(project, { env });
    expect(plan.operations.map((o) => o.id)).toEqual(['handoff:3:b']);
    expect(plan.operations[0]!.steps).toEqual(['load-data', 'split-data', 'train-model', 'evaluate-model']);
    expect(plan.drift.length).toBe(4);
    const repaired = await applyProject(project, { env, pollMs: 100 });
    expect(repaired.applied.map((a) => a.id)).toEqual(['handoff:3:b']);
    expect(repaired.applied[0]!.bytesMoved).toBe(0); // the bytes were still there
    expect(repaired.inSync).toBe(true);
  }, 120_000);
});

describe('a token-protected multi-user location', () => {
  it('works through the CLI, and the token never appears in any output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-mu-'));
    const token = 'tok-7Qz9-very-secret-value-4411';
    const l = await lab(dir, {
      dir: 'lab',
      locations: ['train', 'serve'],
      multiUser: { serve: { token, namespace: 'team-ml' } },
    });
    const file = exampleOnLabs([l], dir, 'train-serve');
    const env = labEnv([l], { LAB_SERVE_TOKEN: token });
    const apply = await runCli(['apply', '-f', file, '--json'], { env, timeoutMs: 120_000 });
    expect(apply.stderr).not.toContain(token);
    expect(apply.stdout).not.toContain(token);
    expect(apply.code).toBe(0);
    const doc = applyJson(apply.stdout);
    expect(doc.inSync).toBe(true);
    expect(doc.stages[1]).toMatchObject({ location: 'serve', state: 'done', executed: ['serve-model'] });
    const status = await runCli(['status', '-f', file], { env });
    expect(status.code).toBe(0);
    expect(status.stdout + status.stderr).not.toContain(token);
    // Without the token the location refuses, and the message says where to put it.
    const denied = await runCli(['plan', '-f', file], { env: { ...env, LAB_SERVE_TOKEN: 'wrong' } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/serve/);
    expect(denied.stderr).toMatch(/LAB_SERVE_TOKEN/);
  }, 180_000);
});

// KFP keeps run and cache-row times in seconds and breaks ties by random UUIDs. On a fast machine the
// first apply's stage-1 run and the refresh run, or the two handoffs' cache rows at b, fall in the same
// second: then KFP's `created_at desc` listed the older one first about half the time, which made this
// test flaky (the old run observed as stage 1's, or stage 2 at b served the first handoff's deleted
// split-data). Runs are now told apart by their sequence number and rows are written strictly newer;
// the second case below freezes the clock so that every time is the same second.
async function outputsLostEverywhere(): Promise<void> {
  {
    const dir = mkdtempSync(join(tmpdir(), 'sp-lost-'));
    const l = await lab(dir, { dir: 'lab', locations: ['a', 'b', 'c'] });
    const project = await projectOf(exampleOnLabs([l], dir));
    const env = labEnv([l]);
    const first = await applyProject(project, { env, pollMs: 100, through: '2' });
    expect(first.plan.stages.map((s) => s.state)).toEqual(['done', 'done', 'pending']);
    // split-data's bytes disappear at a (where it ran) and at b (where it was handed off).
    for (const name of ['a', 'b']) expect(await deleteObjects(l, name, '/split-data/')).toBeGreaterThan(0);
    const plan = await planProject(project, { env });
    const run1 = plan.operations.find((o) => o.id === 'run-stage:1')!;
    expect(run1.refresh).toEqual(['split-data']);
    expect(plan.operations.map((o) => o.id)).toContain('run-stage:2'); // its train-model consumed the lost split
    const events: string[] = [];
    const result = await applyProject(project, {
      env,
      pollMs: 100,
      onEvent: (e) => void events.push(JSON.stringify(e)),
    }).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}\nplanned: ${plan.operations.map((o) => o.id).join(', ')}\nevents:\n${events.join('\n')}`,
      );
    });
    expect(result.inSync).toBe(true);
    expect(result.applied.find((a) => a.id === 'run-stage:1')!.detail).toMatch(/1 fresh cache rows for split-data/);
    expect(result.plan.stages[2], JSON.stringify(result.plan.stages[2])).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    expect(result.plan.stages[0], JSON.stringify(result.plan.stages[0])).toMatchObject({
      executed: ['split-data'],
      cached: ['load-data'],
    });
  }
}

describe('outputs lost everywhere', () => {
  it(
    'runs the producing stage again with caching off for the lost step, writes fresh cache rows, and re-runs its consumers',
    outputsLostEverywhere,
    180_000,
  );

  it('does the same when every run and cache row is created within one second', async () => {
    // Only Date is faked (timers run): every KFP, MLMD and lease time is this one instant (now, so
    // that the object store's request-time check, which allows minutes of skew, is satisfied).
    vi.useFakeTimers({ toFake: ['Date'], now: Math.floor(Date.now() / 1000) * 1000 });
    try {
      await outputsLostEverywhere();
    } finally {
      vi.useRealTimers();
    }
  }, 180_000);
});
