// Checks of `spec.data` against the pipeline and the placement: entries name real steps, outputs,
// types and locations, and no stage puts an artifact's bytes where its `keepIn` forbids
// (src/plan/residency.ts). Decidable offline, so `validate` reports them at FILE:LINE:COL.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import { layoutStages } from '../plan/layout.js';
import { residencyViolations } from '../plan/residency.js';
import { artifactFlowOf } from '../plan/travel.js';
import type { PositionLookup } from './check-stages.js';
import { closestMatch } from './did-you-mean.js';
import type { SplitPipelineBody } from './types.js';

export function checkData(
  file: string,
  graph: PipelineGraph,
  spec: SplitPipelineBody,
  at: PositionLookup,
): Diagnostic[] {
  const data = spec.data ?? [];
  if (data.length === 0) return [];
  const out: Diagnostic[] = [];
  const report = (path: (string | number)[], message: string) =>
    out.push({ file, ...at(path), severity: 'error', message });
  const flow = artifactFlowOf(graph);
  const locations = spec.locations.map((l) => l.name);
  const types = new Set(Object.values(flow.outputs).flatMap((os) => os.map((o) => o.type)));
  data.forEach((d, i) => {
    const hint = (name: string, among: readonly string[]) => {
      const m = closestMatch(name, among);
      return m ? ` (did you mean "${m}"?)` : '';
    };
    if (d.step !== undefined && !graph.rootTasks.has(d.step)) {
      report(
        ['spec', 'data', i, 'step'],
        `spec.data: step "${d.step}" is not a top-level task of the pipeline${hint(d.step, graph.rootOrder)}`,
      );
      return;
    }
    if (d.step !== undefined && d.output !== undefined) {
      const outputs = (flow.outputs[d.step] ?? []).map((o) => o.output);
      if (!outputs.includes(d.output))
        report(
          ['spec', 'data', i, 'output'],
          `spec.data: step ${d.step} has no output artifact "${d.output}"${hint(d.output, outputs)}; its outputs: ${outputs.join(', ') || 'none'}`,
        );
    }
    if (d.output !== undefined && d.step === undefined)
      report(['spec', 'data', i, 'output'], 'spec.data: `output` needs `step`');
    if (d.type !== undefined && !types.has(d.type))
      report(
        ['spec', 'data', i, 'type'],
        `spec.data: no step of the pipeline outputs an artifact of type "${d.type}"${hint(d.type, [...types])}`,
      );
    (d.keepIn ?? []).forEach((l, j) => {
      if (!locations.includes(l))
        report(
          ['spec', 'data', i, 'keepIn', j],
          `spec.data: keepIn names "${l}", which is not in spec.locations${hint(l, locations)}`,
        );
    });
  });
  if (out.length > 0) return out;
  const layouts = layoutStages(graph, spec.stages);
  for (const v of residencyViolations(flow, layouts, data)) {
    const j = spec.stages[v.stage - 1]?.steps.indexOf(v.step) ?? -1;
    report(
      ['spec', 'stages', v.stage - 1, 'steps', ...(j >= 0 ? [j] : [])],
      `residency: ${v.message} (spec.data[${v.entries.join('], spec.data[')}])`,
    );
  }
  return out;
}
