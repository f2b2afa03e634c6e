/**
 * Issue 11's Done-when on the lab: the thesis chain across KFP releases and the next KFP (native task and
 * artifact API, no ML Metadata), in both directions. c on the next KFP: its stage-3 run shows four CACHED
 * tasks and serve-model executed, read from c's own native task API; a on the next KFP and b, c on 2.17:
 * the handoffs out of the native location feed ML Metadata. A second apply does nothing and moves 0 bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { NativeClient } from '../../src/location/native/client.js';
import type { Project } from '../../src/split-file/load-project.js';
import { deleteObjects, exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const CACHED = ['load-data', 'split-data', 'train-model', 'evaluate-model'];

function chain(kfpVersion: Record<string, string>) {
  let lab: Lab;
  let dir: string;
  let project: Project;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-native-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], kfpVersion, ports: 'ephemeral' });
    env = labEnv([lab]);
    project = await projectOf(exampleOnLabs([lab], dir));
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    lab: () => lab,
    project: () => project,
    env: () => env,
  };
}

/** The tasks of a run at a native location, by root task name, as its own API records them. */
async function nativeTaskStates(lab: Lab, location: string, runId: string): Promise<Record<string, string[]>> {
  const native = new NativeClient({ location, endpoint: lab.locations[location]!.kfp });
  const out: Record<string, string[]> = {};
  for (const t of await native.listTasks(runId)) {
    if (t.type !== 'RUNTIME') continue;
    (out[t.name ?? ''] ??= []).push(t.state ?? '');
  }
  return out;
}

describe('a on KFP 2.14, b on 2.17, c on the next KFP', () => {
  const t = chain({ a: '2.14.0', b: '2.17.0', c: 'next' });

  it('plans with each location’s backend, applies, and c serves four steps from its native cache', async () => {
    const plan = await planProject(t.project(), { env: t.env() });
    expect(Object.fromEntries((plan.locations ?? []).map((l) => [l.name, l.backend]))).toEqual({
      a: 'mlmd',
      b: 'mlmd',
      c: 'native',
    });
    const result = await applyProject(t.project(), { env: t.env(), pollMs: 100 });
    expect(result.applied.every((a) => a.status === 'done')).toBe(true);
    const last = result.plan.stages[2]!;
    expect(last.state).toBe('done');
    expect(last.cached).toEqual(CACHED);
    expect(last.executed).toEqual(['serve-model']);
    const states = await nativeTaskStates(t.lab(), 'c', last.runId!);
    for (const step of CACHED) expect(states[step], step).toEqual(['CACHED']);
    expect(states['serve-model']).toEqual(['SUCCEEDED']);
    expect(result.inSync).toBe(true);
  }, 120_000);

  it('plans nothing afterwards, and a second apply does nothing and moves 0 bytes', async () => {
    const plan = await planProject(t.project(), { env: t.env() });
    expect(plan.operations).toEqual([]);
    expect(plan.inSync).toBe(true);
    const again = await applyProject(t.project(), { env: t.env(), pollMs: 100 });
    expect(again.applied).toEqual([]);
  }, 120_000);
});

describe('drift at a native location', () => {
  const t = chain({ a: '2.17.0', b: '2.17.0', c: 'next' });

  it('is detected through its own records and the store, and repaired by handing the step off again', async () => {
    const first = await applyProject(t.project(), { env: t.env(), pollMs: 100 });
    expect(first.inSync).toBe(true);
    // The model's bytes, handed off to c for serve-model, disappear there.
    expect(await deleteObjects(t.lab(), 'c', '/train-model/')).toBeGreaterThan(0);
    const plan = await planProject(t.project(), { env: t.env() });
    expect(plan.inSync).toBe(false);
    expect(plan.drift.join('\n')).toMatch(
      /train-model was handed off to c but is no longer available there \(.*artifact bytes missing/,
    );
    expect(plan.operations.map((o) => o.id)).toContain('handoff:3:b');
    const repaired = await applyProject(t.project(), { env: t.env(), pollMs: 100 });
    expect(repaired.inSync).toBe(true);
    // Nothing was imported twice: the handoff found its tasks by global id and only copied the bytes again.
    const handoff = repaired.applied.find((a) => a.kind === 'handoff')!;
    expect(handoff.handoff).toMatchObject({ executionsCreated: 0, artifactsCreated: 0 });
    expect(handoff.bytesMoved).toBeGreaterThan(0);
    const again = await planProject(t.project(), { env: t.env() });
    expect(again.operations).toEqual([]);
  }, 120_000);
});

describe('a on the next KFP, b and c on 2.17', () => {
  const t = chain({ a: 'next', b: '2.17.0', c: '2.17.0' });

  it('hands off out of the native location into ML Metadata, and c serves four steps from cache', async () => {
    const plan = await planProject(t.project(), { env: t.env() });
    expect(plan.locations?.find((l) => l.name === 'a')).toMatchObject({ kfpVersion: 'master', backend: 'native' });
    const result = await applyProject(t.project(), { env: t.env(), pollMs: 100 });
    expect(result.applied.every((a) => a.status === 'done')).toBe(true);
    // Stage 1 ran at a in the native API: its two steps executed there.
    const first = await nativeTaskStates(t.lab(), 'a', result.plan.stages[0]!.runId!);
    expect(first).toEqual({ 'load-data': ['SUCCEEDED'], 'split-data': ['SUCCEEDED'] });
    const out = result.applied.find((a) => a.kind === 'handoff' && a.from === 'a')!;
    expect(out.handoff).toMatchObject({ from: 'a', to: 'b', steps: ['load-data', 'split-data'] });
    expect(out.handoff!.executionsCreated).toBe(2);
    const last = result.plan.stages[2]!;
    expect(last.cached).toEqual(CACHED);
    expect(last.executed).toEqual(['serve-model']);
    expect(result.inSync).toBe(true);
    const again = await applyProject(t.project(), { env: t.env(), pollMs: 100 });
    expect(again.applied).toEqual([]);
  }, 120_000);
});
