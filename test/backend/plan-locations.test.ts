/** `plan` and `status` show each observed location's KFP version and backend. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { layoutStages } from '../../src/plan/layout.js';
import type { LocationObservation } from '../../src/plan/observation.js';
import { planReconcile } from '../../src/plan/reconcile.js';
import { locationsLine, renderPlanText } from '../../src/report/plan-text.js';
import { repoRoot } from '../support/fixtures.js';

const graph = parsePipelineText(
  readFileSync(join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml'), 'utf8'),
  'thesis',
).graph!;
const input = {
  name: 'thesis',
  revision: { digest: 'f'.repeat(64), short: 'ffffffffffff' },
  pipeline: { name: graph.name, package: 'pipelines/thesis-pipeline.yaml' },
  layouts: layoutStages(graph, [
    { location: 'a', steps: ['load-data', 'split-data'] },
    { location: 'b', steps: ['train-model', 'evaluate-model', 'serve-model'] },
  ]),
  diagnostics: [],
};
const loc = (name: string, over: Partial<LocationObservation> = {}): LocationObservation => ({
  location: name,
  kfpVersion: '2.17.0',
  multiUser: false,
  pipelineVersionUploaded: false,
  runs: [],
  availability: {},
  markerRuns: [],
  ...over,
});

describe('locations in plan and status', () => {
  it('lists the backend each location was detected with', () => {
    const plan = planReconcile(input, {
      revision: 'ffffffffffff',
      locations: { a: loc('a', { backend: 'mlmd', kfpVersion: '2.14.0' }), b: loc('b', { backend: 'mlmd' }) },
    });
    expect(plan.locations).toEqual([
      { name: 'a', kfpVersion: '2.14.0', backend: 'mlmd' },
      { name: 'b', kfpVersion: '2.17.0', backend: 'mlmd' },
    ]);
    expect(renderPlanText(plan).split('\n')[1]).toBe(
      'Locations: a KFP 2.14.0 (ML Metadata), b KFP 2.17.0 (ML Metadata)',
    );
    expect(locationsLine({ ...plan, locations: [{ name: 'c', kfpVersion: 'master', backend: 'native' }] })).toBe(
      'Locations: c KFP master (native task API)',
    );
  });

  it('says nothing when no backend was detected (an observation made without a connected client)', () => {
    const plan = planReconcile(input, { revision: 'ffffffffffff', locations: { a: loc('a'), b: loc('b') } });
    expect(plan.locations).toBeUndefined();
    expect(renderPlanText(plan)).not.toContain('Locations:');
  });
});
