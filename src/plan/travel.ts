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
}

/** The artifacts of a handoff of `steps` into stage `k`, each with how it travels. */
export function travelOf(
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  k: StageLayout,
  steps: readonly string[],
  facts: TravelFacts = {},
): HandoffArtifact[] {
  return steps.flatMap((step) =>
    (flow.outputs[step] ?? []).map(({ output, type, labels }) => ({
      step,
      output,
      type,
      labels: facts.labels?.({ step, output, type }) ?? labels ?? {},
      bytes: facts.sizes?.({ step, output }) ?? null,
      travels: needsBytes(flow, layouts, k, { step, output }) ? ('bytes' as const) : ('records' as const),
    })),
  );
}

/** Adds `artifacts` and `bytes` (what travels as bytes, null when any size is unknown) to handoff operations. */
export function withTravel(
  operations: PlannedOperation[],
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  facts: TravelFacts = {},
): PlannedOperation[] {
  return operations.map((op) => {
    if (op.kind !== 'handoff') return op;
    const artifacts = travelOf(flow, layouts, layouts[op.stage - 1]!, op.steps ?? [], facts);
    const moving = artifacts.filter((a) => a.travels === 'bytes');
    const bytes = moving.some((a) => a.bytes === null) ? null : moving.reduce((n, a) => n + (a.bytes ?? 0), 0);
    return { ...op, artifacts, bytes };
  });
}

/** One line for reports: what a handoff carries as bytes and what as records only, with known sizes. */
export function travelSummary(op: PlannedOperation): string | undefined {
  if (!op.artifacts || op.artifacts.length === 0) return undefined;
  const name = (a: HandoffArtifact) => `${a.step}.${a.output}${a.bytes === null ? '' : ` (${a.bytes} B)`}`;
  const bytes = op.artifacts.filter((a) => a.travels === 'bytes').map(name);
  const records = op.artifacts.filter((a) => a.travels === 'records').map(name);
  const total = typeof op.bytes === 'number' ? `, ${op.bytes} B in all` : '';
  return `as bytes: ${bytes.join(', ') || 'none'}${total}; as records only: ${records.join(', ') || 'none'}`;
}
