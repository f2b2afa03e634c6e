// An importer task as KFP 2.17.0's importer launcher sees it (`backend/src/v2/component/
// importer_launcher.go`): there is no driver, so no input resolution, no condition and no cache key.
// The URI is the constant, or the parent DAG's input named by the task input that
// `artifactUri.runtimeParameter` designates (only a `componentInputParameter` works there).
import type { TaskNode } from '../graph.js';
import type { JsonValue } from '../ir.js';
import type { Scope } from './scope.js';
import type { ImporterCall, ResolvedInputs } from './types.js';

export type ImporterResolution =
  { ok: true; call: ImporterCall; inputs: ResolvedInputs } | { ok: false; error: string };

export function resolveImporter<D>(node: TaskNode, scope: Scope<D>): ImporterResolution {
  const spec = node.executor!.importer!;
  const fail = (error: string): ImporterResolution => ({
    ok: false,
    error: `failed to execute importer component: ${error}`,
  });
  const type = spec.typeSchema ?? {};
  if (type.schemaTitle === undefined && type.instanceSchema === undefined)
    return fail('failed to get schema from importer spec');
  const parameters: Record<string, JsonValue> = {};
  let uri: string;
  if (spec.artifactUri?.constant !== undefined && spec.artifactUri.constant !== null) {
    uri = typeof spec.artifactUri.constant === 'string' ? spec.artifactUri.constant : '';
    if (uri === '') return fail('empty Artifact URI constant value');
  } else if (spec.artifactUri?.runtimeParameter) {
    const name = spec.artifactUri.runtimeParameter;
    const taskInput = node.task.inputs?.parameters?.[name];
    if (!taskInput) return fail(`cannot find parameter ${name} in task input to fetch artifact uri`);
    const componentInput = taskInput.componentInputParameter ?? '';
    if (!Object.prototype.hasOwnProperty.call(scope.params, componentInput)) {
      return fail(`error resolving artifact URI: parent DAG does not have input parameter ${componentInput}`);
    }
    const value = scope.params[componentInput];
    uri = typeof value === 'string' ? value : '';
    if (uri === '') return fail(`empty artifact URI runtime value for parameter ${name}`);
    parameters[name] = uri;
  } else {
    return fail('artifact uri not provided');
  }
  const outputs = Object.keys(node.component.outputDefinitions?.artifacts ?? {});
  if (outputs.length !== 1) return fail('failed to extract output artifact name from componentOutputSpec');
  const call: ImporterCall = {
    outputName: outputs[0]!,
    artifactUri: uri,
    typeSchema: type,
    reimport: spec.reimport === true,
    downloadToWorkspace: (spec as { downloadToWorkspace?: boolean }).downloadToWorkspace === true,
  };
  if (spec.metadata !== undefined) call.metadata = spec.metadata;
  return { ok: true, call, inputs: { parameters, artifacts: {} } };
}
