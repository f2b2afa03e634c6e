// A task's executor inputs, resolved as `resolveInputs` does in `backend/src/v2/driver/resolve.go`:
// parameters from the parent DAG's inputs, sibling outputs or constants; artifacts from the parent
// DAG's input artifacts or sibling outputs; then `parameterExpressionSelector`s; then the type check.
// Errors are the driver's, returned as values: the task fails with them.
import type { TaskNode } from '../graph.js';
import type { IrTaskArtifactInput, IrTaskParameterInput, JsonValue } from '../ir.js';
import { CelError, selectParameter } from './cel/index.js';
import { NotEmulatedError } from './errors.js';
import { checkParameterTypes, literalsOf, valuesEqual } from './param-types.js';
import { resolveConstant, taskFinalStatus, type Resolved } from './placeholders.js';
import type { Scope, TaskRecord } from './scope.js';
import type { ArtifactRef, DriveRunInfo, ResolvedInputs } from './types.js';

export interface ResolveEnv<D> {
  scope: Scope<D>;
  run: DriveRunInfo;
  dagExecutionId: () => string | undefined;
}

export type ResolvedParam = Resolved | { ok: false; error: string; nullFrom: string };
export type InputsResult =
  { ok: true; inputs: ResolvedInputs; setNilByDriver: Set<string> } | { ok: false; error: string };

/** resolveInputParameter: one `TaskInputsSpec.InputParameterSpec` in the parent DAG's scope. */
export function resolveParameterSpec<D>(spec: IrTaskParameterInput, node: TaskNode, env: ResolveEnv<D>): ResolvedParam {
  const { scope } = env;
  if (spec.componentInputParameter !== undefined) {
    const name = spec.componentInputParameter;
    if (name === '') return { ok: false, error: 'empty component input' };
    if (!Object.prototype.hasOwnProperty.call(scope.params, name))
      return { ok: false, error: `parent DAG does not have input parameter ${name}` };
    const value = scope.params[name]!;
    // Null only comes from an optional pipeline input without a value; the caller decides.
    if (value === null) return { ok: false, error: `the resolved input parameter is null: ${name}`, nullFrom: name };
    return { ok: true, value };
  }
  if (spec.taskOutputParameter !== undefined) {
    const { producerTask, outputParameterKey } = spec.taskOutputParameter;
    if (!producerTask) return { ok: false, error: 'producerTaskName is empty' };
    if (!outputParameterKey) return { ok: false, error: 'output parameter key is empty' };
    const producer = succeededProducer(scope.records, producerTask);
    if (!producer.ok) return producer;
    const params = producer.record.outputs?.parameters ?? {};
    if (Object.prototype.hasOwnProperty.call(params, outputParameterKey))
      return { ok: true, value: params[outputParameterKey]! };
    return {
      ok: false,
      error:
        producer.record.outputErrors?.[outputParameterKey] ??
        `producer task ${producerTask} has no output parameter ${outputParameterKey}`,
    };
  }
  if (spec.runtimeValue !== undefined) {
    if (spec.runtimeValue.constant === undefined)
      return { ok: false, error: 'param runtime value spec without a constant is not implemented' };
    return resolveConstant(spec.runtimeValue.constant, {
      run: env.run,
      taskName: node.key,
      dagExecutionId: env.dagExecutionId,
    });
  }
  if (spec.taskFinalStatus !== undefined) {
    return taskFinalStatus(node.task.dependentTasks, node.displayName, scope.records, env.run);
  }
  return { ok: false, error: 'parameter spec of this type is not implemented' };
}

function succeededProducer(
  records: ReadonlyMap<string, TaskRecord>,
  key: string,
): { ok: true; record: TaskRecord } | { ok: false; error: string } {
  const record = records.get(key);
  if (!record || (record.state !== 'succeeded' && record.state !== 'cached')) {
    return { ok: false, error: `producer task, ${key}, has no outputs (${record ? record.state : 'not run'})` };
  }
  return { ok: true, record };
}

/**
 * The artifacts a consumer receives from a producer's output. A container's output is one artifact:
 * KFP maps OUTPUT events by name (metadata/client.go GetOutputArtifactsByExecutionId), so a list is
 * refused rather than guessed at. Artifacts an importer downloaded to the workspace get
 * `_kfp_workspace: true` in their metadata (resolve.go setWorkspaceFlag).
 */
export function producerArtifacts(
  record: TaskRecord,
  key: string,
): { ok: true; refs: ArtifactRef[] } | { ok: false; error: string } {
  const refs = record.outputs?.artifacts[key];
  if (record.node.kind === 'dag') {
    return refs
      ? { ok: true, refs }
      : {
          ok: false,
          error:
            record.outputErrors?.[key] ??
            `cannot find output artifact key "${key}" in producer task "${record.node.key}"`,
        };
  }
  if (!refs || refs.length === 0)
    return { ok: false, error: `cannot find output artifact key "${key}" in producer task "${record.node.key}"` };
  if (refs.length > 1) {
    throw new NotEmulatedError(
      `task ${record.path.join('/')} reported ${refs.length} artifacts for its output "${key}"; KFP keeps one artifact per output name`,
    );
  }
  if (!record.workspaceImporter) return { ok: true, refs };
  return { ok: true, refs: refs.map((r) => ({ ...r, metadata: { ...(r.metadata ?? {}), _kfp_workspace: true } })) };
}

