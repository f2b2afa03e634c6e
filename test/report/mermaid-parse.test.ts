// @vitest-environment happy-dom
// Every diagram the comment and `status --markdown` show is read back by Mermaid's own parser (the
// one GitHub's renderer runs), and the parsed graph is checked: a box per location, a box per stage
// inside its location with its steps, an arrow per handoff with its label, the state classes, and
// run links only when the location names its KFP UI. Mermaid's sanitiser (DOMPurify) needs a DOM:
// happy-dom gives this file one.
import { beforeAll, describe, expect, test } from 'vitest';
import { renderPlanMarkdown } from '../../src/report/plan-markdown.js';
import { lookClass, renderMermaid } from '../../src/report/mermaid.js';
import { pipelineGraph, type PipelineGraph } from '../../src/report/pipeline-graph.js';
import { renderStatusMarkdown } from '../../src/report/status-markdown.js';
import { compactPlan } from '../../action/src/report-markdown.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { AWKWARD, awkwardPlan, driftPlan, examplePlan, failedAndLostPlan } from './support/scenarios.js';

interface FlowVertex {
  id: string;
  text?: string;
  classes: string[];
  link?: string;
}
interface FlowEdge {
  start: string;
  end: string;
  text: string;
  stroke?: string;
}
interface FlowSubGraph {
  id: string;
  title: string;
  nodes: string[];
  classes: string[];
}
interface FlowDb {
  getVertices(): Map<string, FlowVertex>;
  getEdges(): FlowEdge[];
  getSubGraphs(): FlowSubGraph[];
  getClasses(): Map<string, { styles: string[] }>;
}
interface MermaidLike {
  parse(text: string): Promise<unknown>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: FlowDb }> };
}

let mermaid: MermaidLike;

beforeAll(async () => {
  mermaid = (await import('mermaid')).default as unknown as MermaidLike;
}, 60_000);

/** Mermaid keeps entity codes encoded until it draws; decode them as the browser would. */
function decoded(text: string): string {
  const html = text.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  // happy-dom's document (tsconfig has no DOM types).
  const dom = (
    globalThis as unknown as {
      document: { createElement(tag: string): { innerHTML: string; textContent: string | null } };
    }
  ).document;
  const el = dom.createElement('span');
  el.innerHTML = html;
  return el.textContent ?? '';
}

