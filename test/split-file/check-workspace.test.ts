// validate refuses a handed-off step that uses the pipeline workspace: from KFP 2.15 its fingerprint
// holds the run's workspace PVC, so it is never a cache hit in another run.
import { describe, expect, it } from 'vitest';
import { workspaceUses } from '../../src/split-file/check-workspace.js';
import { formatDiagnostic } from '../../src/diagnostics/diagnostic.js';
import { loadProject } from '../../src/split-file/load-project.js';
import { loadFixture } from '../pipeline/driver/fake-visitor.js';
import { writeTwoLocationFile } from './project-files.js';

const EXECUTORS = [
  'deploymentSpec:',
  '  executors:',
  '    exec-c: {container: {image: alpine, command: [echo]}}',
  '    exec-imp: {importer: {artifactUri: {constant: "s3://data/x.csv"}, downloadToWorkspace: true, typeSchema: {schemaTitle: system.Dataset}}}',
];
const WORKSPACE = ['---', 'platforms:', '  kubernetes:', '    pipelineConfig: {workspace: {size: 1Gi}}'];

/** comp-p takes a string `p` and returns `Output`; comp-d takes a Dataset `d` and returns `Output`. */
const COMPONENTS = [
  'components:',
  '  comp-p: {executorLabel: exec-c, inputDefinitions: {parameters: {p: {parameterType: STRING}}}, ' +
    'outputDefinitions: {parameters: {Output: {parameterType: STRING}}}}',
  '  comp-d: {executorLabel: exec-c, inputDefinitions: {artifacts: {d: {artifactType: {schemaTitle: system.Dataset}}}}, ' +
    'outputDefinitions: {parameters: {Output: {parameterType: STRING}}}}',
  '  comp-imp: {executorLabel: exec-imp, outputDefinitions: {artifacts: {artifact: {artifactType: {schemaTitle: system.Dataset}}}}}',
];

function pkg(tasks: string[], extraComponents: string[] = []): string {
  return [
    'pipelineInfo: {name: p}',
    'schemaVersion: 2.1.0',
    ...COMPONENTS,
    ...extraComponents,
    ...EXECUTORS,
    'root:',
    '  dag:',
    '    tasks:',
    ...tasks.map((t) => `      ${t}`),
    ...WORKSPACE,
  ].join('\n');
}

const cached = 'cachingOptions: {enableCache: true}';
const train =
  `train: {componentRef: {name: comp-p}, ${cached}, ` +
  `inputs: {parameters: {p: {taskOutputParameter: {producerTask: prep, outputParameterKey: Output}}}}}`;

async function validate(o: Parameters<typeof writeTwoLocationFile>[0]) {
  const w = writeTwoLocationFile(o);
  const r = await loadProject(w.file);
  return { ...w, ...r, errors: r.diagnostics.filter((d) => d.severity === 'error') };
}

