// What a change to a split-pipeline.yaml (and its pipeline package) means, in the reviewer's words:
// "serve-model moved from train to serve", "package changed: 3 steps differ", "parameter
// learning_rate 0.01 → 0.02". A text diff of a compiled pipeline is thousands of lines; what a
// reviewer needs is which steps will run again and where. Pure: both sides are already loaded.
import { createHash } from 'node:crypto';
import type { PipelineGraph, TaskNode } from '../../src/pipeline/graph.js';
import { canonicalJson } from '../../src/split-file/revision.js';
import { builtInPolicy } from '../../src/policy/defaults.js';
import type {
  DefaultPolicySetting,
  JsonValue,
  LocationSpec,
  SplitPipelineBody,
  SplitPipelineSpec,
  StageSpec,
} from '../../src/split-file/types.js';

/** One version (base or head) of a split pipeline, as far as it could be loaded. */
export interface SpecSnapshot {
  spec?: SplitPipelineSpec;
  graph?: PipelineGraph;
  /** Short revision, when the whole project was valid. */
  revision?: string;
  /** The package's text, when it could be read. */
  packageText?: string;
}

export function describeChanges(base: SpecSnapshot, head: SpecSnapshot): string[] {
  const out: string[] = [];
  const b = base.spec;
  const h = head.spec;
  if (!b || !h) {
    out.push(
      !b
        ? 'the base version is not a valid split pipeline: compared as text only'
        : 'this version is not a valid split pipeline',
    );
    return out;
  }
  if (b.metadata.name !== h.metadata.name) out.push(`name ${b.metadata.name} → ${h.metadata.name}`);
  out.push(...packageChanges(base, head));
  out.push(...parameterChanges(b.spec.pipeline.parameters ?? {}, h.spec.pipeline.parameters ?? {}));
  out.push(...fromEnvChanges(b.spec.pipeline.parametersFromEnv ?? {}, h.spec.pipeline.parametersFromEnv ?? {}));
  out.push(...enforcementChanges(b.spec, h.spec));
  out.push(...locationChanges(b.spec.locations, h.spec.locations));
  out.push(...stageChanges(b.spec.stages, h.spec.stages));
  out.push(...placementChanges(b.spec.stages, h.spec.stages));
  if (base.revision && head.revision && base.revision !== head.revision)
    out.push(`revision ${base.revision} → ${head.revision}`);
  return out;
}

function packageChanges(base: SpecSnapshot, head: SpecSnapshot): string[] {
  const out: string[] = [];
  const bPath = base.spec!.spec.pipeline.package;
  const hPath = head.spec!.spec.pipeline.package;
  if (bPath !== hPath) out.push(`package ${bPath} → ${hPath}`);
  if (base.packageText === head.packageText) return out;
  if (!base.graph || !head.graph) {
    out.push(`package changed (the ${!head.graph ? 'new' : 'base'} version could not be loaded)`);
    return out;
  }
  if (base.graph.name !== head.graph.name) {
    // KFP looks up cache entries under `pipeline/<name>` (backend/src/v2/driver/cache.go), so a
    // renamed pipeline starts with an empty cache everywhere.
    out.push(
      `pipeline name ${base.graph.name} → ${head.graph.name} (KFP scopes its cache by pipeline name: no step is a cache hit across the rename)`,
    );
  }
  const bPrints = stepPrints(base.graph);
  const hPrints = stepPrints(head.graph);
  const differ = [...hPrints.keys()].filter((k) => bPrints.has(k) && bPrints.get(k) !== hPrints.get(k));
  const added = [...hPrints.keys()].filter((k) => !bPrints.has(k));
  const removed = [...bPrints.keys()].filter((k) => !hPrints.has(k));
  if (differ.length > 0)
    out.push(`package changed: ${count(differ.length, 'step differs', 'steps differ')} (${list(differ)})`);
  if (added.length > 0) out.push(`package adds ${count(added.length, 'step', 'steps')}: ${list(added)}`);
  if (removed.length > 0) out.push(`package removes ${count(removed.length, 'step', 'steps')}: ${list(removed)}`);
  if (differ.length + added.length + removed.length === 0 && base.graph.name === head.graph.name) {
    out.push('package changed, but no step differs (pipeline inputs or metadata only)');
  }
  return out;
}

/**
 * A digest per root task of everything compiled for it: the task, its component, its executor
 * (container image, command, args), its Kubernetes platform config, and the same for every task
 * nested inside it. Equal digests mean the step runs exactly as before.
 */
