// Small hand-written pipeline specs (KFP IR, as the SDK compiles them) for behaviours no real fixture
// shows on its own.
import { expect } from 'vitest';
import type { PipelineGraph } from '../../../src/pipeline/graph.js';
import { parsePipelineText } from '../../../src/pipeline/load.js';

const executor = (name: string) => `
    exec-${name}:
      container:
        image: python:3.11
        command: [sh, -c, run]
        args: ['{{$}}']`;

const PIPELINES: Record<string, string> = {
  'loop-over-json-text': `
components:
  comp-produce:
    executorLabel: exec-produce
    outputDefinitions:
      parameters:
        Output: {parameterType: STRING}
  comp-echo:
    executorLabel: exec-echo
    inputDefinitions:
      parameters:
        msg: {parameterType: STRING}
  comp-for-loop-1:
    dag:
      tasks:
        echo:
          cachingOptions: {enableCache: true}
          componentRef: {name: comp-echo}
          inputs:
            parameters:
              msg: {componentInputParameter: pipelinechannel--produce-Output-loop-item}
          taskInfo: {name: echo}
    inputDefinitions:
      parameters:
        pipelinechannel--produce-Output: {parameterType: STRING}
        pipelinechannel--produce-Output-loop-item: {parameterType: STRING}
deploymentSpec:
  executors:${executor('produce')}${executor('echo')}
pipelineInfo: {name: loop-over-json-text}
root:
  dag:
    tasks:
      produce:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-produce}
        taskInfo: {name: produce}
      for-loop-1:
        componentRef: {name: comp-for-loop-1}
        dependentTasks: [produce]
        inputs:
          parameters:
            pipelinechannel--produce-Output:
              taskOutputParameter: {producerTask: produce, outputParameterKey: Output}
        parameterIterator:
          itemInput: pipelinechannel--produce-Output-loop-item
          items: {inputParameter: pipelinechannel--produce-Output}
        taskInfo: {name: for-loop-1}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`,
  'run-placeholders': `
components:
  comp-show:
    executorLabel: exec-show
    inputDefinitions:
      parameters:
        job_name: {parameterType: STRING}
        resource_name: {parameterType: STRING}
        job_id: {parameterType: STRING}
        task_name: {parameterType: STRING}
        task_id: {parameterType: STRING}
        created: {parameterType: STRING}
        workspace: {parameterType: STRING}
        root: {parameterType: STRING}
        number: {parameterType: NUMBER_DOUBLE}
deploymentSpec:
  executors:${executor('show')}
pipelineInfo: {name: run-placeholders}
root:
  dag:
    tasks:
      show:
        cachingOptions: {enableCache: true, cacheKey: my-key}
        componentRef: {name: comp-show}
        inputs:
          parameters:
            job_name: {runtimeValue: {constant: '{{$.pipeline_job_name}}'}}
            resource_name: {runtimeValue: {constant: '{{$.pipeline_job_resource_name}}'}}
            job_id: {runtimeValue: {constant: '{{$.pipeline_job_uuid}}'}}
            task_name: {runtimeValue: {constant: '{{$.pipeline_task_name}}'}}
            task_id: {runtimeValue: {constant: '{{$.pipeline_task_uuid}}'}}
            created: {runtimeValue: {constant: '{{$.pipeline_job_create_time_utc}}'}}
            workspace: {runtimeValue: {constant: '{{$.workspace_path}}/data'}}
            root: {runtimeValue: {constant: 'in {{$.pipeline_root}}'}}
            number: {runtimeValue: {constant: 2.5}}
        taskInfo: {name: show}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`,
  types: `
components:
  comp-produce:
    executorLabel: exec-produce
    outputDefinitions:
      parameters:
        num: {parameterType: NUMBER_DOUBLE}
        items: {parameterType: LIST}
        text: {parameterType: STRING}
  comp-consume:
    executorLabel: exec-consume
    inputDefinitions:
      parameters:
        as_text: {parameterType: STRING}
        list_as_text: {parameterType: STRING}
        optional_num: {parameterType: NUMBER_INTEGER, isOptional: true, defaultValue: 3}
        choice: {parameterType: STRING, isOptional: true}
  comp-strict:
    executorLabel: exec-strict
    inputDefinitions:
      parameters:
        n: {parameterType: NUMBER_INTEGER}
deploymentSpec:
  executors:${executor('produce')}${executor('consume')}${executor('strict')}
pipelineInfo: {name: types}
root:
  inputDefinitions:
    parameters:
      choice: {parameterType: STRING, isOptional: true}
  dag:
    tasks:
      produce:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-produce}
        taskInfo: {name: produce}
      consume:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-consume}
        dependentTasks: [produce]
        inputs:
          parameters:
            as_text: {taskOutputParameter: {producerTask: produce, outputParameterKey: num}}
            list_as_text: {taskOutputParameter: {producerTask: produce, outputParameterKey: items}}
            choice: {componentInputParameter: choice}
        taskInfo: {name: consume}
      strict:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-strict}
        dependentTasks: [produce]
        inputs:
          parameters:
            n: {taskOutputParameter: {producerTask: produce, outputParameterKey: text}}
        taskInfo: {name: strict}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`,
  'independent-and-nested': `
components:
  comp-leaf:
    executorLabel: exec-leaf
    outputDefinitions:
      parameters:
        Output: {parameterType: STRING}
  comp-use:
    executorLabel: exec-use
    inputDefinitions:
      parameters:
        v: {parameterType: STRING}
  comp-inner:
    dag:
      outputs:
        parameters:
          Output: {valueFromParameter: {producerSubtask: leaf, outputParameterKey: Output}}
      tasks:
        leaf:
          cachingOptions: {enableCache: true}
          componentRef: {name: comp-leaf}
          taskInfo: {name: leaf}
    outputDefinitions:
      parameters:
        Output: {parameterType: STRING}
deploymentSpec:
  executors:${executor('leaf')}${executor('use')}
pipelineInfo: {name: independent-and-nested}
root:
  dag:
    tasks:
      a:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-leaf}
        taskInfo: {name: a}
      b:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-leaf}
        taskInfo: {name: b}
      c:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-leaf}
        taskInfo: {name: c}
      use-a:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-use}
        dependentTasks: [a]
        inputs:
          parameters:
            v: {taskOutputParameter: {producerTask: a, outputParameterKey: Output}}
        taskInfo: {name: use-a}
      inner:
        componentRef: {name: comp-inner}
        taskInfo: {name: inner}
      use-inner:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-use}
        dependentTasks: [inner]
        inputs:
          parameters:
            v: {taskOutputParameter: {producerTask: inner, outputParameterKey: Output}}
        taskInfo: {name: use-inner}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`,
  'nested-optional': `
components:
  comp-takes-optional:
    executorLabel: exec-takes-optional
    inputDefinitions:
      parameters:
        x: {parameterType: NUMBER_INTEGER, isOptional: true}
  comp-takes-required:
    executorLabel: exec-takes-required
    inputDefinitions:
      parameters:
        y: {parameterType: NUMBER_INTEGER}
  comp-inner:
    dag:
      tasks:
        takes-optional:
          cachingOptions: {enableCache: true}
          componentRef: {name: comp-takes-optional}
          inputs:
            parameters:
              x: {componentInputParameter: opt}
          taskInfo: {name: takes-optional}
        takes-required:
          cachingOptions: {enableCache: true}
          componentRef: {name: comp-takes-required}
          inputs:
            parameters:
              y: {componentInputParameter: opt}
          taskInfo: {name: takes-required}
    inputDefinitions:
      parameters:
        opt: {parameterType: NUMBER_INTEGER, isOptional: true}
        with_default: {parameterType: STRING, isOptional: true, defaultValue: dflt}
deploymentSpec:
  executors:${executor('takes-optional')}${executor('takes-required')}
pipelineInfo: {name: nested-optional}
root:
  dag:
    tasks:
      inner:
        componentRef: {name: comp-inner}
        taskInfo: {name: inner}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`,
  literals: `
components:
  comp-echo:
    executorLabel: exec-echo
    inputDefinitions:
      parameters:
        mode: {parameterType: STRING}
deploymentSpec:
  executors:${executor('echo')}
pipelineInfo: {name: literals}
root:
  inputDefinitions:
    parameters:
      mode: {parameterType: STRING, literals: [fast, slow]}
      count: {parameterType: NUMBER_INTEGER, defaultValue: 2.0, isOptional: true}
      flag: {parameterType: BOOLEAN}
  dag:
    tasks:
      echo:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-echo}
        inputs:
          parameters:
            mode: {componentInputParameter: mode}
        taskInfo: {name: echo}
schemaVersion: 2.1.0
sdkVersion: kfp-2.14.3
`,
};

export function graphFromYaml(name: string): PipelineGraph {
  const text = PIPELINES[name];
  if (text === undefined) throw new Error(`no inline pipeline ${name}`);
  const res = parsePipelineText(text, `${name}.yaml`);
  expect(res.diagnostics).toEqual([]);
  return res.graph!;
}
