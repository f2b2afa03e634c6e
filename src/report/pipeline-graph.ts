// The split pipeline as a graph, for pictures (the Mermaid diagram, the terminal drawing): locations
// holding their stages, each stage's steps and state, and the handoffs between stages as edges
// labelled with what travels. Derived from the plan alone, so the plan's JSON stays the one truth.
import type { PlanDocument, PlannedOperation, PlannedStage, StageState } from '../plan/types.js';
import { formatBytes } from '../units/bytes.js';

/**
 * How a stage is drawn: its state, or one of two situations a reader must notice although the
 * state alone hides them: `rerun` (done before, but outputs it produced were lost, so it runs
 * again) and `drift` (done, but something handed off to it is gone and is handed off again).
 */
export type StageLook = StageState | 'rerun' | 'drift';

export interface GraphStage {
  index: number;
  name: string;
  location: string;
  state: StageState;
  look: StageLook;
  steps: string[];
  runId?: string;
  runUrl?: string;
  executed?: string[];
  cached?: string[];
}

export interface GraphLocation {
  name: string;
  /** In the file's order. */
  stages: GraphStage[];
  /** `step.output` of the artifacts held here as records only: a handoff carried no bytes (status). */
  recordsOnly?: string[];
}

export interface GraphHandoff {
  /** `handoff:<stage>:<from>`, the id of the operation that moves it. */
  id: string;
  fromLocation: string;
  /** The stage at `fromLocation` that has the steps (absent when none is known: the location hands them). */
  fromStage?: number;
  toStage: number;
  toLocation: string;
  steps: string[];
  /** This plan moves it (else it was handed off already, or the steps are available there). */
  pending: boolean;
  /** Known once applied. */
  bytes?: number;
  objects?: number;
}

export interface PipelineGraph {
  name: string;
  revision: string;
  offline: boolean;
  /** In order of their first stage. */
  locations: GraphLocation[];
  stages: GraphStage[];
  handoffs: GraphHandoff[];
}

/** What an apply moved, by operation id (`handoff:<stage>:<from>`). */
export type Transfers = ReadonlyMap<string, { bytes?: number; objects?: number }>;

export interface GraphOptions {
  transfers?: Transfers;
  /** Location → `step.output` held there as records only (recordsOnlyByLocation, from an observation). */
  recordsOnly?: Readonly<Record<string, readonly string[]>>;
}

export function pipelineGraph(plan: PlanDocument, options: GraphOptions = {}): PipelineGraph {
  const handoffOps = plan.operations.filter((op) => op.kind === 'handoff');
  const stages = plan.stages.map((s) => graphStage(s, plan.operations, handoffOps));
  const locations: GraphLocation[] = [];
  for (const s of stages) {
    let loc = locations.find((l) => l.name === s.location);
    if (!loc) {
      loc = { name: s.location, stages: [] };
      locations.push(loc);
    }
    loc.stages.push(s);
  }
  for (const loc of locations) {
    const held = options.recordsOnly?.[loc.name];
    if (held && held.length > 0) loc.recordsOnly = [...held];
  }
  const handoffs = handoffsOf(plan.stages, handoffOps);
  for (const h of handoffs) {
    // An arrow of steps handed off before shares its id with this plan's handoff from there: the sizes are the latter's.
    if (!h.pending && handoffs.some((o) => o.pending && o.id === h.id)) continue;
    const moved = options.transfers?.get(h.id);
    if (moved?.bytes !== undefined) h.bytes = moved.bytes;
    if (moved?.objects !== undefined) h.objects = moved.objects;
  }
  return { name: plan.name, revision: plan.revision, offline: plan.offline, locations, stages, handoffs };
}

function graphStage(s: PlannedStage, ops: PlannedOperation[], handoffOps: PlannedOperation[]): GraphStage {
  const g: GraphStage = {
    index: s.index,
    name: s.name,
    location: s.location,
    state: s.state,
    look: lookOf(s, ops, handoffOps),
    steps: s.steps,
  };
  if (s.runId) g.runId = s.runId;
  if (s.runUrl) g.runUrl = s.runUrl;
  if (s.executed) g.executed = s.executed;
  if (s.cached) g.cached = s.cached;
  return g;
}

function lookOf(s: PlannedStage, ops: PlannedOperation[], handoffOps: PlannedOperation[]): StageLook {
  // A stage the plan shows as pending although it has a run of this revision is one that must run
  // again (plan/stage-state.ts: `plannedStage`): outputs it produced are gone.
  if (s.state === 'pending' && s.runId && ops.some((op) => op.kind === 'run-stage' && op.stage === s.index))
    return 'rerun';
  if (s.state === 'done' && handoffOps.some((op) => op.stage === s.index)) return 'drift';
  return s.state;
}

