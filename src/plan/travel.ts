// What a handoff carries as bytes and what as records only. KFP never reads a cached step's bytes:
// on a cache hit the driver copies the cached execution's outputs from MLMD and returns before any
// launcher is started (2.17.0:backend/src/v2/driver/container.go:214-239, cache.go:56-75
// `reuseCachedOutputs`: MLMD only), and the Argo template skips the executor when the cached
// decision is true (2.17.0:backend/src/v2/compiler/argocompiler/container.go:341-345). Only an
// executing task's launcher downloads its input artifacts (2.17.0:backend/src/v2/component/
// launcher_v2.go:691, 927). So the target of a handoff needs an artifact's bytes only when a step
// that executes there (or later at that location) reads it, or a later stage at another location
// gets it from there.
import type { PipelineGraph } from '../pipeline/graph.js';
import type { StageLayout } from './layout.js';
import { UserError } from '../errors/user-error.js';
import { formatBytes } from '../units/bytes.js';
import type { HeldArtifact } from './observation.js';
import type { PlannedOperation } from './types.js';

export type Travels = 'bytes' | 'records';

/** One output artifact of a handed-off step, as the plan (and CEL policies) see it. */
export interface HandoffArtifact {
  step: string;
  output: string;
  /** The artifact's schema title (`system.Dataset`, `system.Model`, …). */
  type: string;
  labels: Record<string, string>;
  /** Size of its objects when observed; null when unknown (offline plan). */
  bytes: number | null;
  travels: Travels;
}

export interface ArtifactRef {
  step: string;
  output: string;
}

/** Root task → its output artifacts, and root task → the sibling outputs it reads. */
export interface ArtifactFlow {
  outputs: Readonly<Record<string, readonly { output: string; type: string; labels?: Record<string, string> }[]>>;
  reads: Readonly<Record<string, readonly ArtifactRef[]>>;
}

/** From the pipeline graph; `labels` gives each output its labels (residency.ts `dataOf`). */
export function artifactFlowOf(
  graph: PipelineGraph,
  labels?: (ref: ArtifactRef & { type: string }) => Record<string, string>,
): ArtifactFlow {
  const outputs: Record<string, { output: string; type: string; labels?: Record<string, string> }[]> = {};
  const reads: Record<string, ArtifactRef[]> = {};
  for (const t of graph.rootTasks.values()) {
    outputs[t.key] = Object.entries(t.component.outputDefinitions?.artifacts ?? {}).map(([output, spec]) => {
      const type = spec.artifactType?.schemaTitle ?? 'system.Artifact';
      const l = labels?.({ step: t.key, output, type });
      return l && Object.keys(l).length > 0 ? { output, type, labels: l } : { output, type };
    });
    reads[t.key] = Object.values(t.task.inputs?.artifacts ?? {}).flatMap((a) =>
      a.taskOutputArtifact
        ? [{ step: a.taskOutputArtifact.producerTask, output: a.taskOutputArtifact.outputArtifactKey }]
        : [],
    );
  }
  return { outputs, reads };
}

/** Does a step that executes in stage `l` read this output? */
export function readIn(flow: ArtifactFlow, l: StageLayout, ref: ArtifactRef): boolean {
  return l.steps.some((s) => (flow.reads[s] ?? []).some((r) => r.step === ref.step && r.output === ref.output));
}

/**
 * Whether the bytes of `ref` must be at the target of a handoff into stage `k`: a step executing in
 * `k` or in any later stage at the same location reads it (that location's store serves them), or a
 * later stage at another location reads it and would be handed it from here (handoff-source.ts:
 * the nearest earlier stage at another location that holds the step).
 */
export function needsBytes(
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  k: StageLayout,
  ref: ArtifactRef,
): boolean {
  for (const m of layouts) {
    if (m.index < k.index || !readIn(flow, m, ref)) continue;
    if (m.location === k.location) return true;
    if (nearestHolder(layouts, m, ref.step)?.index === k.index) return true;
  }
  return false;
}

