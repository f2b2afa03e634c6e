// What an air-gapped export carries as bytes, by the rule apply's handoff follows (src/plan/travel.ts):
// the bytes of an artifact travel only when a step that executes at the target reads them (or a
// later location is handed them from there); everything else travels as records. And never the
// bytes of an artifact whose `spec.data` keepIn leaves the target out. The import checks the same
// rule against the bundle it is given: a bundle made for another location, or one carrying bytes
// the file keeps elsewhere, is refused before anything is written.
import type { PipelineGraph } from '../pipeline/graph.js';
import type { StageLayout } from '../plan/layout.js';
import { dataOf, type DataRule } from '../plan/residency.js';
import { artifactFlowOf, travelOf, type HandoffArtifact } from '../plan/travel.js';
import type { HandoffBundle } from './bundle.js';
import { HandoffError } from './export.js';

export interface ExportTravelRequest {
  graph: PipelineGraph;
  layouts: readonly StageLayout[];
  data: readonly DataRule[];
  /** The location exported from. */
  source: string;
  steps: readonly string[];
  /** `--to`: the location the bundle is for; else the next stage after `afterStage`, or the one location, that takes `steps` from cache. */
  to?: string;
  /** `--stage N`: the steps of stage N go to a later stage. */
  afterStage?: number;
}

export interface ExportTravel {
  target: string;
  /** The stage at the target that takes the steps from its cache. */
  stage: number;
  artifacts: HandoffArtifact[];
}

export function exportTravel(req: ExportTravelRequest): ExportTravel {
  const candidates = req.layouts.filter(
    (l) =>
      l.location !== req.source &&
      (req.to === undefined || l.location === req.to) &&
      (req.afterStage === undefined || l.index > req.afterStage) &&
      req.steps.some((s) => l.fromCache.includes(s)),
  );
  const k = candidates[0];
  const what = req.steps.join(', ');
  if (!k) {
    throw new HandoffError(
      req.to === undefined
        ? `no later stage at another location than ${req.source} takes ${what} from its cache, so the bundle has no target`
        : `no stage at ${req.to}${req.afterStage !== undefined ? ` after stage ${req.afterStage}` : ''} takes ${what} from its cache`,
      {
        location: req.source,
        advice:
          'give --to LOCATION, a location whose stage serves these steps from cache: what travels as bytes depends on what executes there',
      },
    );
  }
  const targets = [...new Set(candidates.map((l) => l.location))];
  // `--stage N` goes to the next stage that takes its steps (the chain of stages the plan hands along).
  if (req.to === undefined && req.afterStage === undefined && targets.length > 1) {
    throw new HandoffError(`${what} from ${req.source} go to more than one location (${targets.join(', ')})`, {
      location: req.source,
      advice: `give --to LOCATION (one of ${targets.join(', ')}): what travels as bytes depends on what executes there`,
    });
  }
  const labels = (ref: { step: string; output: string; type: string }) => dataOf(req.data, ref).labels;
  const artifacts = travelOf(artifactFlowOf(req.graph, labels), req.layouts, k, req.steps, { labels });
  const forbidden = artifacts.flatMap((a) => {
    if (a.travels !== 'bytes') return [];
    const keepIn = dataOf(req.data, a).keepIn;
    return keepIn && !keepIn.includes(k.location) ? [`${a.step}.${a.output} (keepIn: ${keepIn.join(', ')})`] : [];
  });
  if (forbidden.length > 0) {
    throw new HandoffError(
      `stage ${k.index} at ${k.location} reads ${forbidden.join('; ')}, whose bytes may not be stored at ${k.location}`,
      { location: req.source, advice: 'place the steps that read them at a location their keepIn lists (spec.data)' },
    );
  }
  return { target: k.location, stage: k.index, artifacts };
}

/**
 * Why a bundle may not be imported at `location` under the file's `spec.data`: an artifact whose
 * bytes it carries may not be stored there. Inner outputs of a DAG step are matched by their step
 * and type alone (the step's outputs expose them under other names), so an entry naming one output
 * of such a step keeps all of them.
 */
export function importResidencyRefusals(bundle: HandoffBundle, location: string, data: readonly DataRule[]): string[] {
  if (!data.some((d) => d.keepIn)) return [];
  const out: string[] = [];
  const byId = new Map(bundle.artifacts.map((a) => [a.globalId, a]));
  for (const e of bundle.executions) {
    const step = e.path[0]!;
    for (const o of e.outputs) {
      const a = byId.get(o.artifact);
      if (!a || a.relativePath === undefined || a.travels === 'records' || a.objects.length === 0) continue;
      const rules = e.path.length === 1 ? data : data.map(({ output: _o, ...r }) => r);
      const keepIn = dataOf(rules, { step, output: o.name, type: a.type }).keepIn;
      if (keepIn && !keepIn.includes(location))
        out.push(`${step}.${o.name} (${a.uri}) may only be stored in ${keepIn.join(', ')}`);
    }
  }
  return out;
}
