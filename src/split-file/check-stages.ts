// Semantic checks of step placement against the pipeline itself: every root task placed exactly
// once (duplicates are reported by check-locations), no task before something it depends on, no
// handed-off step that could never be a cache hit at the next location (run-specific inputs, the
// pipeline workspace: check-workspace.ts), and warnings for importer URIs that mean another store at
// another location (check-importer-uris.ts).
import { walkTasks, type PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import { runSpecificInputs } from '../pipeline/run-specific.js';
import { layoutStages, type StageInput } from '../plan/layout.js';
import { importerUriFindings } from './check-importer-uris.js';
import { workspaceUses } from './check-workspace.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { closestMatch } from './did-you-mean.js';
import { pipelineParameterValues } from './static-values.js';
import type { LocationSpec } from './types.js';

export type PositionLookup = (path: readonly (string | number)[]) => { line: number; col: number };

/** The rest of the file that some checks need: the locations and the runs' parameters. */
export interface StageCheckContext {
  locations?: readonly LocationSpec[];
  pipeline?: { parameters?: Record<string, JsonValue> };
}

export function checkStages(
  file: string,
  graph: PipelineGraph,
  stages: readonly StageInput[],
  at: PositionLookup,
  context: StageCheckContext = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: (string | number)[], message: string, severity: Diagnostic['severity'] = 'error') => {
    const p = at(path);
    out.push({ file, line: p.line, col: p.col, severity, message });
  };
  const rootKeys = graph.rootOrder;
  const nested = new Map<string, string>();
  for (const root of graph.rootTasks.values()) for (const t of walkTasks(root.children)) nested.set(t.key, root.key);

  const stageOf = new Map<string, number>();
  stages.forEach((s, i) =>
    s.steps.forEach((step, j) => {
      if (graph.rootTasks.has(step)) {
        if (!stageOf.has(step)) stageOf.set(step, i);
        return;
      }
      const parent = nested.get(step);
      if (parent) {
        report(
          ['spec', 'stages', i, 'steps', j],
          `step "${step}" is inside "${parent}" (a condition, loop or nested pipeline); ` +
            `place "${parent}" instead: a nested task runs where its root task runs`,
        );
        return;
      }
      const hint = closestMatch(step, rootKeys);
      report(
        ['spec', 'stages', i, 'steps', j],
        `step "${step}" is not a task of pipeline "${graph.name}"${hint ? ` (did you mean "${hint}"?)` : ''}` +
          `; its root tasks are: ${rootKeys.join(', ')}`,
      );
    }),
  );
  const unplaced = rootKeys.filter((k) => !stageOf.has(k));
  if (unplaced.length > 0) {
    report(
      ['spec', 'stages'],
      `every task of the pipeline must be placed in a stage; not placed: ${unplaced.join(', ')}`,
    );
  }
  // Order: a task may not run in an earlier stage than anything it waits for.
  for (const [step, i] of stageOf) {
    // One message per dependency, naming the data edge when there is one.
    const deps = graph.rootTasks.get(step)!.dependsOn;
    const shown = deps.filter(
      (d) => d.via !== 'dependentTasks' || !deps.some((o) => o.task === d.task && o.via !== 'dependentTasks'),
    );
    for (const dep of shown) {
      const j = stageOf.get(dep.task);
      if (j === undefined || j <= i) continue;
      const how =
        dep.via === 'dependentTasks'
          ? 'runs after it'
          : `takes its ${dep.via}${dep.input ? ` as input "${dep.input}"` : ''}`;
      const idx = stages[i]!.steps.indexOf(step);
      report(
        ['spec', 'stages', i, 'steps', idx],
        `step "${step}" (stage ${i + 1}, location ${stages[i]!.location}) ${how} from "${dep.task}", ` +
          `which is placed later (stage ${j + 1}, location ${stages[j]!.location}); ` +
          `move "${step}" to stage ${j + 1} or later, or "${dep.task}" to stage ${i + 1} or earlier`,
      );
    }
  }
  if (out.some((d) => d.severity === 'error')) return out;

  // Handed-off steps must be cacheable across runs.
  const layouts = layoutStages(graph, stages);
  const parameters = pipelineParameterValues(
    graph.pkg.spec.root.inputDefinitions?.parameters,
    context.pipeline?.parameters,
  );
  const reported = new Set<string>();
  for (const layout of layouts) {
    for (const step of layout.fromCache) {
      if (reported.has(step)) continue;
      reported.add(step);
      const i = stageOf.get(step)!;
      const pos = ['spec', 'stages', i, 'steps', stages[i]!.steps.indexOf(step)];
      const node = graph.rootTasks.get(step)!;
      for (const r of runSpecificInputs(node)) {
        report(
          pos,
          `step "${step}" is needed by stage ${layout.index} (${layout.location}) but cannot be a cache hit there: ` +
            `input "${r.input}" of "${r.task.join('/')}" is ${r.what}, so its fingerprint differs in every run; ` +
            `place "${step}" in stage ${layout.index} too, or pass the value as a pipeline parameter`,
        );
      }
      for (const u of workspaceUses(node, graph.rootTasks, parameters)) {
        report(
          pos,
          `step "${step}" is needed by stage ${layout.index} (${layout.location}) but cannot be a cache hit there: ` +
            `input "${u.input}" of "${u.task.join('/')}" is ${u.why}, so it uses the pipeline workspace, ` +
            `and from KFP 2.15 its fingerprint holds the run's workspace PVC ("<run name>-kfp-workspace"), ` +
            "which differs in every run (the workspace's files stay with the run too); " +
            `place "${step}" in stage ${layout.index} with the steps that need it, ` +
            'or pass the data between them as artifacts instead of through the workspace',
        );
      }
      const off = [...walkTasks([node])]
        .filter((t) => t.kind !== 'dag' && !t.cachingEnabled)
        .map((t) => t.path.join('/'));
      if (off.length > 0) {
        report(
          pos,
          `caching is disabled for ${off.join(', ')} in the pipeline package; split-pipelines turns it on ` +
            `in the pruned runs so that "${step}" can be handed off to ${layout.location}`,
          'warning',
        );
      }
      const pvcs = [...walkTasks([node])].filter(
        (t) => t.executorLabel && graph.platformExecutors[t.executorLabel]?.pvcMount?.length,
      );
      if (pvcs.length > 0) {
        report(
          pos,
          `"${pvcs.map((t) => t.path.join('/')).join(', ')}" mount a PVC: volume contents are not handed off, ` +
            'and from KFP 2.15 the PVC name is part of the fingerprint; ' +
            'the target location needs a PVC with the same name and data',
          'warning',
        );
      }
    }
  }
  if (context.locations) {
    for (const f of importerUriFindings(graph.rootTasks, stages, context.locations, parameters)) {
      report(['spec', 'stages', f.stage, 'steps', f.step], f.message, 'warning');
    }
  }
  return out;
}