export function nearestHolder(layouts: readonly StageLayout[], m: StageLayout, step: string): StageLayout | undefined {
  for (let j = m.index - 1; j >= 1; j--) {
    const lj = layouts[j - 1]!;
    if (lj.location === m.location) continue;
    if (lj.steps.includes(step) || lj.fromCache.includes(step)) return lj;
  }
  return undefined;
}

export interface TravelFacts {
  labels?: (ref: ArtifactRef & { type: string }) => Record<string, string>;
  sizes?: (ref: ArtifactRef) => number | undefined;
  /** What each location holds of its available steps' outputs (the observation): sizes, records only. */
  held?: Readonly<Record<string, { artifacts?: Record<string, HeldArtifact[]> } | undefined>>;
}

/** What `location` holds of one output, as observed. */
export function heldAt(facts: TravelFacts, location: string, ref: ArtifactRef): HeldArtifact | undefined {
  return facts.held?.[location]?.artifacts?.[ref.step]?.find((a) => a.output === ref.output);
}

/** The artifacts of a handoff of `steps` from `from` into stage `k`, each with how it travels and its size at `from`. */
export function travelOf(
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  k: StageLayout,
  steps: readonly string[],
  facts: TravelFacts = {},
  from?: string,
): HandoffArtifact[] {
  return steps.flatMap((step) =>
    (flow.outputs[step] ?? []).map(({ output, type, labels }) => ({
      step,
      output,
      type,
      labels: facts.labels?.({ step, output, type }) ?? labels ?? {},
      bytes:
        facts.sizes?.({ step, output }) ??
        (from !== undefined ? heldAt(facts, from, { step, output })?.bytes : null) ??
        null,
      travels: needsBytes(flow, layouts, k, { step, output }) ? ('bytes' as const) : ('records' as const),
    })),
  );
}

const total = (list: readonly HandoffArtifact[]): number | null =>
  list.some((a) => a.bytes === null) ? null : list.reduce((n, a) => n + (a.bytes ?? 0), 0);

/**
 * Adds `artifacts`, `bytes` (what travels as bytes) and `recordBytes` (what stays behind, travelling
 * as records) to handoff operations; a total is null when a size in it is unknown. With `facts.held`
 * (an observation), refuses a plan whose handoff or stage would need bytes a location holds only
 * the records of (RecordsOnlyError).
 */
export function withTravel(
  operations: PlannedOperation[],
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  facts: TravelFacts = {},
): PlannedOperation[] {
  const out = operations.map((op) => {
    if (op.kind !== 'handoff') return op;
    const artifacts = travelOf(flow, layouts, layouts[op.stage - 1]!, op.steps ?? [], facts, op.from);
    const bytes = total(artifacts.filter((a) => a.travels === 'bytes'));
    const recordBytes = total(artifacts.filter((a) => a.travels === 'records'));
    return { ...op, artifacts, bytes, recordBytes };
  });
  if (facts.held) {
    const problems = recordsOnlyProblems(out, flow, layouts, facts);
    if (problems.length > 0) throw new RecordsOnlyError(problems);
  }
  return out;
}

/** A location holds only the records of an artifact whose bytes this plan needs from it. */
export interface RecordsOnlyProblem {
  artifact: ArtifactRef;
  /** The location that holds only its records. */
  location: string;
  /** Who needs the bytes, in words. */
  need: string;
  /** Locations observed to hold its bytes. */
  withBytes: string[];
  /** The stage whose run (or whose handoff) needs them. */
  stage: number;
}

/**
 * The handoffs of `operations` that must carry bytes their source holds only the records of, and the
 * stages that will execute a step reading an artifact their own location holds only the records of
 * (no handoff in this plan brings its bytes). Both would fail at run time: KFP's launcher downloads
 * the bytes of every input of an executing task (2.17.0:backend/src/v2/component/launcher_v2.go:691).
 */
