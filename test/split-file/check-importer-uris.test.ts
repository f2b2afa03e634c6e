// validate warns when an importer's URI names a store by scheme only and its artifact is read at
// another location: importer data is not copied, and there the URI means another store.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/diagnostic.js';
import { loadProject } from '../../src/split-file/load-project.js';
import { writeTwoLocationFile, type TwoLocationFile } from './project-files.js';

const cached = 'cachingOptions: {enableCache: true}';

/** `imp` imports `uri` (a constant, or `{param: name}` for a pipeline parameter); `train` reads it. */
function pkg(uri: string | { param: string }): string {
  const artifactUri = typeof uri === 'string' ? `{constant: "${uri}"}` : '{runtimeParameter: uri}';
  const impInputs =
    typeof uri === 'string' ? '' : `, inputs: {parameters: {uri: {componentInputParameter: ${uri.param}}}}`;
  return [
    'pipelineInfo: {name: p}',
    'schemaVersion: 2.1.0',
    'components:',
    '  comp-imp: {executorLabel: exec-imp, inputDefinitions: {parameters: {uri: {parameterType: STRING}}}, ' +
      'outputDefinitions: {artifacts: {artifact: {artifactType: {schemaTitle: system.Dataset}}}}}',
    '  comp-d: {executorLabel: exec-c, inputDefinitions: {artifacts: {d: {artifactType: {schemaTitle: system.Dataset}}}}, ' +
      'outputDefinitions: {parameters: {Output: {parameterType: STRING}}}}',
    '  comp-p: {executorLabel: exec-c, inputDefinitions: {parameters: {p: {parameterType: STRING}}}}',
    'deploymentSpec:',
    '  executors:',
    '    exec-c: {container: {image: alpine, command: [echo]}}',
    `    exec-imp: {importer: {artifactUri: ${artifactUri}, typeSchema: {schemaTitle: system.Dataset}}}`,
    'root:',
    ...(typeof uri === 'string' ? [] : [`  inputDefinitions: {parameters: {${uri.param}: {parameterType: STRING}}}`]),
    '  dag:',
    '    tasks:',
    `      imp: {componentRef: {name: comp-imp}, ${cached}${impInputs}}`,
    `      train: {componentRef: {name: comp-d}, ${cached}, ` +
      `inputs: {artifacts: {d: {taskOutputArtifact: {producerTask: imp, outputArtifactKey: artifact}}}}}`,
    `      report: {componentRef: {name: comp-p}, ${cached}, ` +
      `inputs: {parameters: {p: {taskOutputParameter: {producerTask: train, outputParameterKey: Output}}}}}`,
  ].join('\n');
}

async function warnings(o: TwoLocationFile) {
  const w = writeTwoLocationFile(o);
  const r = await loadProject(w.file);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(r.project).toBeDefined();
  return { ...w, warnings: r.diagnostics.filter((d) => d.severity === 'warning') };
}

describe('validate and importer URIs', () => {
  it('warns, at the consumer placed elsewhere, about a minio:// URI: each location has its own MinIO', async () => {
    const r = await warnings({ pkg: pkg('minio://datasets/iris.csv'), stageA: ['imp'], stageB: ['train', 'report'] });
    const at = r.stepAt(2, 'train');
    expect(r.warnings.map(formatDiagnostic)).toEqual([
      `${r.file}:${at.line}:${at.col}: warning: step "train" (stage 2, location b) reads input "d" from importer "imp" (stage 1, location a), whose URI ` +
        "\"minio://datasets/iris.csv\" names the store by scheme only: minio:// is each location's own MinIO, so at b it is b's store, not a's; " +
        'split-pipelines does not copy the data importers point at: copy it to a store both locations read under the same URI, or place "train" at a',
    ]);
  });

  it("warns about a URI in the source location's pipeline-root bucket when the other location has another object store", async () => {
    const r = await warnings({ pkg: pkg('s3://lake-a/raw/iris.csv'), stageA: ['imp'], stageB: ['train', 'report'] });
    expect(r.warnings.map((d) => d.message)).toEqual([
      expect.stringContaining(
        'whose URI "s3://lake-a/raw/iris.csv" is in the pipeline-root bucket of a (s3://lake-a), ' +
          'which b reaches through another object store (http://127.0.0.1:4)',
      ),
    ]);
  });

  it('says nothing when both locations share the object store, the bucket is elsewhere, or the consumer runs with the importer', async () => {
    const shared = await warnings({
      pkg: pkg('s3://lake-a/raw/iris.csv'),
      stageA: ['imp'],
      stageB: ['train', 'report'],
      endpointB: 'http://127.0.0.1:3/',
    });
    expect(shared.warnings).toEqual([]);
    const otherBucket = await warnings({
      pkg: pkg('s3://public-data/iris.csv'),
      stageA: ['imp'],
      stageB: ['train', 'report'],
    });
    expect(otherBucket.warnings).toEqual([]);
    const together = await warnings({
      pkg: pkg('minio://datasets/iris.csv'),
      stageA: ['imp', 'train'],
      stageB: ['report'],
    });
    expect(together.warnings).toEqual([]);
  });

  it('follows the URI from a pipeline parameter set in the file', async () => {
    const r = await warnings({
      pkg: pkg({ param: 'data_uri' }),
      stageA: ['imp'],
      stageB: ['train', 'report'],
      parameters: { data_uri: 'minio://datasets/iris.csv' },
    });
    expect(r.warnings.map((d) => d.message)).toEqual([
      expect.stringContaining('whose URI "minio://datasets/iris.csv" names the store by scheme only'),
    ]);
  });
});
