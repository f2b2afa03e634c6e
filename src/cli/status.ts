// `status`: where the split pipeline stands at its locations. On a terminal a drawing of the
// pipeline (locations as boxes, stages with their steps, handoffs as arrows, states as markers,
// coloured); `--markdown` the same as a Mermaid diagram for job summaries; `--json` the data.
import { ReconcileSession } from '../apply/session.js';
import { RecordsOnlyError } from '../plan/travel.js';
import type { PlanDocument } from '../plan/types.js';
import { renderGraphText } from '../report/graph-text.js';
import { locationsLine } from '../report/plan-text.js';
import { pipelineGraph, recordsOnlyByLocation } from '../report/pipeline-graph.js';
import type { Project } from '../split-file/load-project.js';
import { renderStatusMarkdown } from '../report/status-markdown.js';
import { EXIT } from './exit.js';
import type { Output } from './output.js';
import { requireProject } from './plan.js';
import type { ParsedArgs } from './run.js';

/**
 * The plan and what each location holds as records only. A plan that would be refused because a
 * location holds only the records of bytes it needs (RecordsOnlyError) is still shown: planned
 * without that knowledge, with the refusal as drift.
 */
async function observedPlan(project: Project): Promise<{ plan: PlanDocument; recordsOnly: Record<string, string[]> }> {
  const session = new ReconcileSession(project);
  try {
    const observation = await session.observe();
    const recordsOnly = recordsOnlyByLocation(observation.locations, project.graph.rootOrder);
    try {
      return { plan: session.plan(observation), recordsOnly };
    } catch (e) {
      if (!(e instanceof RecordsOnlyError)) throw e;
      const locations = Object.fromEntries(
        Object.entries(observation.locations).map(([name, { artifacts: _held, ...o }]) => [name, o]),
      );
      const plan = session.plan({ ...observation, locations });
      return { plan: { ...plan, drift: [...plan.drift, `apply would be refused: ${e.message}`] }, recordsOnly };
    }
  } finally {
    await session.close();
  }
}

export async function statusCommand(args: ParsedArgs, out: Output): Promise<number> {
  const project = await requireProject(args, out);
  const { plan, recordsOnly } = await observedPlan(project);
  const doc = {
    name: plan.name,
    revision: plan.revision,
    inSync: plan.inSync,
    stages: plan.stages,
    drift: plan.drift,
    pendingOperations: plan.operations.length,
    /** Location → artifacts (`step.output`) held there as records only, without their bytes. */
    recordsOnly,
    ...(plan.locations ? { locations: plan.locations } : {}),
  };
  if (args.values['json']) {
    out.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  if (args.values['markdown']) {
    out.stdout(renderStatusMarkdown(plan, recordsOnly));
    return EXIT.ok;
  }
  const pending = `${plan.operations.length} operation(s) pending`;
  const lines = [`Split pipeline ${plan.name}, revision ${plan.revision}: ${plan.inSync ? 'in sync' : pending}`];
  const locations = locationsLine(plan);
  if (locations) lines.push(locations);
  lines.push('');
  const options: Parameters<typeof renderGraphText>[1] = {
    color: colorWanted(out, process.env, Boolean(process.stdout.isTTY)),
  };
  if (process.stdout.columns) options.width = process.stdout.columns;
  lines.push(renderGraphText(pipelineGraph(plan, { recordsOnly }), options).trimEnd());
  if (plan.drift.length > 0) {
    lines.push('', 'Drift:');
    for (const d of plan.drift) lines.push(`  ! ${d}`);
  }
  out.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/** Colour only for people at a terminal: not in CI (Output.isTTY says so), not piped, not with NO_COLOR. */
export function colorWanted(out: Pick<Output, 'isTTY'>, env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  return out.isTTY && stdoutIsTTY && !env['NO_COLOR'];
}
