// `status`: where the split pipeline stands at its locations. On a terminal a drawing of the
// pipeline (locations as boxes, stages with their steps, handoffs as arrows, states as markers,
// coloured); `--markdown` the same as a Mermaid diagram for job summaries; `--json` the data.
import { planProject } from '../apply/apply.js';
import { renderGraphText } from '../report/graph-text.js';
import { pipelineGraph } from '../report/pipeline-graph.js';
import { renderStatusMarkdown } from '../report/status-markdown.js';
import { EXIT } from './exit.js';
import type { Output } from './output.js';
import { requireProject } from './plan.js';
import type { ParsedArgs } from './run.js';

export async function statusCommand(args: ParsedArgs, out: Output): Promise<number> {
  const project = await requireProject(args, out);
  const plan = await planProject(project);
  const doc = {
    name: plan.name,
    revision: plan.revision,
    inSync: plan.inSync,
    stages: plan.stages,
    drift: plan.drift,
    pendingOperations: plan.operations.length,
  };
  if (args.values['json']) {
    out.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  if (args.values['markdown']) {
    out.stdout(renderStatusMarkdown(plan));
    return EXIT.ok;
  }
  const pending = `${plan.operations.length} operation(s) pending`;
  const lines = [`Split pipeline ${plan.name}, revision ${plan.revision}: ${plan.inSync ? 'in sync' : pending}`, ''];
  const options: Parameters<typeof renderGraphText>[1] = {
    color: colorWanted(out, process.env, Boolean(process.stdout.isTTY)),
  };
  if (process.stdout.columns) options.width = process.stdout.columns;
  lines.push(renderGraphText(pipelineGraph(plan), options).trimEnd());
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
