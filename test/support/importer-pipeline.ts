// A small compiled pipeline with an importer, and its split pipeline, shared by the importer e2e tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A compiled pipeline (KFP SDK 2.14 style): an importer whose dataset `train` consumes; `serve` uses the model. */
export function importerPipeline(uri: string): string {
  const artifact = (title: string) => ({ artifactType: { schemaTitle: title, schemaVersion: '0.0.1' } });
  const container = (fn: string) => ({
    image: 'python:3.11',
    command: ['sh', '-ec'],
    args: [`echo ${fn}`, '--executor_input', '{{$}}'],
  });
  const ir = {
    components: {
      'comp-importer': {
        executorLabel: 'exec-importer',
        inputDefinitions: { parameters: { uri: { parameterType: 'STRING' } } },
        outputDefinitions: { artifacts: { artifact: artifact('system.Dataset') } },
      },
      'comp-train': {
        executorLabel: 'exec-train',
        inputDefinitions: { artifacts: { data: artifact('system.Dataset') } },
        outputDefinitions: { artifacts: { model: artifact('system.Model') } },
      },
      'comp-serve': {
        executorLabel: 'exec-serve',
        inputDefinitions: { artifacts: { model: artifact('system.Model') } },
        outputDefinitions: { parameters: { Output: { parameterType: 'STRING' } } },
      },
    },
    deploymentSpec: {
      executors: {
        'exec-importer': {
          importer: {
            artifactUri: { constant: uri },
            metadata: { source: 'survey', rows: 100 },
            typeSchema: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
          },
        },
        'exec-train': { container: container('train') },
        'exec-serve': { container: container('serve') },
      },
    },
    pipelineInfo: { name: 'importer-handoff' },
    root: {
      dag: {
        tasks: {
          importer: {
            cachingOptions: { enableCache: true },
            componentRef: { name: 'comp-importer' },
            inputs: { parameters: { uri: { runtimeValue: { constant: uri } } } },
            taskInfo: { name: 'importer' },
          },
          train: {
            cachingOptions: { enableCache: true },
            componentRef: { name: 'comp-train' },
            dependentTasks: ['importer'],
            inputs: {
              artifacts: { data: { taskOutputArtifact: { outputArtifactKey: 'artifact', producerTask: 'importer' } } },
            },
            taskInfo: { name: 'train' },
          },
          serve: {
            cachingOptions: { enableCache: true },
            componentRef: { name: 'comp-serve' },
            dependentTasks: ['train'],
            inputs: {
              artifacts: { model: { taskOutputArtifact: { outputArtifactKey: 'model', producerTask: 'train' } } },
            },
            taskInfo: { name: 'serve' },
          },
        },
      },
    },
    schemaVersion: '2.1.0',
    sdkVersion: 'kfp-2.14.3',
  };
  return `# PIPELINE DEFINITION\n# Name: importer-handoff\n${JSON.stringify(ir, null, 2)}\n`;
}

/**
 * The split pipeline of `importerPipeline` over a lab's locations: importer and train at `a`, serve at `b`.
 * `locations` is the lab's generated block, which a test may have edited. Returns the file's path.
 */
export function importerSplitFile(dir: string, locations: unknown[]): string {
  const file = join(dir, 'split-pipeline.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: splitpipelines.dev/v1alpha1',
      'kind: SplitPipeline',
      'metadata:',
      '  name: importer-handoff',
      'spec:',
      '  pipeline:',
      '    package: pipeline.yaml',
      `  locations: ${JSON.stringify(locations)}`,
      '  stages:',
      '    - location: a',
      '      steps: [importer, train]',
      '    - location: b',
      '      steps: [serve]',
      '',
    ].join('\n'),
  );
  return file;
}
