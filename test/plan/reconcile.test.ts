import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocationObservation, Observation, ObservedRun } from '../../src/plan/observation.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { layoutStages } from '../../src/plan/layout.js';
import { planOffline } from '../../src/plan/offline.js';
import { planReconcile, type ReconcileInput } from '../../src/plan/reconcile.js';
import { repoRoot } from '../support/fixtures.js';

const graph = parsePipelineText(
  readFileSync(join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml'), 'utf8'),
  'thesis',
).graph!;
const stages = [
  { location: 'a', steps: ['load-data', 'split-data'] },
  { location: 'b', steps: ['train-model', 'evaluate-model'] },
  { location: 'c', steps: ['serve-model'] },
];
const input: ReconcileInput = {
  name: 'thesis',
  revision: { digest: 'f'.repeat(64), short: 'ffffffffffff' },
  pipeline: { name: graph.name, package: 'pipelines/thesis-pipeline.yaml' },
  layouts: layoutStages(graph, stages),
  diagnostics: [],
};
const ALL = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];

function loc(name: string, over: Partial<LocationObservation> = {}): LocationObservation {
  return {
    location: name,
    kfpVersion: '2.17.0',
    multiUser: false,
    pipelineVersionUploaded: true,
    runs: [],
    availability: {},
    markerRuns: [],
    ...over,
  };
}
function done(stage: number, executed: string[], cached: string[]): ObservedRun {
  return {
    stage,
    runId: `run-${stage}`,
    displayName: `s${stage}`,
    state: 'succeeded',
    createdAt: '2026-01-01T00:00:00Z',
    verification: { ok: true, executed, cached, problems: [] },
  };
}
function avail(steps: string[]) {
  return Object.fromEntries(steps.map((s) => [s, { available: true, reason: 'cache row and bytes present' }]));
}
/** The state after a complete, successful apply. */
function converged(): Observation {
  return {
    revision: 'ffffffffffff',
    locations: {
      a: loc('a', {
        runs: [done(1, ['load-data', 'split-data'], [])],
        availability: avail(['load-data', 'split-data']),
      }),
      b: loc('b', {
        runs: [done(2, ['train-model', 'evaluate-model'], ['load-data', 'split-data'])],
        availability: avail(ALL.slice(0, 4)),
      }),
      c: loc('c', { runs: [done(3, ['serve-model'], ALL.slice(0, 4))], availability: avail(ALL) }),
    },
  };
}
const kinds = (p: { operations: { id: string }[] }) => p.operations.map((o) => o.id);

