// Early stop by pruning: a stage's run is the compiled pipeline cut down to the stage's steps and
// their ancestors. Every kept task, component and executor is copied unchanged except
// `cachingOptions`, because KFP's cache key (`backend/src/v2/cacheutils/cache.go` GenerateCacheKey)
// is built from the component's inputs, outputs and container, so an identical definition is what
// makes a handed-off step a cache hit at the next location. The thesis instead edited the user's
// pipeline code to add a `stop` parameter; this needs no change to user code.
import { stringify } from 'yaml';
import { ancestorsOf, walkTasks, type PipelineGraph } from './graph.js';
import type { IrComponent, IrDag, IrPipelineSpec, IrPlatformSpec, IrTask } from './ir.js';

export interface PruneRequest {
  /** Root tasks the run must execute or serve from cache; their ancestors are added. */
  keep: Iterable<string>;
  /**
   * Root tasks whose caching is switched on (with everything nested in them): tasks handed off to a
   * later location must write a cache row where they run, and must look one up where they are
   * handed off to. KFP only computes a fingerprint when `enableCache` is true
   * (`backend/src/v2/driver/cache.go` getFingerPrintsAndID).
   */
  enableCaching?: Iterable<string>;
  /**
   * Root tasks whose caching is switched off (with everything nested in them), so they execute even
   * though a cache row exists: used to regenerate outputs whose bytes were lost, since KFP never
   * checks that cached bytes exist. Wins over `enableCaching`.
   */
  disableCaching?: Iterable<string>;
}

export interface CachingChange {
  /** Path of the task from the root DAG. */
  path: string[];
  from: boolean;
}

export interface PrunedPipeline {
  spec: IrPipelineSpec;
  platformSpec?: IrPlatformSpec;
  /** Root tasks kept, in topological order. */
  tasks: string[];
  /** Tasks whose caching was off in the package and is on in the pruned spec. */
  cachingChanges: CachingChange[];
  /** The pruned package as KFP's SDK would write it (one or two YAML documents). */
  yaml: string;
}

export function prunePipeline(graph: PipelineGraph, request: PruneRequest): PrunedPipeline {
  const requested = new Set(request.keep);
  for (const k of requested)
    if (!graph.rootTasks.has(k)) throw new Error(`prune: "${k}" is not a root task of pipeline ${graph.name}`);
  const keep = new Set([...requested, ...ancestorsOf(graph, requested)]);
  const enable = new Set([...(request.enableCaching ?? [])].filter((k) => keep.has(k)));
  const original = graph.pkg.spec;
  const spec = structuredClone(original);

  // Root DAG: drop tasks not kept, and root outputs that would name a dropped task.
  const rootDag = spec.root.dag;
  for (const key of Object.keys(rootDag.tasks)) if (!keep.has(key)) delete rootDag.tasks[key];
  pruneDagOutputs(spec.root, keep);

  // Caching: switch on for the requested root tasks and everything nested inside them.
  const cachingChanges: CachingChange[] = [];
  const components = spec.components ?? {};
  const enableIn = (task: IrTask, path: string[]) => {
    const before = task.cachingOptions?.enableCache === true;
    const comp = components[task.componentRef.name];
    if (comp?.dag) {
      for (const [k, t] of Object.entries(comp.dag.tasks)) enableIn(t, [...path, k]);
      return;
    }
    if (!before) {
      task.cachingOptions = { ...(task.cachingOptions ?? {}), enableCache: true };
      cachingChanges.push({ path, from: false });
    }
  };
  const disable = new Set([...(request.disableCaching ?? [])].filter((k) => keep.has(k)));
  for (const key of enable) if (!disable.has(key)) enableIn(rootDag.tasks[key]!, [key]);
  const disableIn = (task: IrTask) => {
    const comp = components[task.componentRef.name];
    if (comp?.dag) for (const t of Object.values(comp.dag.tasks)) disableIn(t);
    else task.cachingOptions = {};
  };
  for (const key of disable) disableIn(rootDag.tasks[key]!);

  // Components reachable from the kept tasks (nested DAGs reference further components).
  const usedComponents = new Set<string>();
  const visitDag = (dag: IrDag) => {
    for (const t of Object.values(dag.tasks)) {
      const name = t.componentRef.name;
      if (usedComponents.has(name)) continue;
      usedComponents.add(name);
      const c = components[name];
      if (c?.dag) visitDag(c.dag);
    }
  };
  visitDag(rootDag);
  if (spec.components) {
    for (const name of Object.keys(spec.components)) if (!usedComponents.has(name)) delete spec.components[name];
  }
  const usedExecutors = new Set<string>();
  for (const name of usedComponents) {
    const label = components[name]?.executorLabel;
    if (label) usedExecutors.add(label);
  }
  const executors = spec.deploymentSpec?.executors;
  if (executors) for (const label of Object.keys(executors)) if (!usedExecutors.has(label)) delete executors[label];

  let platformSpec: IrPlatformSpec | undefined;
  if (graph.pkg.platformSpec) {
    platformSpec = structuredClone(graph.pkg.platformSpec);
    const pexec = platformSpec.platforms?.kubernetes?.deploymentSpec?.executors;
    if (pexec) for (const label of Object.keys(pexec)) if (!usedExecutors.has(label)) delete pexec[label];
  }

  const tasks = graph.rootOrder.filter((k) => keep.has(k));
  const result: PrunedPipeline = { spec, tasks, cachingChanges, yaml: toPackageYaml(spec, platformSpec) };
  if (platformSpec) result.platformSpec = platformSpec;
  return result;
}