/** The block's source from Markdown: exactly one ```mermaid fence is expected. */
function mermaidSources(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

async function parsed(source: string): Promise<FlowDb> {
  await expect(mermaid.parse(source)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  return (await mermaid.mermaidAPI.getDiagramFromText(source)).db;
}

/** Checks the parsed diagram against the graph it was drawn from. */
async function expectDrawn(source: string, graph: PipelineGraph, maxSteps = 12): Promise<FlowDb> {
  const db = await parsed(source);
  const subgraphs = db.getSubGraphs();
  const byTitle = (title: string) => subgraphs.filter((s) => decoded(s.title) === title);
  const vertices = db.getVertices();
  for (const loc of graph.locations) {
    const boxes = byTitle(loc.name);
    expect(boxes, `one box for location ${loc.name}`).toHaveLength(1);
    const box = boxes[0]!;
    for (const stage of loc.stages) {
      const inner = subgraphs.find(
        (s) => s.nodes.length > 0 && box.nodes.includes(s.id) && decoded(s.title).includes(`stage ${stage.index}`),
      );
      expect(inner, `stage ${stage.index} inside ${loc.name}`).toBeDefined();
      const texts = inner!.nodes.map((id) => decoded(vertices.get(id)?.text ?? ''));
      const drawn = stage.steps.length > maxSteps ? stage.steps.slice(0, maxSteps - 1) : stage.steps;
      expect(texts.slice(0, drawn.length)).toEqual(drawn);
      if (drawn.length < stage.steps.length)
        expect(texts.at(-1)).toContain(`${stage.steps.length - drawn.length} more steps`);
      for (const id of inner!.nodes) {
        expect(vertices.get(id)?.classes, `step node ${id} of stage ${stage.index}`).toContain(lookClass(stage.look));
        expect(vertices.get(id)?.link).toBe(stage.runUrl);
      }
      expect(inner!.classes).toContain(lookClass(stage.look));
    }
  }
  const edges = db.getEdges();
  expect(edges).toHaveLength(graph.handoffs.length);
  graph.handoffs.forEach((h, i) => {
    const label = decoded(edges[i]!.text);
    expect(label).toContain(`${h.steps.length} step`);
    expect(label).toContain(h.pending ? 'hand off' : 'handed off');
    for (const s of h.steps.slice(0, 3)) expect(label).toContain(s);
  });
  for (const look of new Set(graph.stages.map((s) => s.look))) expect(db.getClasses().has(lookClass(look))).toBe(true);
  return db;
}

async function expectEveryBlockParses(markdown: string): Promise<void> {
  const sources = mermaidSources(markdown);
  expect(sources.length).toBeGreaterThan(0);
  for (const s of sources) await parsed(s);
}

describe('Mermaid diagrams are read back by Mermaid', () => {
  test.each(['thesis', 'train-serve'] as const)(
    'examples/%s planned offline: plan markdown, status markdown, compact comment',
    async (name) => {
      const plan = await examplePlan(name);
      const graph = pipelineGraph(plan);
      const [fromPlan] = mermaidSources(renderPlanMarkdown(plan));
      await expectDrawn(fromPlan!, graph);
      expect(graph.handoffs.length).toBeGreaterThan(0);
      expect(graph.handoffs.every((h) => h.pending)).toBe(true);
      await expectEveryBlockParses(renderStatusMarkdown(plan));
      const compact = compactPlan({ config: 'x.yaml', plan, diagnostics: [], drift: [], changed: true });
      await expectDrawn(mermaidSources(compact)[0]!, graph, 4);
    },
  );

  test('three locations with a failed stage and lost outputs: the failed class on the failed stage, the rerun class on the producer', async () => {
    const plan = await failedAndLostPlan();
    const graph = pipelineGraph(plan);
    expect(graph.stages.map((s) => s.look)).toEqual(['rerun', 'failed', 'pending']);
    const db = await expectDrawn(renderMermaid(graph), graph);
    const boxes = new Set(db.getSubGraphs().map((g) => g.id));
    const failedNodes = [...db.getVertices().values()].filter(
      (v) => !boxes.has(v.id) && v.classes.includes(lookClass('failed')),
    );
    expect(failedNodes.map((v) => decoded(v.text ?? ''))).toEqual(['train-model', 'evaluate-model']);
    await expectEveryBlockParses(renderStatusMarkdown(plan));
    await expectEveryBlockParses(renderPlanMarkdown(plan));
  });

  test('drift: a done stage whose handed-off step is handed off again is drawn as drift, with a pending arrow from the holder', async () => {
    const plan = await driftPlan();
    const graph = pipelineGraph(plan);
    expect(graph.stages.map((s) => s.look)).toEqual(['done', 'done', 'drift']);
    const db = await expectDrawn(renderMermaid(graph), graph);
    const pending = graph.handoffs.filter((h) => h.pending);
    expect(pending.map((h) => [h.fromLocation, h.toStage, h.steps])).toEqual([['b', 3, ['train-model']]]);
    expect(db.getEdges().filter((e) => decoded(e.text).startsWith('hand off '))).toHaveLength(1);
  });

  test('names that need escaping come back from the parser exactly as written, with run links only when set', async () => {
    for (const ui of [true, false]) {
      const plan = awkwardPlan(ui);
      const graph = pipelineGraph(plan);
      const db = await expectDrawn(renderMermaid(graph), graph);
      const texts = [...db.getVertices().values()].map((v) => decoded(v.text ?? ''));
      for (const step of AWKWARD.steps) expect(texts).toContain(step);
      const links = [...db.getVertices().values()].flatMap((v) => (v.link ? [v.link] : []));
      if (ui)
        expect(new Set(links)).toEqual(
          new Set([
            'https://kfp.example.com/pipeline/#/runs/details/r-1',
            'https://kfp.example.com/pipeline/#/runs/details/r-2',
          ]),
        );
      else expect(links).toEqual([]);
      const titles = db.getSubGraphs().map((s) => decoded(s.title));
      expect(titles.some((t) => t.includes('stage 2 train [gpu]: failed'))).toBe(true);
      await expectEveryBlockParses(renderStatusMarkdown(plan));
    }
  });

  test('a stage with many steps is drawn with the first ones and a count of the rest', async () => {
    const base = awkwardPlan(false);
    const many = Array.from({ length: 30 }, (_, i) => `step-${i}.v${i}`);
    const plan: PlanDocument = { ...base, stages: base.stages.map((s) => (s.index === 3 ? { ...s, steps: many } : s)) };
    const graph = pipelineGraph(plan);
    await expectDrawn(renderMermaid(graph, { maxStepsPerStage: 5 }), graph, 5);
  });
});
