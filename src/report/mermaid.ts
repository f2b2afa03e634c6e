// The split pipeline as a Mermaid flowchart, which GitHub draws from a ```mermaid block: one box
// (subgraph) per location, holding a box per stage with its steps; handoffs as arrows between
// stages, labelled with what travels; states as colours (classDef). Names come from users' files, so
// ids are generated (never a name) and every label is quoted with Mermaid's entity codes
// (`#35;` for `#`, …) for anything but plain characters.
import {
  handoffWords,
  LOOK_WORDS,
  type GraphHandoff,
  type GraphStage,
  type PipelineGraph,
  type StageLook,
} from './pipeline-graph.js';

export interface MermaidOptions {
  /** Steps drawn per stage; the rest are counted in one node (a comment must stay short). */
  maxStepsPerStage?: number;
}

const DEFAULT_MAX_STEPS = 12;

/** State colours, close to GitHub's own palette so they read in light and dark themes. */
const CLASS_DEFS: Record<StageLook, string> = {
  done: 'fill:#dafbe1,stroke:#1a7f37,color:#0d3b1a',
  running: 'fill:#ddf4ff,stroke:#0969da,color:#0a3069',
  pending: 'fill:#f6f8fa,stroke:#8c959f,color:#24292f',
  unknown: 'fill:#ffffff,stroke:#8c959f,stroke-dasharray:4,color:#24292f',
  failed: 'fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#82071e',
  rerun: 'fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#4d2d00',
  drift: 'fill:#fbefff,stroke:#8250df,stroke-width:2px,color:#3e1f79',
};

export const LOOK_SYMBOL: Record<StageLook, string> = {
  done: '✓',
  running: '●',
  pending: '○',
  unknown: '·',
  failed: '✗',
  rerun: '↻',
  drift: '!',
};

/** The Mermaid class of a stage's look (`st-` keeps it apart from Mermaid's own class names). */
export function lookClass(look: StageLook): string {
  return `st-${look}`;
}

/**
 * Text for a quoted Mermaid label. Mermaid decodes `#<code>;` entity codes in labels; quoting with
 * them (not backslashes, which Mermaid does not know) keeps quotes, `#`, `<`, `>`, brackets, `&`
 * and Markdown's backticks from ending the label or being read as HTML or Markdown.
 */
export function mermaidText(s: string): string {
  let out = '';
  for (const ch of s.replace(/[\r\n\t]+/g, ' ')) {
    out += /^[A-Za-z0-9 .,:/+=@_-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}

/** An id made of letters, digits and `_` only, from a prefix that no Mermaid keyword equals. */
export function mermaidId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9]+/g, '_')).join('_');
}

export const locationId = (index: number, name: string): string => mermaidId('loc', index, name);
export const stageId = (index: number): string => mermaidId('stage', index);
export const stepId = (stage: number, step: number): string => mermaidId('stage', stage, 'step', step);

/** A URL inside a quoted `click … href "…"`: characters that would end the string are percent-encoded. */
function hrefText(url: string): string {
  return url.replace(/["\s<>`\\]/g, (c) => encodeURIComponent(c));
}

export function stageTitle(s: GraphStage): string {
  // Unnamed stages are named `<index>-<location>` (plan/layout.ts): nothing the title does not say already.
  const named = s.name && s.name !== String(s.index) && s.name !== `${s.index}-${s.location}` ? ` ${s.name}` : '';
  const run = s.runId ? ` · run ${s.runId.slice(0, 8)}` : '';
  return `${LOOK_SYMBOL[s.look]} stage ${s.index}${named}: ${LOOK_WORDS[s.look]}${run}`;
}

export function renderMermaid(graph: PipelineGraph, options: MermaidOptions = {}): string {
  const max = Math.max(2, options.maxStepsPerStage ?? DEFAULT_MAX_STEPS);
  const lines = ['flowchart LR'];
  const classes = new Map<StageLook, string[]>();
  const clicks: string[] = [];
  const locIds = new Map<string, string>();
  graph.locations.forEach((loc, li) => {
    const id = locationId(li + 1, loc.name);
    locIds.set(loc.name, id);
    lines.push(`  subgraph ${id}["${mermaidText(loc.name)}"]`);
    lines.push('    direction TB');
    for (const s of loc.stages) {
      const sid = stageId(s.index);
      lines.push(`    subgraph ${sid}["${mermaidText(stageTitle(s))}"]`);
      const shown = s.steps.length > max ? s.steps.slice(0, max - 1) : s.steps;
      const members = [sid];
      shown.forEach((step, k) => {
        const nid = stepId(s.index, k);
        members.push(nid);
        lines.push(`      ${nid}["${mermaidText(step)}"]`);
        if (s.runUrl) clicks.push(`  click ${nid} href "${hrefText(s.runUrl)}" "open the run in the KFP UI" _blank`);
      });
      if (shown.length < s.steps.length) {
        const nid = mermaidId('stage', s.index, 'more');
        members.push(nid);
        lines.push(`      ${nid}["${mermaidText(`… and ${s.steps.length - shown.length} more steps`)}"]`);
      }
      lines.push('    end');
      classes.set(s.look, [...(classes.get(s.look) ?? []), ...members]);
    }
    lines.push('  end');
  });
  for (const h of graph.handoffs) lines.push(`  ${edgeLine(h, locIds)}`);
  for (const look of Object.keys(CLASS_DEFS) as StageLook[]) {
    const members = classes.get(look);
    if (!members) continue;
    lines.push(`  classDef ${lookClass(look)} ${CLASS_DEFS[look]}`);
    lines.push(`  class ${members.join(',')} ${lookClass(look)}`);
  }
  lines.push(...clicks);
  return `${lines.join('\n')}\n`;
}

/** Pending handoffs dashed (this plan moves them), done ones thick. */
function edgeLine(h: GraphHandoff, locIds: ReadonlyMap<string, string>): string {
  const from =
    h.fromStage !== undefined ? stageId(h.fromStage) : (locIds.get(h.fromLocation) ?? mermaidId('loc', h.fromLocation));
  const verb = h.pending ? 'hand off' : 'handed off';
  const arrow = h.pending ? '-.->' : '==>';
  return `${from} ${arrow}|"${mermaidText(`${verb} ${handoffWords(h)}`)}"| ${stageId(h.toStage)}`;
}

/** The diagram as a fenced block for Markdown (GitHub renders it). */
export function mermaidBlock(graph: PipelineGraph, options: MermaidOptions = {}): string {
  return `\`\`\`mermaid\n${renderMermaid(graph, options)}\`\`\``;
}
