// Bundles of version 1 (written before the format became plain JSON) carried ML Metadata's value types:
// `customProperties` of MLMD values, and MLMD states. Read here into version 2, so a bundle exported by an
// earlier release still imports.
import type { MlmdValue } from '../location/mlmd/index.js';
import { fromStruct, plainProperties } from '../location/mlmd/index.js';
import { BUNDLE_VERSION, type BundleArtifact, type BundleExecution, type HandoffBundle } from './bundle.js';

type V1Properties = Record<string, MlmdValue>;

interface V1Artifact extends Omit<BundleArtifact, 'metadata'> {
  state?: string;
  customProperties?: V1Properties;
}

interface V1Execution extends Omit<BundleExecution, 'kind' | 'parameters' | 'properties'> {
  type?: string;
  state?: string;
  customProperties?: V1Properties;
}

export interface V1Bundle extends Omit<HandoffBundle, 'version' | 'artifacts' | 'executions'> {
  version: 1;
  artifacts: V1Artifact[];
  executions: V1Execution[];
}

export function bundleFromV1(doc: V1Bundle): HandoffBundle {
  const artifacts = doc.artifacts.map(({ state: _state, customProperties, ...a }) => ({
    ...a,
    metadata: plainProperties(customProperties),
  }));
  const executions = doc.executions.map(({ type, state: _state, customProperties, ...e }) => {
    const outputs = customProperties?.['outputs']?.structValue;
    return {
      ...e,
      kind: type === 'system.ImporterExecution' ? ('importer' as const) : ('container' as const),
      parameters: outputs ? fromStruct(outputs) : {},
      properties: plainProperties(customProperties, ['outputs']),
    };
  });
  return { ...doc, version: BUNDLE_VERSION, artifacts, executions };
}
