// The pipeline as a graph of tasks. Placement in split-pipeline.yaml is by *root* task (the keys of
// `root.dag.tasks`): a root task may itself be a DAG (a condition, a ParallelFor loop, an exit
// handler, a nested pipeline), and then everything inside it runs where it is placed.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrComponent, IrDag, IrExecutor, IrKubernetesExecutorConfig, IrTask } from './ir.js';
import type { PipelinePackage } from './package.js';

export type TaskKind = 'container' | 'importer' | 'resolver' | 'dag' | 'platform-op';

/** How a task came to depend on a sibling; shown to users when a placement is refused. */
export type DependencyVia = 'dependentTasks' | 'parameter' | 'artifact' | 'final status';

export interface Dependency {
  task: string;
  via: DependencyVia;
  input?: string;
}

export interface TaskNode {
  /** Key in the enclosing DAG's `tasks` map; for root tasks this is the step name users place. */
  key: string;
  /** Keys from the root DAG down to this task. */
  path: string[];
  displayName: string;
  componentName: string;
  component: IrComponent;
  kind: TaskKind;
  executorLabel?: string;
  executor?: IrExecutor;
  /** `cachingOptions.enableCache`; proto3 omits false, so an empty `cachingOptions` means disabled. */
  cachingEnabled: boolean;
  cacheKey?: string;
  dependsOn: Dependency[];
  children: TaskNode[];
  task: IrTask;
}

export interface PipelineGraph {
  /** `pipelineInfo.name`: KFP scopes cache lookups to `pipeline/<name>` (`backend/src/v2/driver/cache.go`). */
  name: string;
  pkg: PipelinePackage;
  /** Root tasks in a deterministic topological order (dependencies first, then spec key order). */
  rootOrder: string[];
  rootTasks: Map<string, TaskNode>;
  components: Record<string, IrComponent>;
  executors: Record<string, IrExecutor>;
  platformExecutors: Record<string, IrKubernetesExecutorConfig>;
}

// `backend/src/v2/driver/k8s.go` `dummyImages`: these executors are run by the driver itself.
const PLATFORM_OP_IMAGES = new Set(['argostub/createpvc', 'argostub/deletepvc']);

export function buildGraph(pkg: PipelinePackage): { graph?: PipelineGraph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const spec = pkg.spec;
  const components = spec.components ?? {};
  const executors = spec.deploymentSpec?.executors ?? {};
  const platformExecutors = pkg.platformSpec?.platforms?.kubernetes?.deploymentSpec?.executors ?? {};
  const fail = (path: (string | number)[], message: string) => {
    const p = pkg.positionOf(path);
    diagnostics.push({ file: pkg.file, line: p.line, col: p.col, severity: 'error', message });
  };
  if (typeof spec.pipelineInfo?.name !== 'string' || spec.pipelineInfo.name === '')
    fail(['pipelineInfo'], 'pipelineInfo.name is missing');
  const rootDag = spec.root?.dag;
  if (
    !rootDag ||
    typeof rootDag.tasks !== 'object' ||
    rootDag.tasks === null ||
    Object.keys(rootDag.tasks).length === 0
  ) {
    fail(['root'], 'root.dag.tasks is missing or empty: the pipeline has no tasks');
    return { diagnostics };
  }

  const visiting = new Set<string>();
  const buildDag = (dag: IrDag, parentPath: string[], specPath: (string | number)[]): TaskNode[] => {
    const nodes: TaskNode[] = [];
    const keys = Object.keys(dag.tasks ?? {});
    for (const key of keys) {
      const task = dag.tasks[key]!;
      const tPath = [...specPath, 'tasks', key];
      const componentName = task?.componentRef?.name;
      const component = typeof componentName === 'string' ? components[componentName] : undefined;
      if (!component) {
        fail(
          [...tPath, 'componentRef'],
          `task "${key}" refers to component "${String(componentName)}", which is not in components`,
        );
        continue;
      }
      const path = [...parentPath, key];
      const dependsOn = dependenciesOf(task);
      for (const d of dependsOn) {
        if (!keys.includes(d.task))
          fail(tPath, `task "${key}" depends on "${d.task}" (${d.via}), which is not a task of the same DAG`);
      }
      let kind: TaskKind;
      let executor: IrExecutor | undefined;
      const children: TaskNode[] = [];
      if (component.dag) {
        kind = 'dag';
        if (visiting.has(componentName)) {
          fail([...tPath, 'componentRef'], `component "${componentName}" contains itself`);
          continue;
        }
        visiting.add(componentName);
        children.push(...buildDag(component.dag, path, ['components', componentName, 'dag']));
        visiting.delete(componentName);
      } else if (component.executorLabel) {
        executor = executors[component.executorLabel];
        if (!executor) {
          fail(
            ['components', componentName, 'executorLabel'],
            `component "${componentName}" uses executor "${component.executorLabel}", which is not in deploymentSpec.executors`,
          );
          continue;
        }
        if (executor.importer) kind = 'importer';
        else if (executor.resolver) kind = 'resolver';
        else if (executor.container && PLATFORM_OP_IMAGES.has(executor.container.image)) kind = 'platform-op';
        else if (executor.container) kind = 'container';
        else {
          fail(
            ['deploymentSpec', 'executors', component.executorLabel],
            `executor "${component.executorLabel}" has neither container nor importer`,
          );
          continue;
        }
      } else {
        fail(['components', componentName], `component "${componentName}" has neither executorLabel nor dag`);
        continue;
      }
      const node: TaskNode = {
        key,
        path,
        displayName: task.taskInfo?.name ?? key,
        componentName: componentName,
        component,
        kind,
        cachingEnabled: task.cachingOptions?.enableCache === true,
        dependsOn,
        children,
        task,
      };
      if (component.executorLabel) node.executorLabel = component.executorLabel;
      if (executor) node.executor = executor;
      if (typeof task.cachingOptions?.cacheKey === 'string' && task.cachingOptions.cacheKey !== '')
        node.cacheKey = task.cachingOptions.cacheKey;
      nodes.push(node);
    }
    const order = topoSort(nodes);
    if (!order)
      fail(specPath, `the tasks of ${parentPath.length ? `"${parentPath.join('/')}"` : 'the root DAG'} form a cycle`);
    return nodes;
  };

  const roots = buildDag(rootDag, [], ['root', 'dag']);
  if (diagnostics.length > 0) return { diagnostics };
  const rootTasks = new Map(roots.map((n) => [n.key, n]));
  const graph: PipelineGraph = {
    name: spec.pipelineInfo.name,
    pkg,
    rootOrder: topoSort(roots)!.map((n) => n.key),
    rootTasks,
    components,
    executors,
    platformExecutors,
  };
  return { graph, diagnostics };
}