describe('validate and the pipeline workspace', () => {
  it('refuses a handed-off step given dsl.WORKSPACE_PATH_PLACEHOLDER, at the step, saying why and what to do', async () => {
    const prep = `prep: {componentRef: {name: comp-p}, ${cached}, inputs: {parameters: {p: {runtimeValue: {constant: "{{$.workspace_path}}"}}}}}`;
    const r = await validate({ pkg: pkg([prep, train]), stageA: ['prep'], stageB: ['train'] });
    const at = r.stepAt(1, 'prep');
    expect(r.errors.map(formatDiagnostic)).toEqual([
      `${r.file}:${at.line}:${at.col}: step "prep" is needed by stage 2 (b) but cannot be a cache hit there: input "p" of "prep" is the workspace path ` +
        "(dsl.WORKSPACE_PATH_PLACEHOLDER), so it uses the pipeline workspace, and from KFP 2.15 its fingerprint holds the run's workspace PVC " +
        '("<run name>-kfp-workspace"), which differs in every run (the workspace\'s files stay with the run too); place "prep" in stage 2 with the ' +
        'steps that need it, or pass the data between them as artifacts instead of through the workspace',
    ]);
    expect(r.project).toBeUndefined();
  });

  it('accepts the same pipeline when the workspace step is not handed off', async () => {
    const prep = `prep: {componentRef: {name: comp-p}, ${cached}, inputs: {parameters: {p: {runtimeValue: {constant: "{{$.workspace_path}}"}}}}}`;
    const r = await validate({
      pkg: pkg([
        prep,
        train,
        `last: {componentRef: {name: comp-p}, ${cached}, inputs: {parameters: {p: {runtimeValue: {constant: x}}}}}`,
      ]),
      stageA: ['last'],
      stageB: ['prep', 'train'],
    });
    expect(r.errors).toEqual([]);
    expect(r.project).toBeDefined();
  });

  it('follows a /kfp-workspace path passed into a sub-pipeline down to the container that receives it', async () => {
    const inner = [
      '  comp-sub:',
      '    inputDefinitions: {parameters: {path: {parameterType: STRING}}}',
      '    outputDefinitions: {parameters: {Output: {parameterType: STRING}}}',
      '    dag:',
      '      outputs: {parameters: {Output: {valueFromParameter: {producerSubtask: inner, outputParameterKey: Output}}}}',
      '      tasks:',
      `        inner: {componentRef: {name: comp-p}, ${cached}, inputs: {parameters: {p: {componentInputParameter: path}}}}`,
    ];
    const prep = `prep: {componentRef: {name: comp-sub}, ${cached}, inputs: {parameters: {path: {runtimeValue: {constant: /kfp-workspace/data}}}}}`;
    const r = await validate({ pkg: pkg([prep, train], inner), stageA: ['prep'], stageB: ['train'] });
    expect(r.errors.map((d) => d.message)).toEqual([
      expect.stringContaining('input "p" of "prep/inner" is a path in the workspace (/kfp-workspace)'),
    ]);
  });

  it('finds a pipeline parameter that names the workspace, from the file or the pipeline default', async () => {
    const prep = `prep: {componentRef: {name: comp-p}, ${cached}, inputs: {parameters: {p: {componentInputParameter: dir}}}}`;
    const withRootInput = (def: string) =>
      pkg([prep, train]).replace(
        'root:\n',
        `root:\n  inputDefinitions: {parameters: {dir: {parameterType: STRING${def}}}}\n`,
      );
    const fromFile = await validate({
      pkg: withRootInput(''),
      stageA: ['prep'],
      stageB: ['train'],
      parameters: { dir: '/kfp-workspace/in' },
    });
    expect(fromFile.errors.map((d) => d.message)).toEqual([
      expect.stringContaining('input "p" of "prep" is a path in the workspace'),
    ]);
    const fromDefault = await validate({
      pkg: withRootInput(', defaultValue: "/kfp-workspace/in", isOptional: true'),
      stageA: ['prep'],
      stageB: ['train'],
    });
    expect(fromDefault.errors.map((d) => d.message)).toEqual([
      expect.stringContaining('input "p" of "prep" is a path in the workspace'),
    ]);
    const elsewhere = await validate({
      pkg: withRootInput(''),
      stageA: ['prep'],
      stageB: ['train'],
      parameters: { dir: '/data/in' },
    });
    expect(elsewhere.errors).toEqual([]);
  });

  it('refuses a handed-off consumer of an importer that downloads to the workspace', async () => {
    const imp = `imp: {componentRef: {name: comp-imp}, ${cached}}`;
    const prep =
      `prep: {componentRef: {name: comp-d}, ${cached}, ` +
      `inputs: {artifacts: {d: {taskOutputArtifact: {producerTask: imp, outputArtifactKey: artifact}}}}}`;
    const r = await validate({ pkg: pkg([imp, prep, train]), stageA: ['imp', 'prep'], stageB: ['train'] });
    const at = r.stepAt(1, 'prep');
    expect(r.errors.map((d) => [d.line, d.col, d.message])).toEqual([
      [
        at.line,
        at.col,
        expect.stringContaining(
          'input "d" of "prep" is an artifact that importer "imp" downloads to the workspace (downloadToWorkspace)',
        ),
      ],
    ]);
  });

  it('does not carry the workspace flag into a sub-pipeline through its input artifact, as KFP reads those back from MLMD', async () => {
    const sub = [
      '  comp-sub:',
      '    inputDefinitions: {artifacts: {ds: {artifactType: {schemaTitle: system.Dataset}}}}',
      '    outputDefinitions: {parameters: {Output: {parameterType: STRING}}}',
      '    dag:',
      '      outputs: {parameters: {Output: {valueFromParameter: {producerSubtask: inner, outputParameterKey: Output}}}}',
      '      tasks:',
      `        inner: {componentRef: {name: comp-d}, ${cached}, inputs: {artifacts: {d: {componentInputArtifact: ds}}}}`,
    ];
    const imp = `imp: {componentRef: {name: comp-imp}, ${cached}}`;
    const prep =
      `prep: {componentRef: {name: comp-sub}, ${cached}, ` +
      `inputs: {artifacts: {ds: {taskOutputArtifact: {producerTask: imp, outputArtifactKey: artifact}}}}}`;
    const r = await validate({ pkg: pkg([imp, prep, train], sub), stageA: ['imp', 'prep'], stageB: ['train'] });
    expect(r.errors).toEqual([]);
  });

  it('finds the workspace consumers of the SDK-compiled pipeline_with_importer_workspace.yaml, and nothing in the tasks around them', () => {
    const graph = loadFixture('critical/pipeline_with_importer_workspace.yaml');
    const uses = (step: string) =>
      workspaceUses(graph.rootTasks.get(step)!, graph.rootTasks).map((u) => [u.task.join('/'), u.input, u.why]);
    expect(uses('import-stage')).toEqual([
      [
        'import-stage/read-dir',
        'data',
        'an artifact that importer "import-stage/importer-2" downloads to the workspace (downloadToWorkspace)',
      ],
      [
        'import-stage/train',
        'dataset',
        'an artifact that importer "import-stage/importer" downloads to the workspace (downloadToWorkspace)',
      ],
    ]);
    for (const step of ['get-uri', 'get-uri-2', 'write-dir-artifact', 'write-file-artifact'])
      expect(uses(step)).toEqual([]);
  });
});
