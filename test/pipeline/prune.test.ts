import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ancestorsOf } from '../../src/pipeline/graph.js';
import type { IrTask } from '../../src/pipeline/ir.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { prunePipeline } from '../../src/pipeline/prune.js';
import { compiledFixtures } from '../support/fixtures.js';

function withoutCaching(task: IrTask): IrTask {
  const { cachingOptions: _c, ...rest } = task;
  return rest;
}

describe('pruning every real compiled KFP pipeline', () => {
  for (const [rel, path] of compiledFixtures()) {
    it(`keeps exactly each task's ancestors, byte-identical, in ${rel}`, () => {
      const g = parsePipelineText(readFileSync(path, 'utf8'), rel).graph!;
      for (const key of g.rootOrder) {
        const pruned = prunePipeline(g, { keep: [key], enableCaching: [key] });
        const expected = new Set([key, ...ancestorsOf(g, [key])]);
        expect(new Set(pruned.tasks)).toEqual(expected);
        expect(new Set(Object.keys(pruned.spec.root.dag.tasks))).toEqual(expected);
        // kept root tasks identical except cachingOptions
        for (const k of expected) {
          expect(withoutCaching(pruned.spec.root.dag.tasks[k]!)).toEqual(withoutCaching(g.pkg.spec.root.dag.tasks[k]!));
        }
        // kept executors identical; none unused
        const execs = pruned.spec.deploymentSpec?.executors ?? {};
        for (const [label, e] of Object.entries(execs)) expect(e).toEqual(g.pkg.spec.deploymentSpec!.executors![label]);
        const labels = new Set(
          Object.values(pruned.spec.components ?? {})
            .map((c) => c.executorLabel)
            .filter(Boolean),
        );
        expect(new Set(Object.keys(execs))).toEqual(labels);
        // the output parses again into a graph with the same tasks
        const again = parsePipelineText(pruned.yaml, `${rel}#pruned`);
        expect(again.diagnostics).toEqual([]);
        expect(new Set(again.graph!.rootOrder)).toEqual(expected);
        expect(again.graph!.name).toBe(g.name);
        // platform executors follow the executors
        for (const label of Object.keys(pruned.platformSpec?.platforms?.kubernetes?.deploymentSpec?.executors ?? {})) {
          expect(execs[label]).toBeDefined();
        }
        // caching is on for every container inside the kept, requested task
        for (const t of Object.values(again.graph!.rootTasks)) expect(t).toBeDefined();
      }
    });
  }
});

describe('prune', () => {
  it('drops components and executors that only removed tasks used', () => {
    const [, path] = compiledFixtures().find(([r]) => r === 'two_step_pipeline.yaml')!;
    const g = parsePipelineText(readFileSync(path, 'utf8'), 'two').graph!;
    const pruned = prunePipeline(g, { keep: ['write-to-gcs'] });
    expect(Object.keys(pruned.spec.components!)).toEqual(['comp-write-to-gcs']);
    expect(Object.keys(pruned.spec.deploymentSpec!.executors!)).toEqual(['exec-write-to-gcs']);
  });

  it('turns caching on for handed-off tasks that had it off, and says so', () => {
    const [, path] = compiledFixtures().find(([r]) => r === 'pipeline_with_volume_no_cache.yaml')!;
    const g = parsePipelineText(readFileSync(path, 'utf8'), 'nc').graph!;
    const off = g.rootOrder.filter((k) => !g.rootTasks.get(k)!.cachingEnabled && g.rootTasks.get(k)!.kind !== 'dag');
    expect(off.length).toBeGreaterThan(0);
    const pruned = prunePipeline(g, { keep: g.rootOrder, enableCaching: off });
    expect(pruned.cachingChanges.map((c) => c.path[0]).sort()).toEqual([...off].sort());
    for (const k of off) expect(pruned.spec.root.dag.tasks[k]!.cachingOptions).toEqual({ enableCache: true });
    // the original graph is untouched
    for (const k of off) expect(g.pkg.spec.root.dag.tasks[k]!.cachingOptions?.enableCache).not.toBe(true);
  });

  it('enables caching inside a nested DAG task', () => {
    const [, path] = compiledFixtures().find(([r]) => r === 'parallel_and_nested/pipeline_with_loops.yaml')!;
    const g = parsePipelineText(readFileSync(path, 'utf8'), 'loops').graph!;
    const comp = g.rootTasks.get('for-loop-2')!.componentName;
    const spec = structuredClone(g.pkg.spec);
    for (const t of Object.values(spec.components![comp]!.dag!.tasks)) t.cachingOptions = {};
    const g2 = parsePipelineText(JSON.stringify(spec), 'loops2').graph!;
    const pruned = prunePipeline(g2, { keep: ['for-loop-2'], enableCaching: ['for-loop-2'] });
    for (const t of Object.values(pruned.spec.components![comp]!.dag!.tasks))
      expect(t.cachingOptions).toEqual({ enableCache: true });
    expect(pruned.cachingChanges.every((c) => c.path[0] === 'for-loop-2' && c.path.length === 2)).toBe(true);
  });

  it('removes root outputs whose producer was pruned', () => {
    const [, path] = compiledFixtures().find(([r]) => r === 'essential/pipeline_with_outputs.yaml')!;
    const g = parsePipelineText(readFileSync(path, 'utf8'), 'outs').graph!;
    const first = g.rootOrder[0]!;
    const pruned = prunePipeline(g, { keep: [first] });
    const outs = pruned.spec.root.dag.outputs;
    for (const a of Object.values(outs?.artifacts ?? {}))
      for (const s of a.artifactSelectors ?? []) expect(pruned.tasks).toContain(s.producerSubtask);
  });

  it('rejects a task that is not in the pipeline', () => {
    const [, path] = compiledFixtures().find(([r]) => r === 'hello_world.yaml')!;
    const g = parsePipelineText(readFileSync(path, 'utf8'), 'hw').graph!;
    expect(() => prunePipeline(g, { keep: ['nope'] })).toThrow(/not a root task/);
  });
});
