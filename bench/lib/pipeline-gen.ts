// Compiled KFP v2 pipelines of any size, generated the way the KFP SDK compiles a pipeline of
// lightweight components (PipelineSpec IR, schemaVersion 2.1.0): `width` independent chains of
// tasks, each task consuming the Dataset of the task before it in its chain and taking its own
// index as a constant parameter, so every task has its own fingerprint. A split places all but
// the last layer in stage 1 and the last layer in stage 2, so a handoff carries every earlier task.
import { stringify } from 'yaml';

export interface GeneratedPipeline {
  name: string;
  /** The IR as YAML, as `kfp dsl compile` writes it. */
  yaml: string;
  /** Root task names in order. */
  tasks: string[];
  width: number;
}

export function taskName(i: number): string {
  return `step-${String(i).padStart(4, '0')}`;
}

const artifactType = { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' };

function container(fn: string): Record<string, unknown> {
  return {
    image: 'python:3.11',
    command: ['sh', '-c', 'python3 -m kfp.dsl.executor_main "$@"', 'sh'],
    args: ['--executor_input', '{{$}}', '--function_to_execute', fn],
  };
}

/** `tasks` root tasks in `width` chains (width defaults to at most 10, at least 1). */
export function generatePipeline(
  name: string,
  tasks: number,
  width = Math.max(1, Math.min(10, Math.floor(tasks / 5))),
): GeneratedPipeline {
  const names = Array.from({ length: tasks }, (_, i) => taskName(i));
  const dagTasks: Record<string, unknown> = {};
  names.forEach((task, i) => {
    const upstream = i >= width ? names[i - width] : undefined;
    dagTasks[task] = {
      cachingOptions: { enableCache: true },
      componentRef: { name: upstream ? 'comp-step' : 'comp-source' },
      ...(upstream ? { dependentTasks: [upstream] } : {}),
      inputs: {
        parameters: {
          index: { runtimeValue: { constant: i } },
          ...(upstream ? {} : { seed: { componentInputParameter: 'seed' } }),
        },
        ...(upstream
          ? { artifacts: { data: { taskOutputArtifact: { outputArtifactKey: 'data', producerTask: upstream } } } }
          : {}),
      },
      taskInfo: { name: task },
    };
  });
  const ir = {
    components: {
      'comp-source': {
        executorLabel: 'exec-source',
        inputDefinitions: {
          parameters: { index: { parameterType: 'NUMBER_INTEGER' }, seed: { parameterType: 'STRING' } },
        },
        outputDefinitions: { artifacts: { data: { artifactType } } },
      },
      'comp-step': {
        executorLabel: 'exec-step',
        inputDefinitions: {
          artifacts: { data: { artifactType } },
          parameters: { index: { parameterType: 'NUMBER_INTEGER' } },
        },
        outputDefinitions: { artifacts: { data: { artifactType } } },
      },
    },
    deploymentSpec: {
      executors: { 'exec-source': { container: container('source') }, 'exec-step': { container: container('step') } },
    },
    pipelineInfo: { name },
    root: {
      dag: { tasks: dagTasks },
      inputDefinitions: { parameters: { seed: { defaultValue: 'bench', isOptional: true, parameterType: 'STRING' } } },
    },
    schemaVersion: '2.1.0',
    sdkVersion: 'kfp-2.14.3',
  };
  return { name, yaml: `# PIPELINE DEFINITION\n# Name: ${name}\n${stringify(ir)}`, tasks: names, width };
}

/** A split-pipeline.yaml for `pipeline` in two stages: all but the last layer at `first`, the last layer at `second`. */
export function twoStageSpec(opts: {
  name: string;
  packagePath: string;
  pipeline: GeneratedPipeline;
  locationsYaml: string;
  first: string;
  second: string;
}): string {
  const { pipeline } = opts;
  const cut = pipeline.tasks.length - pipeline.width;
  const locations = opts.locationsYaml
    .replace(/^locations:\n/, '')
    .replace(/^/gm, '  ')
    .trimEnd();
  return [
    'apiVersion: splitpipelines.dev/v1alpha1',
    'kind: SplitPipeline',
    'metadata:',
    `  name: ${opts.name}`,
    'spec:',
    '  pipeline:',
    `    package: ${opts.packagePath}`,
    '  locations:',
    locations,
    '  stages:',
    `    - location: ${opts.first}`,
    `      steps: [${pipeline.tasks.slice(0, cut).join(', ')}]`,
    `    - location: ${opts.second}`,
    `      steps: [${pipeline.tasks.slice(cut).join(', ')}]`,
    '',
  ].join('\n');
}