/** Every sibling a task waits for: explicit `.after()`, data edges, and exit-handler status. */
export function dependenciesOf(task: IrTask): Dependency[] {
  const deps: Dependency[] = [];
  const add = (d: Dependency) => {
    if (!deps.some((x) => x.task === d.task && x.via === d.via && x.input === d.input)) deps.push(d);
  };
  for (const t of task.dependentTasks ?? []) add({ task: t, via: 'dependentTasks' });
  for (const [name, p] of Object.entries(task.inputs?.parameters ?? {})) {
    if (p.taskOutputParameter?.producerTask)
      add({ task: p.taskOutputParameter.producerTask, via: 'parameter', input: name });
    if (p.taskFinalStatus?.producerTask)
      add({ task: p.taskFinalStatus.producerTask, via: 'final status', input: name });
  }
  for (const [name, a] of Object.entries(task.inputs?.artifacts ?? {})) {
    if (a.taskOutputArtifact?.producerTask)
      add({ task: a.taskOutputArtifact.producerTask, via: 'artifact', input: name });
  }
  return deps;
}

/** Kahn's algorithm, ties broken by spec order so the result is stable; null on a cycle. */
export function topoSort(nodes: readonly TaskNode[]): TaskNode[] | null {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const indegree = new Map(nodes.map((n) => [n.key, 0]));
  for (const n of nodes) for (const d of uniqueDeps(n)) if (byKey.has(d)) indegree.set(n.key, indegree.get(n.key)! + 1);
  const out: TaskNode[] = [];
  const done = new Set<string>();
  while (out.length < nodes.length) {
    const next = nodes.find((n) => !done.has(n.key) && indegree.get(n.key) === 0);
    if (!next) return null;
    done.add(next.key);
    out.push(next);
    for (const n of nodes) if (uniqueDeps(n).includes(next.key)) indegree.set(n.key, indegree.get(n.key)! - 1);
  }
  return out;
}

function uniqueDeps(n: TaskNode): string[] {
  return [...new Set(n.dependsOn.map((d) => d.task))];
}

/** All root tasks that `keys` transitively depend on (not including `keys` themselves). */
export function ancestorsOf(graph: PipelineGraph, keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...keys];
  while (stack.length > 0) {
    const k = stack.pop()!;
    for (const d of graph.rootTasks.get(k)?.dependsOn ?? []) {
      if (!out.has(d.task)) {
        out.add(d.task);
        stack.push(d.task);
      }
    }
  }
  return out;
}

/** Root tasks that transitively depend on any of `keys`. */
export function descendantsOf(graph: PipelineGraph, keys: Iterable<string>): Set<string> {
  const targets = new Set(keys);
  const out = new Set<string>();
  for (const k of graph.rootOrder) {
    const deps = graph.rootTasks.get(k)!.dependsOn;
    if (deps.some((d) => targets.has(d.task) || out.has(d.task))) out.add(k);
  }
  return out;
}

/** Depth-first walk over a task and everything nested inside it. */
export function* walkTasks(nodes: Iterable<TaskNode>): Generator<TaskNode> {
  for (const n of nodes) {
    yield n;
    yield* walkTasks(n.children);
  }
}
