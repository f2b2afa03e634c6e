// Plans to draw: the examples planned offline, and the thesis example's three locations planned by
// the real planner against made-up observations (a failed stage, lost outputs, drift), plus a plan
// whose names need escaping in every label.
import { offlinePlanOf } from '../../../src/api/index.js';
import type { LocationObservation, Observation, ObservedRun } from '../../../src/plan/observation.js';
import { planReconcile } from '../../../src/plan/reconcile.js';
import type { PlanDocument } from '../../../src/plan/types.js';
import { loadProject, type Project } from '../../../src/split-file/load-project.js';

export async function exampleProject(name: 'thesis' | 'train-serve'): Promise<Project> {
  const { project, diagnostics } = await loadProject(`examples/${name}/split-pipeline.yaml`);
  if (!project) throw new Error(`examples/${name} did not load: ${JSON.stringify(diagnostics)}`);
  return project;
}

export async function examplePlan(name: 'thesis' | 'train-serve'): Promise<PlanDocument> {
  return offlinePlanOf(await exampleProject(name));
}

function done(stage: number, runId: string, executed: string[], cached: string[]): ObservedRun {
  const verification = { ok: true, executed, cached, problems: [] };
  return {
    stage,
    runId,
    displayName: `s${stage}`,
    state: 'succeeded',
    createdAt: '2026-01-01T00:00:00Z',
    verification,
  };
}

function failed(stage: number, runId: string): ObservedRun {
  return {
    stage,
    runId,
    displayName: `s${stage}`,
    state: 'failed',
    createdAt: '2026-01-01T00:00:00Z',
    error: 'train-model: OOMKilled',
  };
}

function at(location: string, runs: ObservedRun[], available: string[], missing: string[]): LocationObservation {
  const availability: LocationObservation['availability'] = {};
  for (const s of available) availability[s] = { available: true, reason: 'cache row and bytes present' };
  for (const s of missing) availability[s] = { available: false, reason: `artifact bytes missing at ${location}` };
  return {
    location,
    kfpVersion: '2.14.3',
    multiUser: false,
    pipelineVersionUploaded: true,
    runs,
    availability,
    markerRuns: [],
  };
}

function plan(project: Project, locations: LocationObservation[]): PlanDocument {
  const observation: Observation = { revision: project.revision.short, locations: {} };
  for (const l of locations) observation.locations[l.location] = l;
  const input = {
    name: project.spec.metadata.name,
    revision: project.revision,
    layouts: project.layouts,
    diagnostics: [],
  };
  return planReconcile({ ...input, pipeline: { name: project.graph.name, package: project.packageName } }, observation);
}

/**
 * Thesis at a, b, c: stage 1 done at a, but split-data's bytes are gone there and at b, so stage 1
 * runs again (lost outputs); stage 2's run at b failed; stage 3 has not run.
 */
export async function failedAndLostPlan(): Promise<PlanDocument> {
  const p = await exampleProject('thesis');
  return plan(p, [
    at('a', [done(1, 'run-a-1111-2222', ['load-data', 'split-data'], [])], ['load-data'], ['split-data']),
    at('b', [failed(2, 'run-b-3333-4444')], ['load-data'], ['split-data', 'train-model', 'evaluate-model']),
    at('c', [], [], ['load-data', 'split-data', 'train-model', 'evaluate-model']),
  ]);
}

/** Thesis, every stage done, but train-model's bytes are gone at c (b still has them): drift, repaired by a handoff. */
export async function driftPlan(): Promise<PlanDocument> {
  const p = await exampleProject('thesis');
  const all = ['load-data', 'split-data', 'train-model', 'evaluate-model'];
  return plan(p, [
    at('a', [done(1, 'run-a-1', ['load-data', 'split-data'], [])], ['load-data', 'split-data'], []),
    at('b', [done(2, 'run-b-2', ['train-model', 'evaluate-model'], ['load-data', 'split-data'])], all, []),
    at('c', [done(3, 'run-c-3', ['serve-model'], all)], ['load-data', 'split-data', 'evaluate-model'], ['train-model']),
  ]);
}

/** Names a diagram must escape: quotes, `#`, `<`, `>`, brackets, `&`, dots, a Mermaid keyword. */
export const AWKWARD = {
  locations: ['edge "east" #1', 'core <main>', 'end'],
  steps: ['load.data', 'split[data]', 'train "model" #1', 'eval <b>x</b> & y', 'end', 'serve{model}(v2)'],
};

/** A hand-made plan (the renderer sees only the plan) over three awkwardly named locations. */
export function awkwardPlan(ui: boolean): PlanDocument {
  const [l1, l2, l3] = AWKWARD.locations as [string, string, string];
  const [s1, s2, s3, s4, s5, s6] = AWKWARD.steps as [string, string, string, string, string, string];
  const url = (id: string) => (ui ? { runUrl: `https://kfp.example.com/pipeline/#/runs/details/${id}` } : {});
  return {
    name: 'awkward',
    revision: 'abc1234',
    revisionDigest: 'sha256:0',
    pipeline: { name: 'p', package: 'p.yaml' },
    offline: false,
    inSync: false,
    stages: [
      { index: 1, name: '1', location: l1, steps: [s1, s2], fromCache: [], state: 'done', runId: 'r-1', ...url('r-1') },
      {
        index: 2,
        name: 'train [gpu]',
        location: l2,
        steps: [s3, s4],
        fromCache: [s1, s2],
        state: 'failed',
        runId: 'r-2',
        ...url('r-2'),
      },
      { index: 3, name: '3', location: l3, steps: [s5, s6], fromCache: [s1, s3, s4], state: 'pending' },
    ],
    operations: [
      { id: 'run-stage:2', kind: 'run-stage', stage: 2, location: l2, steps: [s3, s4], reason: 'run r-2 failed' },
      { id: `handoff:3:${l1}`, kind: 'handoff', stage: 3, location: l3, from: l1, steps: [s1], reason: 'needed' },
      { id: `handoff:3:${l2}`, kind: 'handoff', stage: 3, location: l3, from: l2, steps: [s3, s4], reason: 'needed' },
    ],
    warnings: [],
    diagnostics: [],
    drift: [],
  };
}
