// Data residency: `spec.data` gives step outputs labels and the locations their bytes may be stored
// in. Bytes are stored where their step executes and where a handoff copies them (travel.ts: only
// where a step executing there, or a later location handed from there, reads them), so a placement
// is refused when it would put an artifact's bytes at a location its `keepIn` does not list.
import type { StageLayout } from './layout.js';
import { nearestHolder, needsBytes, readIn, type ArtifactFlow, type ArtifactRef } from './travel.js';

export interface DataRule {
  step?: string;
  output?: string;
  type?: string;
  labels?: Record<string, string>;
  keepIn?: string[];
}

export interface ArtifactData {
  labels: Record<string, string>;
  /** Locations its bytes may be stored in (every matching entry's keepIn at once); undefined: anywhere. */
  keepIn?: string[];
  /** Indexes of the `spec.data` entries that set `keepIn`. */
  entries: number[];
}

export function dataOf(rules: readonly DataRule[], ref: ArtifactRef & { type: string }): ArtifactData {
  const out: ArtifactData = { labels: {}, entries: [] };
  rules.forEach((r, i) => {
    if (r.step !== undefined && r.step !== ref.step) return;
    if (r.output !== undefined && r.output !== ref.output) return;
    if (r.type !== undefined && r.type !== ref.type) return;
    Object.assign(out.labels, r.labels ?? {});
    if (r.keepIn) {
      out.keepIn = out.keepIn ? out.keepIn.filter((l) => r.keepIn!.includes(l)) : [...r.keepIn];
      out.entries.push(i);
    }
  });
  return out;
}

export interface ResidencyViolation {
  artifact: ArtifactRef & { type: string };
  /** Where its bytes would be stored against the rule. */
  location: string;
  keepIn: string[];
  /** The `spec.data` entries that keep it in. */
  entries: number[];
  /** The stage that puts them there, and the step that makes it do so (the producer, or the reader). */
  stage: number;
  step: string;
  message: string;
}

export function residencyViolations(
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  rules: readonly DataRule[],
): ResidencyViolation[] {
  if (!rules.some((r) => r.keepIn)) return [];
  const out: ResidencyViolation[] = [];
  const seen = new Set<string>();
  const add = (v: Omit<ResidencyViolation, 'message'>, message: string) => {
    const key = `${v.artifact.step}/${v.artifact.output}@${v.location}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ ...v, message });
  };
  for (const l of layouts) {
    for (const step of l.steps) {
      for (const { output, type } of flow.outputs[step] ?? []) {
        const d = dataOf(rules, { step, output, type });
        if (!d.keepIn || d.keepIn.includes(l.location)) continue;
        const where = `stage ${l.index} executes ${step} at ${l.location}`;
        add(
          {
            artifact: { step, output, type },
            location: l.location,
            keepIn: d.keepIn,
            entries: d.entries,
            stage: l.index,
            step,
          },
          `${where}, which stores the bytes of ${step}.${output} there, but they may only be stored in ${d.keepIn.join(', ')}`,
        );
      }
    }
  }
  for (const k of layouts) {
    for (const producer of k.fromCache) {
      for (const { output, type } of flow.outputs[producer] ?? []) {
        const artifact = { step: producer, output, type };
        const d = dataOf(rules, artifact);
        if (!d.keepIn || d.keepIn.includes(k.location) || !needsBytes(flow, layouts, k, artifact)) continue;
        const reader = readerFrom(flow, layouts, k, artifact);
        const how =
          reader.location === k.location
            ? `step ${reader.step} (stage ${reader.index}) reads ${producer}.${output} at ${k.location}`
            : `step ${reader.step} (stage ${reader.index} at ${reader.location}) reads ${producer}.${output}, handed on from ${k.location}`;
        add(
          {
            artifact,
            location: k.location,
            keepIn: d.keepIn,
            entries: d.entries,
            stage: reader.index,
            step: reader.step,
          },
          `${how}, but its bytes may only be stored in ${d.keepIn.join(', ')}: place ${reader.step} at ${d.keepIn.join(' or ')}`,
        );
      }
    }
  }
  return out;
}

/** The first step, from stage `k` on, whose read makes `k`'s location hold the bytes. */
function readerFrom(
  flow: ArtifactFlow,
  layouts: readonly StageLayout[],
  k: StageLayout,
  ref: ArtifactRef,
): { step: string; index: number; location: string } {
  for (const m of layouts) {
    if (m.index < k.index || !readIn(flow, m, ref)) continue;
    if (m.location !== k.location && nearestHolder(layouts, m, ref.step)?.index !== k.index) continue;
    const step = m.steps.find((s) =>
      (flow.reads[s] ?? []).some((r) => r.step === ref.step && r.output === ref.output),
    )!;
    return { step, index: m.index, location: m.location };
  }
  return { step: ref.step, index: k.index, location: k.location };
}