export function stepPrints(graph: PipelineGraph): Map<string, string> {
  const prints = new Map<string, string>();
  const describe = (n: TaskNode): JsonValue => ({
    task: n.task as unknown as JsonValue,
    component: n.component as unknown as JsonValue,
    executor: (n.executor ?? null) as unknown as JsonValue,
    platform: ((n.executorLabel && graph.platformExecutors[n.executorLabel]) || null) as unknown as JsonValue,
    children: n.children.map(describe),
  });
  for (const key of graph.rootOrder) {
    const node = graph.rootTasks.get(key)!;
    prints.set(
      key,
      createHash('sha256')
        .update(canonicalJson(describe(node)))
        .digest('hex'),
    );
  }
  return prints;
}

function parameterChanges(b: Record<string, JsonValue>, h: Record<string, JsonValue>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(h)) {
    if (!(k in b)) out.push(`parameter ${k} added: ${show(h[k]!)}`);
    else if (canonicalJson(b[k]) !== canonicalJson(h[k])) out.push(`parameter ${k} ${show(b[k]!)} → ${show(h[k]!)}`);
  }
  for (const k of Object.keys(b)) if (!(k in h)) out.push(`parameter ${k} removed (was ${show(b[k]!)})`);
  return out;
}

/** Parameters given from the environment: names of the parameter and of the variable, never a value. */
function fromEnvChanges(b: Record<string, string>, h: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (!(k in b)) out.push(`parameter ${k} now given from the environment (${v})`);
    else if (b[k] !== v) out.push(`parameter ${k} from the environment: ${b[k]} → ${v}`);
  }
  for (const [k, v] of Object.entries(b))
    if (!(k in h)) out.push(`parameter ${k} no longer given from the environment (was ${v})`);
  return out;
}

/**
 * What changes what is enforced: built-in default policies relaxed or restored (`spec.defaultPolicies`),
 * the file's policies, policy files, exceptions and residency rules. A reviewer must see these even
 * when no step moves: they decide what `plan` lets through.
 */
function enforcementChanges(b: SplitPipelineBody, h: SplitPipelineBody): string[] {
  const out: string[] = [];
  const bd = b.defaultPolicies ?? {};
  const hd = h.defaultPolicies ?? {};
  const setting = (name: string, s: DefaultPolicySetting | undefined) => {
    const enforcement = s?.enforcement ?? builtInPolicy(name)?.enforcement ?? 'its default';
    const owners = s?.owners && s.owners.length > 0 ? ` (owners: ${list(s.owners)})` : '';
    return `${enforcement}${owners}${s ? '' : ' (built-in default)'}`;
  };
  for (const name of [...new Set([...Object.keys(bd), ...Object.keys(hd)])].sort()) {
    if (canonicalJson(bd[name] ?? null) === canonicalJson(hd[name] ?? null)) continue;
    out.push(`default policy ${name}: ${setting(name, bd[name])} → ${setting(name, hd[name])}`);
  }
  out.push(...namedChanges('policy', b.policies ?? [], h.policies ?? [], (p) => p.name));
  const bf = b.policyFiles ?? [];
  const hf = h.policyFiles ?? [];
  for (const f of hf) if (!bf.includes(f)) out.push(`policy file ${f} added`);
  for (const f of bf) if (!hf.includes(f)) out.push(`policy file ${f} removed`);
  out.push(
    ...namedChanges(
      'exception for policy',
      b.policyExceptions ?? [],
      h.policyExceptions ?? [],
      (e) => `${e.policy}${e.match !== undefined ? ` where ${e.match}` : ''}`,
    ),
  );
  const bData = canonicalJson(b.data ?? []);
  const hData = canonicalJson(h.data ?? []);
  if (bData !== hData)
    out.push(
      `data residency and labels (spec.data) changed: ${(b.data ?? []).length} → ${(h.data ?? []).length} entries`,
    );
  return out;
}

/** Items of a list keyed by name: added, removed, or changed in the fields named. */
function namedChanges<T>(what: string, b: readonly T[], h: readonly T[], key: (t: T) => string): string[] {
  const out: string[] = [];
  const bBy = new Map(b.map((x) => [key(x), x]));
  const hBy = new Map(h.map((x) => [key(x), x]));
  for (const [k, x] of hBy) {
    const old = bBy.get(k);
    if (old === undefined) out.push(`${what} ${k} added`);
    else {
      const fields = changedFields(old as unknown as JsonValue, x as unknown as JsonValue, '');
      if (fields.length > 0) out.push(`${what} ${k} changed: ${list(fields)}`);
    }
  }
  for (const k of bBy.keys()) if (!hBy.has(k)) out.push(`${what} ${k} removed`);
  return out;
}

