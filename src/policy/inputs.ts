// The policies' input, built from the plan (a pure function): one item per handoff and per stage,
// and the plan as a whole. Where the file does not say something (a location's region or labels, an
// artifact's labels), the value is empty rather than guessed: `""`, `{}`. A size the plan does not
// know is left out (`has(a.bytes)` is false), never 0: a size policy must not pass on data it knows
// nothing about, and comparing an absent size fails it (evaluate.ts says the size is unknown).
import type { TaskNode } from '../pipeline/graph.js';
import type { PlanDocument } from '../plan/types.js';
import type { ArtifactInput, HandoffInput, LocationInput, ParameterInput, PolicyInputs, StageInput } from './types.js';

/** What of the project the inputs need (kept structural so this folder does not depend on the file loader). */
export interface PolicyProjectView {
  locations: { name: string; region?: string; labels?: Record<string, string> }[];
  /** Root steps by name (the pipeline graph's `rootTasks`). */
  steps: Map<string, TaskNode>;
  /** The runtime parameters the file gives (names and where from, never values). */
  parameters?: ParameterInput[];
}

/** Optional per-artifact facts a handoff operation may carry (bytes only where they are read; see issue 12 item 1). */
interface HandoffArtifactFacts {
  step: string;
  output: string;
  type?: string;
  labels?: Record<string, string>;
  /** null: unknown (src/plan/travel.ts HandoffArtifact). */
  bytes?: number | null;
  travels?: 'bytes' | 'records';
}

/** `{bytes}` when the size is known, else nothing (the field stays absent in CEL). */
export function knownSize(bytes: unknown): { bytes?: number } {
  return typeof bytes === 'number' && Number.isFinite(bytes) && bytes >= 0 ? { bytes } : {};
}

/** What a handoff copies as bytes in all; unknown (undefined) when one of those sizes is. */
export function handoffBytes(artifacts: readonly ArtifactInput[]): number | undefined {
  let sum = 0;
  for (const a of artifacts) {
    if (a.travels !== 'bytes') continue;
    if (a.bytes === undefined) return undefined;
    sum += a.bytes;
  }
  return sum;
}

function locationInput(view: PolicyProjectView, name: string): LocationInput {
  const l = view.locations.find((x) => x.name === name);
  return { name, region: l?.region ?? '', labels: { ...(l?.labels ?? {}) } };
}

/** The output artifacts a step declares (`outputDefinitions.artifacts`), with their type's schema title. */
function declaredArtifacts(step: string, node: TaskNode | undefined): ArtifactInput[] {
  const defs = node?.component.outputDefinitions?.artifacts ?? {};
  return Object.entries(defs).map(([output, def]) => ({
    step,
    output,
    type: def.artifactType?.schemaTitle ?? '',
    labels: {},
    travels: 'bytes',
  }));
}

function imagesOf(node: TaskNode | undefined, into: Set<string>): void {
  if (!node) return;
  const image = node.executor?.container?.image;
  if (image) into.add(image);
  for (const child of node.children) imagesOf(child, into);
}

/**
 * The file's runtime parameters as policies see them: names and where they come from, never values.
 * `looksSecret` is the file loader's rule for names (src/split-file/secrets.ts isSecretKey).
 */
export function parameterInputs(
  pipeline: { parameters?: Record<string, unknown>; parametersFromEnv?: Record<string, string> },
  looksSecret: (name: string) => boolean,
): ParameterInput[] {
  const of = (names: string[], from: ParameterInput['from']): ParameterInput[] =>
    names.map((name) => ({ name, from, secret: looksSecret(name) }));
  return [
    ...of(Object.keys(pipeline.parameters ?? {}), 'file'),
    ...of(Object.keys(pipeline.parametersFromEnv ?? {}), 'env'),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function policyInputsFromPlan(plan: PlanDocument, view: PolicyProjectView): PolicyInputs {
  const stages: StageInput[] = plan.stages.map((s) => {
    const images = new Set<string>();
    for (const step of s.steps) imagesOf(view.steps.get(step), images);
    return {
      index: s.index,
      location: locationInput(view, s.location),
      steps: [...s.steps],
      images: [...images].sort(),
    };
  });
  const handoffs: HandoffInput[] = plan.operations
    .filter((op) => op.kind === 'handoff' && op.from !== undefined)
    .map((op) => {
      const steps = [...(op.steps ?? [])];
      const facts = (op as { artifacts?: HandoffArtifactFacts[] }).artifacts;
      const artifacts: ArtifactInput[] = facts
        ? facts.map((a) => ({
            step: a.step,
            output: a.output,
            type: a.type ?? '',
            labels: { ...(a.labels ?? {}) },
            ...knownSize(a.bytes),
            travels: a.travels ?? 'bytes',
          }))
        : steps.flatMap((step) => declaredArtifacts(step, view.steps.get(step)));
      return {
        from: locationInput(view, op.from ?? ''),
        to: locationInput(view, op.location),
        steps,
        artifacts,
        ...knownSize(handoffBytes(artifacts)),
      };
    });
  return {
    plan: { stages, handoffs, revision: plan.revision, parameters: (view.parameters ?? []).map((p) => ({ ...p })) },
  };
}