function resolveArtifactSpec<D>(
  spec: IrTaskArtifactInput,
  scope: Scope<D>,
): { ok: true; refs: ArtifactRef[] } | { ok: false; error: string } {
  if (spec.componentInputArtifact !== undefined) {
    const name = spec.componentInputArtifact;
    if (name === '') return { ok: false, error: 'component input artifact key is empty' };
    const refs = scope.artifacts[name];
    return refs ? { ok: true, refs } : { ok: false, error: `parent DAG does not have input artifact ${name}` };
  }
  if (spec.taskOutputArtifact !== undefined) {
    const { producerTask, outputArtifactKey } = spec.taskOutputArtifact;
    if (!producerTask) return { ok: false, error: 'producer task is empty' };
    const producer = succeededProducer(scope.records, producerTask);
    return producer.ok ? producerArtifacts(producer.record, outputArtifactKey) : producer;
  }
  return { ok: false, error: 'artifact spec of this type is not implemented yet' };
}

/**
 * resolveInputs for a container, importer-free task or a DAG task (not an iteration). `dag` mode adds
 * what the DAG driver adds: the default (or null) of each optional input the task does not pass.
 */
export function resolveTaskInputs<D>(node: TaskNode, env: ResolveEnv<D>, mode: 'container' | 'dag'): InputsResult {
  const defs = node.component.inputDefinitions?.parameters ?? {};
  const taskParams = node.task.inputs?.parameters ?? {};
  const parameters: Record<string, JsonValue> = {};
  const setNilByDriver = new Set<string>();
  const fail = (error: string): InputsResult => ({ ok: false, error: `failed to resolve inputs: ${error}` });
  if (mode === 'dag') {
    for (const [name, def] of Object.entries(defs)) {
      if (name in taskParams || def.isOptional !== true) continue;
      if (def.defaultValue !== undefined) parameters[name] = def.defaultValue;
      else {
        parameters[name] = null;
        setNilByDriver.add(name);
      }
    }
  }
  for (const [name, spec] of Object.entries(taskParams)) {
    const def = defs[name];
    // dsl.TaskConfig is filled after the fingerprint is computed (container.go), so it is not an input here.
    if (def?.parameterType === 'TASK_CONFIG') continue;
    const r = resolveParameterSpec(spec, node, env);
    if (!r.ok) {
      if ('nullFrom' in r && def?.isOptional === true) continue; // the launcher applies the default
      return fail(`parameter "${name}": ${r.error}`);
    }
    const literals = literalsOf(def);
    if (literals.length > 0 && !literals.some((l) => valuesEqual(l, r.value))) {
      return fail(
        `validating parameter "${name}": value ${JSON.stringify(r.value)} ` +
          `does not match any of the allowed literal values ${JSON.stringify(literals)}`,
      );
    }
    parameters[name] = r.value;
  }
  const artifacts: Record<string, ArtifactRef[]> = {};
  for (const [name, spec] of Object.entries(node.task.inputs?.artifacts ?? {})) {
    const r = resolveArtifactSpec(spec, env.scope);
    if (!r.ok) return fail(`artifact "${name}": ${r.error}`);
    artifacts[name] = r.refs;
  }
  const exempt = new Set<string>();
  if (node.task.parameterIterator) exempt.add(node.task.parameterIterator.itemInput);
  const post = afterResolution(node, parameters, setNilByDriver, exempt);
  return post ? fail(post) : { ok: true, inputs: { parameters, artifacts }, setNilByDriver };
}

/** The iteration driver: the loop DAG's inputs, the items list replaced by this iteration's item. */
export function resolveIterationInputs(
  node: TaskNode,
  loopInputs: ResolvedInputs,
  items: JsonValue[],
  index: number,
): InputsResult {
  const iterator = node.task.parameterIterator!;
  const itemsInput = iterator.items.inputParameter || iterator.itemInput;
  const parameters = { ...loopInputs.parameters };
  delete parameters[itemsInput];
  parameters[iterator.itemInput] = items[index]!;
  const exempt = new Set(iterator.items.inputParameter ? [iterator.items.inputParameter] : []);
  const post = afterResolution(node, parameters, new Set(), exempt);
  return post
    ? { ok: false, error: `failed to resolve inputs: ${post}` }
    : { ok: true, inputs: { parameters, artifacts: { ...loopInputs.artifacts } }, setNilByDriver: new Set() };
}

/** The deferred steps of resolveInputs: selectors first, then the type check and conversion. */
function afterResolution(
  node: TaskNode,
  parameters: Record<string, JsonValue>,
  setNil: Set<string>,
  exempt: Set<string>,
): string | undefined {
  for (const [name, spec] of Object.entries(node.task.inputs?.parameters ?? {})) {
    const selector = spec.parameterExpressionSelector;
    if (!selector) continue;
    const where = `resolving parameter "${name}": evaluation of parameter expression selector "${selector}" failed`;
    if (!Object.prototype.hasOwnProperty.call(parameters, name)) return `${where}: value not found in inputs`;
    try {
      parameters[name] = selectParameter(parameters[name]!, selector);
    } catch (err) {
      if (err instanceof CelError) return `${where}: ${err.message}`;
      throw err;
    }
  }
  return checkParameterTypes({
    definitions: node.component.inputDefinitions?.parameters ?? {},
    values: parameters,
    setNilByDriver: setNil,
    exempt,
  });
}

/** `getItems` (driver/util.go): a list, or a string holding a JSON list. */
export function loopItems(
  value: JsonValue | undefined,
): { ok: true; items: JsonValue[] } | { ok: false; error: string } {
  if (Array.isArray(value)) return { ok: true, items: value };
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      return { ok: false, error: `cannot parse ${JSON.stringify(value)} as JSON: ${(err as Error).message}` };
    }
    // A JSON value that is not a list yields no items (GetListValue() of another kind is nil).
    return { ok: true, items: Array.isArray(parsed) ? (parsed as JsonValue[]) : [] };
  }
  return {
    ok: false,
    error: `value of type ${value === null ? 'null' : value === undefined ? 'nil' : typeof value} cannot be iterated`,
  };
}