describe('planReconcile', () => {
  it('plans the whole chain for a fresh revision, handing everything off along a→b→c', () => {
    const p = planReconcile(input, {
      revision: 'x',
      locations: { a: loc('a', { pipelineVersionUploaded: false }), b: loc('b'), c: loc('c') },
    });
    expect(kinds(p)).toEqual([
      'upload-pipeline:a',
      'run-stage:1',
      'verify-stage:1',
      'handoff:2:a',
      'run-stage:2',
      'verify-stage:2',
      'handoff:3:b',
      'run-stage:3',
      'verify-stage:3',
    ]);
    expect(p.operations.find((o) => o.id === 'handoff:3:b')!.steps).toEqual([
      'load-data',
      'split-data',
      'train-model',
      'evaluate-model',
    ]);
    expect(p.inSync).toBe(false);
    expect(p.stages.map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);
  });

  it('plans nothing once every stage is done and verified', () => {
    const p = planReconcile(input, converged());
    expect(p.operations).toEqual([]);
    expect(p.inSync).toBe(true);
    expect(p.stages.map((s) => s.state)).toEqual(['done', 'done', 'done']);
    expect(p.stages[2]!.cached).toEqual(ALL.slice(0, 4));
  });

  it('hands off only what a target lost when its source still has it', () => {
    const o = converged();
    o.locations['c']!.availability['train-model'] = { available: false, reason: 'no cache row for fingerprint 12ab' };
    const p = planReconcile(input, o);
    expect(kinds(p)).toEqual(['handoff:3:b']);
    expect(p.operations[0]!.steps).toEqual(['train-model']);
    expect(p.operations[0]!.reason).toMatch(/no cache row for fingerprint 12ab/);
    expect(p.drift.join()).toMatch(/train-model was handed off to c/);
  });

  it('awaits a running stage instead of submitting it again', () => {
    const o = converged();
    o.locations['c']!.runs = [{ stage: 3, runId: 'r3', displayName: 's3', state: 'running', createdAt: '' }];
    const p = planReconcile(input, o);
    expect(kinds(p)).toEqual(['await-stage:3', 'verify-stage:3']);
    expect(p.stages[2]!.state).toBe('running');
  });

  it('runs a failed stage again and says why', () => {
    const o = converged();
    o.locations['c']!.runs = [
      {
        stage: 3,
        runId: 'r3',
        displayName: 's3',
        state: 'failed',
        createdAt: '',
        error: 'serve-model: accuracy too low',
      },
    ];
    const p = planReconcile(input, o);
    expect(kinds(p)).toEqual(['run-stage:3', 'verify-stage:3']);
    expect(p.operations[0]!.reason).toMatch(/accuracy too low/);
  });

  it('runs the producing stage again when a step a pending stage needs was lost everywhere', () => {
    const o = converged();
    o.locations['c']!.runs = [];
    o.locations['c']!.availability = {};
    for (const l of ['a', 'b'])
      o.locations[l]!.availability['split-data'] = { available: false, reason: 'artifact bytes missing' };
    const p = planReconcile(input, o);
    // a runs split-data again; b (done, but drifted) and c (still to run) get it from a.
    expect(kinds(p)).toEqual([
      'run-stage:1',
      'verify-stage:1',
      'handoff:2:a',
      'handoff:3:a',
      'handoff:3:b',
      'run-stage:3',
      'verify-stage:3',
    ]);
    expect(p.operations.find((o) => o.id === 'handoff:3:b')!.steps).toEqual(['train-model', 'evaluate-model']);
    expect(p.operations.find((o) => o.id === 'handoff:3:a')!.steps).toEqual(['load-data', 'split-data']);
    expect(p.operations.find((o) => o.id === 'run-stage:1')!.reason).toMatch(/no location has it any more/);
    expect(p.stages[0]!.state).toBe('pending');
  });

  it('reports lost availability at a done stage as drift when no location can repair it', () => {
    const o = converged();
    for (const l of ['a', 'b', 'c'])
      o.locations[l]!.availability['load-data'] = { available: false, reason: 'bytes missing' };
    const p = planReconcile(input, o);
    expect(p.operations).toEqual([]);
    expect(p.drift.length).toBeGreaterThan(0);
  });
});

describe('planOffline', () => {
  it('lists every stage as unknown and never claims to be in sync', () => {
    const p = planOffline(input);
    expect(p.offline).toBe(true);
    expect(p.inSync).toBe(false);
    expect(p.stages.every((s) => s.state === 'unknown')).toBe(true);
    expect(kinds(p)).toContain('handoff:2:a');
    expect(kinds(p).filter((k) => k.startsWith('upload-pipeline'))).toEqual([
      'upload-pipeline:a',
      'upload-pipeline:b',
      'upload-pipeline:c',
    ]);
  });
});

describe('plan diagnostics', () => {
  it('carries the diagnostics it was given, and one line each in warnings for readers of the older JSON', () => {
    const diagnostics = [
      { severity: 'info' as const, summary: 'caching switched on for load-data', where: { stage: 1, location: 'a' } },
      {
        severity: 'warning' as const,
        summary: 'odd',
        detail: 'why',
        where: { file: 'split-pipeline.yaml', line: 4, column: 3 },
      },
    ];
    const p = planReconcile({ ...input, diagnostics }, converged());
    expect(p.diagnostics).toEqual(diagnostics);
    expect(p.warnings).toEqual(['stage 1 (a): caching switched on for load-data', 'split-pipeline.yaml:4: odd']);
    expect(planOffline({ ...input, diagnostics }).diagnostics).toEqual(diagnostics);
  });
});
