import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/split-file/load-project.js';
import { dataOf, residencyViolations } from '../../src/plan/residency.js';
import type { ArtifactFlow } from '../../src/plan/travel.js';
import { layoutsOf } from './observation-builder.js';

// p makes x (raw data); q reads x and makes y; r reads y.
const flow: ArtifactFlow = {
  outputs: { p: [{ output: 'x', type: 'system.Dataset' }], q: [{ output: 'y', type: 'system.Model' }], r: [] },
  reads: { p: [], q: [{ step: 'p', output: 'x' }], r: [{ step: 'q', output: 'y' }] },
};
const tasks = { p: [], q: ['p'], r: ['q'] };

describe('residency rules', () => {
  it('matches one output, a whole step, or a type, intersecting keepIn and merging labels', () => {
    const d = dataOf(
      [
        { type: 'system.Dataset', labels: { class: 'raw' }, keepIn: ['a', 'b'] },
        { step: 'p', keepIn: ['a'] },
        { step: 'q', output: 'y', keepIn: ['c'] },
      ],
      { step: 'p', output: 'x', type: 'system.Dataset' },
    );
    expect(d).toEqual({ labels: { class: 'raw' }, keepIn: ['a'], entries: [0, 1] });
  });

  it('allows a placement where the raw data is only served from cache elsewhere', () => {
    const layouts = layoutsOf(tasks, [
      ['a', ['p', 'q']],
      ['b', ['r']],
    ]);
    expect(residencyViolations(flow, layouts, [{ step: 'p', output: 'x', keepIn: ['a'] }])).toEqual([]);
  });

  it('refuses a step that reads the data where it may not be, naming step, artifact and locations', () => {
    const layouts = layoutsOf(tasks, [
      ['a', ['p']],
      ['b', ['q', 'r']],
    ]);
    const v = residencyViolations(flow, layouts, [{ step: 'p', output: 'x', keepIn: ['a'] }]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      location: 'b',
      keepIn: ['a'],
      stage: 2,
      step: 'q',
      artifact: { step: 'p', output: 'x' },
    });
    expect(v[0]!.message).toContain('step q (stage 2) reads p.x at b, but its bytes may only be stored in a');
  });

  it('refuses a producer placed outside keepIn', () => {
    const layouts = layoutsOf(tasks, [
      ['b', ['p', 'q']],
      ['a', ['r']],
    ]);
    const v = residencyViolations(flow, layouts, [{ step: 'p', keepIn: ['a'] }]);
    expect(v.map((x) => x.message)).toEqual([
      'stage 1 executes p at b, which stores the bytes of p.x there, but they may only be stored in a',
    ]);
  });
});

describe('validate: spec.data errors at FILE:LINE:COL', () => {
  const withData = (stages: string, data: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-residency-'));
    cpSync('examples/thesis/pipelines', join(dir, 'pipelines'), { recursive: true });
    const text = readFileSync('examples/thesis/split-pipeline.yaml', 'utf8');
    const file = join(dir, 'split-pipeline.yaml');
    writeFileSync(file, text.slice(0, text.indexOf('  stages:\n')) + stages + data);
    return file;
  };
  const stages = (b: string) =>
    `  stages:\n    - location: a\n      steps: [load-data]\n    - location: b\n      steps: [${b}]\n    - location: c\n      steps: [serve-model]\n`;

  it('reports a step reading raw data outside keepIn at the step in spec.stages', async () => {
    const file = withData(
      stages('split-data, train-model, evaluate-model'),
      '  data:\n    - step: load-data\n      output: dataset\n      keepIn: [a]\n',
    );
    const { project, diagnostics } = await loadProject(file);
    expect(project).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[errors[0]!.line - 1]!.slice(errors[0]!.col - 1)).toMatch(/^split-data/);
    expect(errors[0]!.message).toContain('step split-data (stage 2) reads load-data.dataset at b');
    expect(errors[0]!.message).toContain('may only be stored in a');
  });

  it('reports unknown steps, outputs and locations with a suggestion', async () => {
    const file = withData(
      stages('split-data, train-model, evaluate-model'),
      '  data:\n    - step: load-dat\n    - step: load-data\n      output: datset\n      keepIn: [z]\n',
    );
    const { diagnostics } = await loadProject(file);
    const messages = diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('step "load-dat" is not a top-level task of the pipeline (did you mean "load-data"?)'),
        expect.stringContaining('step load-data has no output artifact "datset" (did you mean "dataset"?)'),
        expect.stringContaining('keepIn names "z", which is not in spec.locations'),
      ]),
    );
  });

  it('accepts the residency example', async () => {
    const { project, diagnostics } = await loadProject('examples/residency/split-pipeline.yaml');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(project).toBeDefined();
  });
});