function pruneDagOutputs(component: IrComponent & { dag: IrDag }, keep: Set<string>): void {
  const outputs = component.dag.outputs;
  if (!outputs) return;
  const dropped: string[] = [];
  for (const [name, a] of Object.entries(outputs.artifacts ?? {})) {
    const selectors = a.artifactSelectors ?? [];
    if (selectors.some((s) => !keep.has(s.producerSubtask))) {
      delete outputs.artifacts![name];
      dropped.push(name);
    }
  }
  for (const [name, p] of Object.entries(outputs.parameters ?? {})) {
    const producers = [
      ...(p.valueFromParameter ? [p.valueFromParameter.producerSubtask] : []),
      ...(p.valueFromOneof?.parameterSelectors ?? []).map((s) => s.producerSubtask),
    ];
    if (producers.some((t) => !keep.has(t))) {
      delete outputs.parameters![name];
      dropped.push(name);
    }
  }
  const defs = component.outputDefinitions;
  for (const name of dropped) {
    if (defs?.artifacts) delete defs.artifacts[name];
    if (defs?.parameters) delete defs.parameters[name];
  }
  if (outputs.artifacts && Object.keys(outputs.artifacts).length === 0) delete outputs.artifacts;
  if (outputs.parameters && Object.keys(outputs.parameters).length === 0) delete outputs.parameters;
  if (Object.keys(outputs).length === 0) delete component.dag.outputs;
  if (defs) {
    if (defs.artifacts && Object.keys(defs.artifacts).length === 0) delete defs.artifacts;
    if (defs.parameters && Object.keys(defs.parameters).length === 0) delete defs.parameters;
    if (Object.keys(defs).length === 0) delete component.outputDefinitions;
  }
}

export function toPackageYaml(spec: IrPipelineSpec, platformSpec?: IrPlatformSpec): string {
  const opts = { lineWidth: 0, aliasDuplicateObjects: false } as const;
  const header = `# PIPELINE DEFINITION\n# Name: ${spec.pipelineInfo.name}\n`;
  let out = header + stringify(spec, opts);
  if (platformSpec) out += '---\n' + stringify(platformSpec, opts);
  return out;
}

/** Root tasks whose caching is off somewhere inside (for plan warnings). */
export function cachingDisabledWithin(graph: PipelineGraph, key: string): string[][] {
  const node = graph.rootTasks.get(key);
  if (!node) return [];
  const out: string[][] = [];
  for (const t of walkTasks([node])) if (t.kind !== 'dag' && !t.cachingEnabled) out.push(t.path);
  return out;
}
