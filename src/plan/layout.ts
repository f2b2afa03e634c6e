// The stage layout: what each stage's run contains and what must be handed to it beforehand.
// Pure: derived from the spec's stages and the pipeline graph only (this is what `plan --offline`
// shows, and what the online planner starts from before it looks at any location).
import { ancestorsOf, type PipelineGraph } from '../pipeline/graph.js';

export interface StageInput {
  location: string;
  steps: readonly string[];
  name?: string;
}

export interface StageLayout {
  /** 1-based, in the order of `spec.stages`. */
  index: number;
  name: string;
  location: string;
  /** Steps placed in this stage: they execute here. */
  steps: string[];
  /** Ancestors placed in earlier stages: this stage's run must find them in the cache. */
  fromCache: string[];
  /** The pruned run's root tasks: steps and fromCache, topologically ordered. */
  runTasks: string[];
  /** Tasks whose caching the pruned spec switches on (reused later, or served from cache here). */
  enableCaching: string[];
}

export function layoutStages(graph: PipelineGraph, stages: readonly StageInput[]): StageLayout[] {
  const order = (keys: Iterable<string>) => {
    const set = new Set(keys);
    return graph.rootOrder.filter((k) => set.has(k));
  };
  const layouts: StageLayout[] = stages.map((s, i) => {
    const index = i + 1;
    const steps = order(s.steps);
    const fromCache = order([...ancestorsOf(graph, steps)].filter((k) => !s.steps.includes(k)));
    return {
      index,
      name: s.name ?? `${index}-${s.location}`,
      location: s.location,
      steps,
      fromCache,
      runTasks: order([...steps, ...fromCache]),
      enableCaching: [],
    };
  });

  const reusedLater = new Set(layouts.flatMap((l) => l.fromCache));
  for (const layout of layouts) {
    layout.enableCaching = order([...layout.fromCache, ...layout.steps.filter((s) => reusedLater.has(s))]);
  }
  return layouts;
}
