import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ancestorsOf, descendantsOf, walkTasks } from '../../src/pipeline/graph.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { compiledFixtures } from '../support/fixtures.js';

function load(rel: string) {
  const [, path] = compiledFixtures().find(([r]) => r === rel)!;
  const res = parsePipelineText(readFileSync(path, 'utf8'), rel);
  expect(res.diagnostics).toEqual([]);
  return res.graph!;
}

describe('every real compiled KFP pipeline', () => {
  const fixtures = compiledFixtures();
  it('has at least 40 fixtures to check', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });
  for (const [rel, path] of fixtures) {
    it(`parses ${rel} into a graph whose root tasks match root.dag.tasks`, () => {
      const res = parsePipelineText(readFileSync(path, 'utf8'), rel);
      expect(res.diagnostics).toEqual([]);
      const g = res.graph!;
      const keys = Object.keys(g.pkg.spec.root.dag.tasks);
      expect([...g.rootOrder].sort()).toEqual([...keys].sort());
      // topological: every dependency comes earlier
      for (const [i, k] of g.rootOrder.entries()) {
        for (const d of g.rootTasks.get(k)!.dependsOn) expect(g.rootOrder.indexOf(d.task)).toBeLessThan(i);
      }
      for (const t of walkTasks(g.rootTasks.values())) {
        if (t.kind === 'dag') expect(t.children.length).toBeGreaterThan(0);
        else expect(t.executor).toBeDefined();
      }
    });
  }
});

describe('pipeline graph', () => {
  it('reads data edges, display names and caching options of the two-step pipeline', () => {
    const g = load('two_step_pipeline.yaml');
    expect(g.name).toBe('simple-two-step-pipeline');
    expect(g.rootOrder).toEqual(['write-to-gcs', 'read-from-gcs']);
    const consumer = g.rootTasks.get('read-from-gcs')!;
    expect(consumer.displayName).toBe('Consumer');
    expect(consumer.cachingEnabled).toBe(true);
    expect(consumer.dependsOn).toContainEqual({ task: 'write-to-gcs', via: 'artifact', input: 'input_gcs_path' });
    expect(consumer.kind).toBe('container');
  });

  it('treats an empty cachingOptions as caching disabled, as proto3 omits false', () => {
    const g = load('pipeline_with_volume_no_cache.yaml');
    const disabled = [...walkTasks(g.rootTasks.values())].filter((t) => !t.cachingEnabled).map((t) => t.key);
    expect(disabled.length).toBeGreaterThan(0);
  });

  it('recognises createpvc and deletepvc as platform operations and reads the platform spec', () => {
    const g = load('pipeline_with_volume.yaml');
    const kinds = [...g.rootTasks.values()].map((t) => t.kind);
    expect(kinds).toContain('platform-op');
    expect(Object.keys(g.platformExecutors).length).toBeGreaterThan(0);
  });

  it('nests condition, loop and exit-handler DAGs under their root task', () => {
    const loops = load('parallel_and_nested/pipeline_with_loops.yaml');
    const loop = loops.rootTasks.get('for-loop-2')!;
    expect(loop.kind).toBe('dag');
    expect(loop.children.map((c) => c.path.join('/'))).toContain('for-loop-2/print-struct');
    const exit = load('pipeline_with_task_final_status.yaml');
    expect(exit.rootTasks.get('exit-op')!.dependsOn).toContainEqual({
      task: 'exit-handler-1',
      via: 'final status',
      input: 'status',
    });
  });

  it('recognises importers', () => {
    const g = load('pipeline_with_importer.yaml');
    const kinds = [...walkTasks(g.rootTasks.values())].map((t) => t.kind);
    expect(kinds).toContain('importer');
  });

  it('computes ancestors and descendants over all edge kinds', () => {
    const g = load('critical/flip_coin.yaml');
    for (const k of g.rootOrder) {
      for (const a of ancestorsOf(g, [k])) expect(descendantsOf(g, [a]).has(k)).toBe(true);
    }
  });
});

describe('bad pipeline packages', () => {
  it('refuses a KFP v1 Argo Workflow with a clear message and position', () => {
    const res = parsePipelineText(
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\n',
      'v1.yaml',
    );
    expect(res.graph).toBeUndefined();
    expect(res.diagnostics[0]).toMatchObject({ file: 'v1.yaml', line: 2, col: 7 });
    expect(res.diagnostics[0]!.message).toMatch(/KFP v1 package/);
  });

  it('says a workflow KFP compiled from a v2 run is not a package', () => {
    const text =
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  podMetadata:\n    labels: {pipelines.kubeflow.org/v2_component: "true"}\n';
    const res = parsePipelineText(text, 'wf.yaml');
    expect(res.diagnostics[0]!.message).toMatch(
      /compiled from a v2 pipeline \(a run's workflow\), not a pipeline package/,
    );
  });

  it('refuses schema version 2.0.0 as KFP does at upload', () => {
    const res = parsePipelineText(
      'pipelineInfo: {name: p}\nroot: {dag: {tasks: {}}}\nschemaVersion: 2.0.0\n',
      's.yaml',
    );
    expect(res.diagnostics[0]).toMatchObject({ line: 3, col: 16 });
    expect(res.diagnostics[0]!.message).toMatch(/only supports pipeline schema version 2.1.0/);
  });

  it('refuses a package without a schema version, as KFP does (it requires exactly 2.1.0)', () => {
    const res = parsePipelineText('pipelineInfo: {name: p}\nroot: {dag: {tasks: {}}}\n', 's.yaml');
    expect(res.diagnostics[0]!.message).toMatch(
      /only supports pipeline schema version 2.1.0, but this package has no schemaVersion/,
    );
  });

  it('reports a YAML syntax error with its position', () => {
    const res = parsePipelineText('pipelineInfo:\n  name: [x\nroot: {}\n', 'bad.yaml');
    expect(res.diagnostics.length).toBeGreaterThan(0);
    expect(res.diagnostics[0]!.message).toMatch(/YAML syntax/);
  });

  it('reports a component reference that does not exist', () => {
    const text =
      'pipelineInfo: {name: p}\nroot:\n  dag:\n    tasks:\n      a:\n        componentRef: {name: comp-missing}\nschemaVersion: 2.1.0\n';
    const res = parsePipelineText(text, 'p.yaml');
    expect(res.diagnostics[0]).toMatchObject({ line: 6, severity: 'error' });
    expect(res.diagnostics[0]!.message).toMatch(/comp-missing/);
  });

  it('reports a dependency cycle', () => {
    const text = [
      'pipelineInfo: {name: p}',
      'components: {comp-a: {executorLabel: exec-a}}',
      'deploymentSpec: {executors: {exec-a: {container: {image: alpine}}}}',
      'root:',
      '  dag:',
      '    tasks:',
      '      a: {componentRef: {name: comp-a}, dependentTasks: [b]}',
      '      b: {componentRef: {name: comp-a}, dependentTasks: [a]}',
      'schemaVersion: 2.1.0',
    ].join('\n');
    const res = parsePipelineText(text, 'p.yaml');
    expect(res.diagnostics.map((d) => d.message).join()).toMatch(/cycle/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const lines = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 0; i < 12; i++) {
      const name = String.fromCharCode(98 + i);
      const previous = `*${String.fromCharCode(97 + i)}`;
      lines.push(`${name}: &${name} [${Array(10).fill(previous).join(',')}]`);
    }
    const res = parsePipelineText(lines.join('\n'), 'bomb.yaml');
    expect(res.graph).toBeUndefined();
    expect(res.diagnostics.length).toBeGreaterThan(0);
  });
});