function locationChanges(b: readonly LocationSpec[], h: readonly LocationSpec[]): string[] {
  const out: string[] = [];
  const bByName = new Map(b.map((l) => [l.name, l]));
  const hByName = new Map(h.map((l) => [l.name, l]));
  for (const l of h) {
    const old = bByName.get(l.name);
    if (!old) out.push(`location ${l.name} added`);
    else {
      // Field names only: values are endpoints and variable names, but a reviewer needs to know
      // where to look, not to read them twice.
      const fields = changedFields(old as unknown as JsonValue, l as unknown as JsonValue, '');
      if (fields.length > 0) out.push(`location ${l.name} changed: ${list(fields)}`);
    }
  }
  for (const l of b) if (!hByName.has(l.name)) out.push(`location ${l.name} removed`);
  return out;
}

function changedFields(b: JsonValue | undefined, h: JsonValue | undefined, path: string): string[] {
  const isObj = (v: JsonValue | undefined): v is { [k: string]: JsonValue } =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(b) && isObj(h)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(h)])].filter((k) => k !== 'name' || path !== '');
    return keys.flatMap((k) => changedFields(b[k], h[k], path ? `${path}.${k}` : k));
  }
  return canonicalJson(b ?? null) === canonicalJson(h ?? null) ? [] : [path];
}

function stageLabel(s: StageSpec): string {
  return s.name ? `${s.name} at ${s.location}` : `at ${s.location}`;
}

/** Stages added or removed, by name (or location and position), aligned by longest common subsequence. */
function stageChanges(b: readonly StageSpec[], h: readonly StageSpec[]): string[] {
  const out: string[] = [];
  const bl = b.map((s) => s.name ?? s.location);
  const hl = h.map((s) => s.name ?? s.location);
  const { onlyA, onlyB, pairs } = alignLists(bl, hl);
  for (const i of onlyA) out.push(`stage ${i + 1} (${describeStage(b[i]!)}) removed`);
  for (const j of onlyB) out.push(`stage added: ${j + 1} (${describeStage(h[j]!)})`);
  for (const [i, j] of pairs) {
    if (b[i]!.gate !== h[j]!.gate) out.push(`stage ${j + 1} (${stageLabel(h[j]!)}) gate ${b[i]!.gate} → ${h[j]!.gate}`);
  }
  return out;
}

function describeStage(s: StageSpec): string {
  return `${stageLabel(s)}: ${list(s.steps)}`;
}

/** Where each step runs, and which steps moved between locations or stages. */
function placementChanges(b: readonly StageSpec[], h: readonly StageSpec[]): string[] {
  const out: string[] = [];
  const where = (stages: readonly StageSpec[]) => {
    const m = new Map<string, { stage: number; location: string }>();
    stages.forEach((s, i) => s.steps.forEach((step) => m.set(step, { stage: i + 1, location: s.location })));
    return m;
  };
  const bw = where(b);
  const hw = where(h);
  for (const [step, now] of hw) {
    const was = bw.get(step);
    if (!was) continue;
    if (was.location !== now.location) out.push(`${step} moved from ${was.location} to ${now.location}`);
    else if (was.stage !== now.stage)
      out.push(`${step} moved from stage ${was.stage} to stage ${now.stage} (still at ${now.location})`);
  }
  return out;
}

/** Longest common subsequence alignment of two lists of labels. */
export function alignLists(
  a: readonly string[],
  b: readonly string[],
): { pairs: [number, number][]; onlyA: number[]; onlyB: number[] } {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) onlyA.push(i++);
    else onlyB.push(j++);
  }
  while (i < n) onlyA.push(i++);
  while (j < m) onlyB.push(j++);
  return { pairs, onlyA, onlyB };
}

const SHOWN_ITEMS = 10;
const SHOWN_VALUE_CHARS = 80;

function list(items: readonly string[]): string {
  if (items.length <= SHOWN_ITEMS) return items.join(', ');
  return `${items.slice(0, SHOWN_ITEMS).join(', ')} and ${items.length - SHOWN_ITEMS} more`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function show(v: JsonValue): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > SHOWN_VALUE_CHARS ? `${s.slice(0, SHOWN_VALUE_CHARS - 1)}…` : s;
}