/**
 * The plan's handoff operations are what travels next, each one an arrow from the location that
 * hands the steps (drawn from its latest earlier stage holding them: the planner may hand a step
 * on from where an earlier handoff put it). The other steps a stage takes from another location's
 * cache were handed off before, or are available there: arrows from the stage that ran them.
 */
function handoffsOf(stages: PlannedStage[], handoffOps: PlannedOperation[]): GraphHandoff[] {
  const producer = new Map<string, PlannedStage>();
  for (const s of stages) for (const step of s.steps) producer.set(step, s);
  const edges: GraphHandoff[] = [];
  for (const to of stages) {
    const moving = new Set<string>();
    for (const op of handoffOps) {
      if (op.stage !== to.index || !op.from) continue;
      const steps = op.steps ?? [];
      for (const s of steps) moving.add(s);
      const holder = [...stages]
        .reverse()
        .find(
          (s) =>
            s.location === op.from &&
            s.index < to.index &&
            steps.some((r) => s.steps.includes(r) || s.fromCache.includes(r)),
        );
      edges.push(edge(op.from, holder?.index, to, steps, true));
    }
    const byProducer = new Map<number, string[]>();
    for (const step of to.fromCache) {
      const from = producer.get(step);
      if (!from || from.location === to.location || moving.has(step)) continue; // same location: its own cache serves it
      byProducer.set(from.index, [...(byProducer.get(from.index) ?? []), step]);
    }
    for (const [index, steps] of byProducer) {
      const from = stages.find((s) => s.index === index)!;
      edges.push(edge(from.location, index, to, steps, false));
    }
  }
  return edges.sort((a, b) => a.toStage - b.toStage || (a.fromStage ?? 0) - (b.fromStage ?? 0));
}

function edge(
  fromLocation: string,
  fromStage: number | undefined,
  to: PlannedStage,
  steps: string[],
  pending: boolean,
): GraphHandoff {
  const e: GraphHandoff = {
    id: `handoff:${to.index}:${fromLocation}`,
    fromLocation,
    toStage: to.index,
    toLocation: to.location,
    steps,
    pending,
  };
  if (fromStage !== undefined) e.fromStage = fromStage;
  return e;
}

/** Handoff sizes from applied operations (the Action's report; `apply --json`'s `applied`). */
export function transfersOf(
  applied: readonly { id: string; kind: string; bytesMoved?: number; handoff?: { objects?: number } }[],
): Transfers {
  const moved = new Map<string, { bytes?: number; objects?: number }>();
  for (const op of applied) {
    if (op.kind !== 'handoff') continue;
    const t: { bytes?: number; objects?: number } = {};
    if (op.bytesMoved !== undefined) t.bytes = op.bytesMoved;
    if (op.handoff?.objects !== undefined) t.objects = op.handoff.objects;
    moved.set(op.id, t);
  }
  return moved;
}

/** Words for a stage's look, shared by the diagram and the terminal drawing. */
export const LOOK_WORDS: Record<StageLook, string> = {
  unknown: 'not observed',
  pending: 'pending',
  running: 'running',
  failed: 'failed',
  done: 'done',
  rerun: 'runs again: outputs lost',
  drift: 'done, drift: handoff repaired',
};

/** What travels on a handoff, in words: `2 steps (a, b) · 3 objects · 1.2 MiB`. */
export function handoffWords(h: GraphHandoff, maxNames = 3): string {
  const names =
    h.steps.slice(0, maxNames).join(', ') + (h.steps.length > maxNames ? `, +${h.steps.length - maxNames} more` : '');
  const parts = [`${h.steps.length} step${h.steps.length === 1 ? '' : 's'} (${names})`];
  if (h.objects !== undefined) parts.push(`${h.objects} object${h.objects === 1 ? '' : 's'}`);
  if (h.bytes !== undefined) parts.push(formatBytes(h.bytes));
  return parts.join(' · ');
}

/**
 * Location → `step.output` of the available steps' artifacts held there as records only (no bytes:
 * nothing there read them when they were handed off; src/plan/travel.ts), in pipeline order.
 */
export function recordsOnlyByLocation(
  locations: Readonly<Record<string, { artifacts?: Record<string, { output: string; recordsOnly?: true }[]> }>>,
  order: readonly string[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, o] of Object.entries(locations)) {
    const list = order.flatMap((step) =>
      (o.artifacts?.[step] ?? []).filter((a) => a.recordsOnly).map((a) => `${step}.${a.output}`),
    );
    if (list.length > 0) out[name] = list;
  }
  return out;
}