export function recordsOnlyProblems(
  operations: readonly PlannedOperation[],
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  facts: TravelFacts,
): RecordsOnlyProblem[] {
  const out: RecordsOnlyProblem[] = [];
  const withBytes = (ref: ArtifactRef) =>
    Object.keys(facts.held ?? {})
      .filter((l) => {
        const h = heldAt(facts, l, ref);
        return h !== undefined && !h.recordsOnly;
      })
      .sort();
  for (const op of operations) {
    if (op.kind !== 'handoff' || op.from === undefined) continue;
    for (const a of op.artifacts ?? []) {
      if (a.travels !== 'bytes' || !heldAt(facts, op.from, a)?.recordsOnly) continue;
      const reader = firstReader(flow, layouts, layouts[op.stage - 1]!, a);
      out.push({
        artifact: { step: a.step, output: a.output },
        location: op.from,
        need: `the handoff ${op.from} → ${op.location} (stage ${op.stage}) must carry its bytes${reader ? `: ${reader}` : ''}`,
        withBytes: withBytes(a),
        stage: op.stage,
      });
    }
  }
  for (const op of operations) {
    if (op.kind !== 'run-stage') continue;
    const k = layouts[op.stage - 1]!;
    for (const s of k.steps) {
      for (const r of flow.reads[s] ?? []) {
        if (!k.fromCache.includes(r.step) || !heldAt(facts, k.location, r)?.recordsOnly) continue;
        const brought = operations.some(
          (h) =>
            h.kind === 'handoff' &&
            h.stage === k.index &&
            (h.artifacts ?? []).some((a) => a.step === r.step && a.output === r.output && a.travels === 'bytes'),
        );
        if (brought) continue;
        out.push({
          artifact: r,
          location: k.location,
          need: `stage ${k.index} executes ${s} at ${k.location}, which reads it`,
          withBytes: withBytes(r),
          stage: k.index,
        });
      }
    }
  }
  return out;
}

function firstReader(flow: ArtifactFlow, layouts: readonly StageLayout[], k: StageLayout, ref: ArtifactRef): string {
  for (const m of layouts) {
    if (m.index < k.index) continue;
    const s = m.steps.find((x) => (flow.reads[x] ?? []).some((r) => r.step === ref.step && r.output === ref.output));
    if (s) return `${s} reads it in stage ${m.index} at ${m.location}`;
  }
  return '';
}

/** The plan cannot be carried out: bytes it needs are at no location it would take them from. */
export class RecordsOnlyError extends UserError {
  constructor(readonly problems: RecordsOnlyProblem[]) {
    const lines = problems.map((p) => {
      const has =
        p.withBytes.length > 0 ? `its bytes are at ${p.withBytes.join(', ')}` : 'no observed location holds its bytes';
      const why = 'a handoff brought them without bytes, as nothing there read them then';
      return `  - ${p.artifact.step}.${p.artifact.output}: ${p.need}, but ${p.location} holds only its records (${why}); ${has}`;
    });
    const at = [...new Set(problems.map((p) => p.location))];
    const producers = [...new Set(problems.map((p) => p.artifact.step))];
    super(`the plan needs bytes that ${at.join(', ')} hold only the records of:\n${lines.join('\n')}`, {
      code: 'records-only',
      operation: 'plan',
      location: at.length === 1 ? at[0] : undefined,
      advice:
        `at ${at.join(', ')}, delete the handoff marker run that brought ${producers.join(', ')} (it owns their cache rows there); ` +
        'the next plan then hands them off again, with the bytes, from a location that has them; ' +
        `if none has them, run the stage that produces ${producers.join(', ')} again (delete its cache rows, or change its inputs)`,
    });
    this.name = 'RecordsOnlyError';
  }
}

/** One line for reports: what a handoff carries as bytes and what as records only, with known sizes. */
export function travelSummary(op: PlannedOperation): string | undefined {
  if (!op.artifacts || op.artifacts.length === 0) return undefined;
  const name = (a: HandoffArtifact) => `${a.step}.${a.output}${a.bytes === null ? '' : ` (${formatBytes(a.bytes)})`}`;
  const part = (t: Travels, sum: number | null | undefined) => {
    const list = op.artifacts!.filter((a) => a.travels === t);
    const all = list.length > 1 && typeof sum === 'number' ? `, ${formatBytes(sum)} in all` : '';
    return `${list.map(name).join(', ') || 'none'}${all}`;
  };
  return `as bytes: ${part('bytes', op.bytes)}; as records only: ${part('records', op.recordBytes)}`;
}
