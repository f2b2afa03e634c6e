// A DAG's outputs, as a consumer of the DAG task resolves them (resolve.go resolveUpstreamParameters,
// resolveUpstreamArtifacts, GetProducerTask, CollectInputs): `valueFromParameter` and a single
// artifact selector follow the named subtask whatever its state; `valueFromOneof` and several
// artifact selectors (dsl.OneOf) take the first subtask whose MLMD execution is COMPLETE or CACHED.
// A ParallelFor's outputs are lists collected over its iterations (dsl.Collected); CollectInputs walks
// nested loops breadth first down to the containers, so collections from inner loops are flattened
// into one list, in iteration order. Computed once the DAG finishes, which gives the same answer as
// KFP's lazy walk: the states it reads cannot change after that.
import type { IrComponent, JsonValue } from '../ir.js';
import { producerArtifacts } from './resolve.js';
import type { TaskRecord } from './scope.js';
import type { ArtifactRef, TaskOutputs } from './types.js';

export interface DagOutputs {
  outputs: TaskOutputs;
  collected: Set<string>;
  errors: Record<string, string>;
}

function finished(record: TaskRecord): boolean {
  return record.state === 'succeeded' || record.state === 'cached';
}

function oneOfWinner(records: ReadonlyMap<string, TaskRecord>, subtasks: string[]): TaskRecord | undefined {
  for (const key of subtasks) {
    const state = records.get(key)?.exec?.state;
    if (state === 'COMPLETE' || state === 'CACHED') return records.get(key);
  }
  return undefined;
}

export function computeDagOutputs(
  component: IrComponent,
  records: ReadonlyMap<string, TaskRecord>,
  where: string,
): DagOutputs {
  const result: DagOutputs = { outputs: { parameters: {}, artifacts: {} }, collected: new Set(), errors: {} };
  const specs = component.dag?.outputs ?? {};
  for (const [name, spec] of Object.entries(specs.parameters ?? {})) {
    let producer: TaskRecord | undefined;
    let key: string;
    if (spec.valueFromParameter) {
      producer = records.get(spec.valueFromParameter.producerSubtask);
      key = spec.valueFromParameter.outputParameterKey;
    } else if (spec.valueFromOneof) {
      const selectors = spec.valueFromOneof.parameterSelectors ?? [];
      producer = oneOfWinner(
        records,
        selectors.map((s) => s.producerSubtask),
      );
      if (!producer) {
        result.errors[name] =
          `processing OneOf: No successful task found for output key "${name}" in parent task "${where}"`;
        continue;
      }
      key = selectors.find((s) => s.producerSubtask === producer!.node.key)!.outputParameterKey;
    } else {
      result.errors[name] = `output parameter "${name}" of ${where} has no producer`;
      continue;
    }
    const params = producer?.outputs?.parameters ?? {};
    if (producer && finished(producer) && Object.prototype.hasOwnProperty.call(params, key)) {
      result.outputs.parameters[name] = params[key]!;
      if (producer.collected?.has(key)) result.collected.add(name);
    } else {
      result.errors[name] =
        producer?.outputErrors?.[key] ??
        `output parameter "${name}" of ${where}: ` +
          `its producer ${producer ? `${producer.node.key} (${producer.state})` : 'did not run'} has no output "${key}"`;
    }
  }
  for (const [name, spec] of Object.entries(specs.artifacts ?? {})) {
    const selectors = spec.artifactSelectors ?? [];
    const producer =
      selectors.length === 1
        ? records.get(selectors[0]!.producerSubtask)
        : oneOfWinner(
            records,
            selectors.map((s) => s.producerSubtask),
          );
    if (!producer) {
      result.errors[name] =
        selectors.length > 1
          ? `processing OneOf: No successful task found for output key "${name}" in parent task "${where}"`
          : `output artifact "${name}" of ${where}: its producer did not run`;
      continue;
    }
    const key = selectors.find((s) => s.producerSubtask === producer.node.key)!.outputArtifactKey;
    if (!finished(producer)) {
      result.errors[name] =
        `output artifact "${name}" of ${where}: its producer ${producer.node.key} is ${producer.state}`;
      continue;
    }
    const refs = producerArtifacts(producer, key);
    if (refs.ok) result.outputs.artifacts[name] = refs.refs;
    else result.errors[name] = refs.error;
  }
  return result;
}

/** A loop DAG's outputs from its iterations' outputs (all of them, in index order). */
export function collectIterations(
  component: IrComponent,
  iterations: readonly DagOutputs[],
  where: string,
): DagOutputs {
  const result: DagOutputs = { outputs: { parameters: {}, artifacts: {} }, collected: new Set(), errors: {} };
  const specs = component.dag?.outputs ?? {};
  if (iterations.length === 0) {
    // getParallelForIterationCount is 0, so KFP looks for the loop body's producer among the loop's
    // own tasks and does not find it.
    for (const name of [...Object.keys(specs.parameters ?? {}), ...Object.keys(specs.artifacts ?? {})]) {
      result.errors[name] = `output "${name}" of ${where}: the loop ran no iterations, so KFP finds no producer for it`;
    }
    return result;
  }
  for (const name of Object.keys(specs.parameters ?? {})) {
    const values: JsonValue[] = [];
    const error = iterations.map((it) => it.errors[name]).find((e) => e !== undefined);
    if (error !== undefined) {
      result.errors[name] = error;
      continue;
    }
    for (const it of iterations) {
      const v = it.outputs.parameters[name]!;
      if (it.collected.has(name) && Array.isArray(v)) values.push(...v);
      else values.push(v);
    }
    result.outputs.parameters[name] = values;
    result.collected.add(name);
  }
  for (const name of Object.keys(specs.artifacts ?? {})) {
    const error = iterations.map((it) => it.errors[name]).find((e) => e !== undefined);
    if (error !== undefined) {
      result.errors[name] = error;
      continue;
    }
    const refs: ArtifactRef[] = [];
    for (const it of iterations) refs.push(...(it.outputs.artifacts[name] ?? []));
    result.outputs.artifacts[name] = refs;
  }
  return result;
}
