// The pictures without a DOM: the graph derived from a plan, the terminal drawing, the status
// Markdown and its run links. (Mermaid's parser reads the diagrams in mermaid-parse.test.ts.)
import { describe, expect, test } from 'vitest';
import { outsideFence } from '../../action/src/comment-body.js';
import { colorWanted } from '../../src/cli/status.js';
import { renderGraphText, wrap } from '../../src/report/graph-text.js';
import { mermaidId, mermaidText } from '../../src/report/mermaid.js';
import { pipelineGraph, transfersOf } from '../../src/report/pipeline-graph.js';
import { renderStatusMarkdown } from '../../src/report/status-markdown.js';
import { AWKWARD, awkwardPlan, driftPlan, examplePlan, failedAndLostPlan } from './support/scenarios.js';

/** The start of an ANSI escape sequence (colour, cursor). */
const ANSI = '\u001b[';

describe('pipelineGraph', () => {
  test('thesis offline: three locations, one stage each, and the handoffs the plan performs', async () => {
    const g = pipelineGraph(await examplePlan('thesis'));
    expect(g.locations.map((l) => [l.name, l.stages.map((s) => s.index)])).toEqual([
      ['a', [1]],
      ['b', [2]],
      ['c', [3]],
    ]);
    expect(g.stages.map((s) => s.look)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(g.handoffs.map((h) => [h.fromLocation, h.toStage])).toContainEqual(['a', 2]);
    expect(g.handoffs.every((h) => h.pending && h.steps.length > 0)).toBe(true);
  });

  test('sizes from an apply label the arrow of the handoff that moved them', async () => {
    const plan = await examplePlan('train-serve');
    const [h] = pipelineGraph(plan).handoffs;
    const applied = [
      { id: h!.id, kind: 'handoff', bytesMoved: 3 * 1024 * 1024, handoff: { objects: 7 } },
      { id: 'run-stage:1', kind: 'run-stage' },
    ];
    const g = pipelineGraph(plan, { transfers: transfersOf(applied) });
    expect(g.handoffs[0]).toMatchObject({ bytes: 3 * 1024 * 1024, objects: 7 });
    expect(renderGraphText(g)).toContain('7 objects · 3.0 MiB');
  });

  test('a failed stage, a stage that runs again for lost outputs, and drift are told apart', async () => {
    expect(pipelineGraph(await failedAndLostPlan()).stages.map((s) => s.look)).toEqual(['rerun', 'failed', 'pending']);
    expect(pipelineGraph(await driftPlan()).stages.map((s) => s.look)).toEqual(['done', 'done', 'drift']);
  });
});

describe('renderGraphText', () => {
  test('a box per run of stages at one location, an arrow per handoff labelled with what travels, plain by default', async () => {
    const plan = await failedAndLostPlan();
    const g = pipelineGraph(plan);
    const text = renderGraphText(g, { width: 100 });
    expect(text).not.toContain(ANSI);
    for (const loc of ['a', 'b', 'c'])
      expect(text.split('\n').filter((l) => l.startsWith(`╭─ ${loc} `))).toHaveLength(1);
    expect(text).toContain('✗ stage 2: failed · run run-b-33');
    expect(text).toContain('↻ stage 1: runs again: outputs lost');
    expect(text.split('\n').filter((l) => l.trim() === '▼')).toHaveLength(g.handoffs.length);
    for (const h of g.handoffs)
      expect(text).toContain(
        `${h.fromLocation} (stage ${h.fromStage}) → ${h.toLocation} (stage ${h.toStage}): hand off`,
      );
    // Within a box every line closes at the column of its top border.
    let top = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith('╭')) top = [...line].length;
      if (line.startsWith('│') || line.startsWith('╰')) expect([...line].length, line).toBe(top);
    }
  });

  test('colours only when asked, and then each state in its own colour', async () => {
    const g = pipelineGraph(await failedAndLostPlan());
    const text = renderGraphText(g, { color: true });
    expect(text).toContain('\u001b[31m✗\u001b[0m stage 2');
    expect(text).toContain('\u001b[33m↻\u001b[0m stage 1');
  });

  test('names are shown as written, run pages only when the location names its UI', () => {
    const linked = renderGraphText(pipelineGraph(awkwardPlan(true)));
    for (const name of [...AWKWARD.locations, ...AWKWARD.steps]) expect(linked).toContain(name);
    expect(linked).toContain('↗ https://kfp.example.com/pipeline/#/runs/details/r-2');
    expect(renderGraphText(pipelineGraph(awkwardPlan(false)))).not.toContain('↗');
  });

  test('wraps long step lists inside the box, never a URL', () => {
    expect(wrap('    steps: alpha, beta, gamma, delta', 20, '  ')).toEqual([
      '    steps: alpha,',
      '      beta, gamma,',
      '      delta',
    ]);
    const base = awkwardPlan(true);
    const long = {
      ...base,
      stages: base.stages.map((s) => ({ ...s, steps: Array.from({ length: 20 }, (_, i) => `step-number-${i}`) })),
    };
    const lines = renderGraphText(pipelineGraph(long), { width: 50 }).split('\n');
    expect(lines.filter((l) => l.includes('step-number-19')).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('https://kfp.example.com/pipeline/#/runs/details/r-1'))).toBe(true);
  });
});

describe('status --markdown', () => {
  test('the diagram, then a table whose run cells link to the KFP UI when set', () => {
    const md = renderStatusMarkdown(awkwardPlan(true));
    expect(md.match(/^```mermaid$/gm)).toHaveLength(1);
    expect(md).toContain('[r-1](https://kfp.example.com/pipeline/#/runs/details/r-1)');
    const plain = renderStatusMarkdown(awkwardPlan(false));
    expect(plain).toContain('`r-1`');
    expect(plain).not.toContain('](http');
  });

  test('drift is listed under the diagram', async () => {
    const md = renderStatusMarkdown(await driftPlan());
    expect(md).toContain('**Drift**');
    expect(md).toContain('train-model was handed off to c but is no longer available there');
  });
});

describe('escaping and ids', () => {
  test('labels keep only plain characters; ids only letters, digits and _', () => {
    expect(mermaidText('a "b" #1 <c> [d] & `e`')).toBe('a #34;b#34; #35;1 #60;c#62; #91;d#93; #38; #96;e#96;');
    expect(mermaidId('stage', 2, 'load.data-x')).toBe('stage_2_load_data_x');
  });

  test('a comment cut inside a diagram is cut before the diagram', () => {
    const text = 'intro\n```mermaid\nflowchart LR\n  a --> b\n```\nafter\n```mermaid\nflowchart LR\n  c --> d\n';
    const second = text.lastIndexOf('```mermaid');
    expect(outsideFence(text, text.length - 3)).toBe(second);
    expect(outsideFence(text, text.indexOf('after'))).toBe(text.indexOf('after'));
  });

  test('colour needs a terminal on both streams and no NO_COLOR', () => {
    expect(colorWanted({ isTTY: true }, {}, true)).toBe(true);
    expect(colorWanted({ isTTY: false }, {}, true)).toBe(false);
    expect(colorWanted({ isTTY: true }, {}, false)).toBe(false);
    expect(colorWanted({ isTTY: true }, { NO_COLOR: '1' }, true)).toBe(false);
  });
});
