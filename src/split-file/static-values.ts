// What an input parameter of a task is, as far as the package and the file tell before any run:
// a constant, or a value passed down through DAG inputs from one (the DAG driver fills in a
// sub-pipeline's default for an input not passed), or a pipeline parameter. Upstream outputs are
// known only at run time. Used by validate's checks of the workspace and of importer URIs.
import type { TaskNode } from '../pipeline/graph.js';
import type { IrTaskParameterInput, JsonValue } from '../pipeline/ir.js';

/** Where a task sits: its siblings (for `taskOutput…` producers) and the DAG task enclosing it. */
export interface Frame {
  siblings: ReadonlyMap<string, TaskNode>;
  dag?: { node: TaskNode; outer: Frame };
}

export function rootFrame(rootTasks: ReadonlyMap<string, TaskNode>): Frame {
  return { siblings: rootTasks };
}

export function innerFrame(dagTask: TaskNode, outer: Frame): Frame {
  return { siblings: new Map(dagTask.children.map((c) => [c.key, c])), dag: { node: dagTask, outer } };
}

export type StaticValue =
  | { kind: 'value'; value: JsonValue }
  /** A loop item from a raw list: any of the list's items, given as the list's JSON text. */
  | { kind: 'loop-items'; raw: string };

const MAX_DEPTH = 64;

export function staticParameterValue(
  spec: IrTaskParameterInput,
  frame: Frame,
  pipelineParameters: Readonly<Record<string, JsonValue>>,
  depth = 0,
): StaticValue | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (spec.runtimeValue && 'constant' in spec.runtimeValue)
    return { kind: 'value', value: spec.runtimeValue.constant ?? null };
  const name = spec.componentInputParameter;
  if (name === undefined) return undefined;
  const dag = frame.dag;
  if (!dag) return name in pipelineParameters ? { kind: 'value', value: pipelineParameters[name]! } : undefined;
  const passed = dag.node.task.inputs?.parameters?.[name];
  if (passed) return staticParameterValue(passed, dag.outer, pipelineParameters, depth + 1);
  const iterator = dag.node.task.parameterIterator;
  if (iterator?.itemInput === name) {
    if (typeof iterator.items.raw === 'string') return { kind: 'loop-items', raw: iterator.items.raw };
    const items = iterator.items.inputParameter;
    const source = items === undefined ? undefined : dag.node.task.inputs?.parameters?.[items];
    const list = source ? staticParameterValue(source, dag.outer, pipelineParameters, depth + 1) : undefined;
    return list?.kind === 'value' ? { kind: 'loop-items', raw: JSON.stringify(list.value) } : list;
  }
  const def = dag.node.component.inputDefinitions?.parameters?.[name];
  return def && def.defaultValue !== undefined ? { kind: 'value', value: def.defaultValue } : undefined;
}

/** The pipeline parameters the runs get: the file's values over the pipeline's defaults. */
export function pipelineParameterValues(
  rootDefinitions: Readonly<Record<string, { defaultValue?: JsonValue }>> | undefined,
  given: Readonly<Record<string, JsonValue>> | undefined,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(rootDefinitions ?? {}))
    if (def.defaultValue !== undefined) out[name] = def.defaultValue;
  return { ...out, ...(given ?? {}) };
}
