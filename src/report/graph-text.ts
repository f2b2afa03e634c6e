// The split pipeline drawn as text for terminals and logs: what the Mermaid diagram shows, top to
// bottom. Consecutive stages at one location share a box; the handoffs into a box are arrows above
// it, labelled with what travels. Colour only when asked (a terminal): CI logs and pipes get plain text.
import { LOOK_SYMBOL, stageTitle } from './mermaid.js';
import {
  handoffWords,
  type GraphHandoff,
  type GraphStage,
  type PipelineGraph,
  type StageLook,
} from './pipeline-graph.js';

export interface GraphTextOptions {
  /** ANSI colours for states (a terminal that is not CI). */
  color?: boolean;
  /** Columns to fit (the terminal's width); lines are wrapped inside the boxes. */
  width?: number;
}

const COLOR: Record<StageLook, string> = {
  done: '32',
  running: '36',
  pending: '37',
  unknown: '90',
  failed: '31',
  rerun: '33',
  drift: '35',
};

interface Line {
  text: string;
  /** Never wrapped (a URL must stay clickable). */
  whole?: boolean;
  look?: StageLook;
}

export function renderGraphText(graph: PipelineGraph, options: GraphTextOptions = {}): string {
  const width = Math.max(40, options.width ?? 100);
  const paint = (text: string, code: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const out: string[] = [];
  const boxes = boxesOf(graph.stages);
  for (const [i, box] of boxes.entries()) {
    const into = graph.handoffs.filter((h) => box.stages.some((s) => s.index === h.toStage));
    for (const h of into) {
      const text = `${fromWords(h)} → ${h.toLocation} (stage ${h.toStage}): ${h.pending ? 'hand off' : 'handed off'} ${handoffWords(h, 6)}`;
      for (const [i, piece] of wrap(text, width - 6).entries()) {
        out.push(`    ${i === 0 ? paint('│', h.pending ? '33' : '90') : ' '} ${piece}`);
      }
      out.push(`    ${paint('▼', h.pending ? '33' : '90')}`);
    }
    const lines = box.stages.flatMap(stageLines);
    // What the location holds without bytes, once, in its last box.
    const held = graph.locations.find((l) => l.name === box.location)?.recordsOnly;
    if (held && !boxes.slice(i + 1).some((b) => b.location === box.location))
      lines.push({ text: `records only (no bytes here): ${held.join(', ')}` });
    out.push(...drawBox(box.location, lines, width, paint));
  }
  return `${out.join('\n')}\n`;
}

function fromWords(h: GraphHandoff): string {
  return h.fromStage !== undefined ? `${h.fromLocation} (stage ${h.fromStage})` : h.fromLocation;
}

function boxesOf(stages: GraphStage[]): { location: string; stages: GraphStage[] }[] {
  const boxes: { location: string; stages: GraphStage[] }[] = [];
  for (const s of stages) {
    const last = boxes[boxes.length - 1];
    if (last && last.location === s.location) last.stages.push(s);
    else boxes.push({ location: s.location, stages: [s] });
  }
  return boxes;
}

function stageLines(s: GraphStage): Line[] {
  const lines: Line[] = [{ text: stageTitle(s), look: s.look }, { text: `    steps: ${s.steps.join(', ')}` }];
  if (s.executed) lines.push({ text: `    executed: ${s.executed.join(', ') || 'none'}` });
  if (s.cached) lines.push({ text: `    cache hits: ${s.cached.join(', ') || 'none'}` });
  if (s.runUrl) lines.push({ text: `    ↗ ${s.runUrl}`, whole: true });
  return lines;
}

function drawBox(title: string, lines: Line[], width: number, paint: (t: string, c: string) => string): string[] {
  const longestWhole = Math.max(0, ...lines.filter((l) => l.whole).map((l) => l.text.length));
  const longest = Math.max(title.length + 2, ...lines.map((l) => l.text.length));
  const inner = Math.max(longestWhole, Math.min(longest, width - 4));
  const rows: string[] = [`╭─ ${paint(title, '1')} ${'─'.repeat(Math.max(0, inner - title.length - 1))}╮`];
  for (const l of lines) {
    const pieces = l.whole ? [l.text] : wrap(l.text, inner, '      ');
    for (const [i, piece] of pieces.entries()) {
      const pad = ' '.repeat(Math.max(0, inner - piece.length));
      const shown = i === 0 && l.look ? paintTitle(piece, l.look, paint) : piece;
      rows.push(`│ ${shown}${pad} │`);
    }
  }
  rows.push(`╰${'─'.repeat(inner + 2)}╯`);
  return rows;
}

/** The state symbol and words in the state's colour; the rest (stage name, run) plain. */
function paintTitle(text: string, look: StageLook, paint: (t: string, c: string) => string): string {
  const symbol = LOOK_SYMBOL[look];
  return text.startsWith(symbol) ? `${paint(symbol, COLOR[look])}${text.slice(symbol.length)}` : text;
}

/**
 * Word-wraps at spaces, keeping the line's leading spaces; continuations get `indent` more. A word
 * longer than the width is cut.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  if (text.length <= width) return [text];
  const lead = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = lead;
  for (const word of text
    .slice(lead.length)
    .split(' ')
    .filter((w) => w !== '')) {
    const sep = line.trim() === '' ? '' : ' ';
    if ((line + sep + word).length <= width) {
      line += sep + word;
      continue;
    }
    if (line.trim() !== '') {
      lines.push(line);
      line = lead + indent;
    }
    let rest = word;
    while (line.length + rest.length > width) {
      const room = Math.max(1, width - line.length);
      lines.push(line + rest.slice(0, room));
      rest = rest.slice(room);
      line = lead + indent;
    }
    line += rest;
  }
  if (line.trim() !== '') lines.push(line);
  return lines;
}
