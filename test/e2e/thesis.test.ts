import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import type { Project } from '../../src/split-file/load-project.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

describe('the thesis example on a three-location lab', () => {
  let lab: Lab;
  let project: Project;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-e2e-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    env = labEnv([lab]);
    project = await projectOf(exampleOnLabs([lab], dir));
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('applies stage by stage, ending with c serving four steps from cache and executing serve-model', async () => {
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.applied.every((a) => a.status === 'done')).toBe(true);
    const last = result.plan.stages[2]!;
    expect(last.state).toBe('done');
    expect(last.cached).toEqual(['load-data', 'split-data', 'train-model', 'evaluate-model']);
    expect(last.executed).toEqual(['serve-model']);
    expect(result.inSync).toBe(true);
    expect(result.plan.operations).toEqual([]);
  }, 120_000);

  it('plans nothing afterwards, and a second apply submits no run and moves 0 bytes', async () => {
    const plan = await planProject(project, { env });
    expect(plan.inSync).toBe(true);
    expect(plan.operations).toEqual([]);
    const again = await applyProject(project, { env, pollMs: 100 });
    expect(again.applied).toEqual([]);
  }, 120_000);
});
