import { mkdtempSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';
import { planJson } from '../support/json-output.js';

const thesis = join(repoRoot, 'examples/thesis/split-pipeline.yaml');
const trainServe = join(repoRoot, 'examples/train-serve/split-pipeline.yaml');

describe('split-pipelines validate', () => {
  it('accepts both examples and exits 0', async () => {
    const r = await runCli(['validate', '-f', thesis, '-f', trainServe]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/thesis.*valid.*revision [0-9a-f]{12}, 3 stages/);
    expect(r.stdout).toMatch(/churn-model.*2 stages/);
  });

  it('reports every problem as FILE:LINE:COL, exits 1 and prints no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-validate-'));
    cpSync(join(repoRoot, 'examples/thesis/pipelines'), join(dir, 'pipelines'), { recursive: true });
    const file = join(dir, 'split-pipeline.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: splitpipelines.dev/v1alpha1',
        'kind: SplitPipeline',
        'metadata: {name: broken}',
        'spec:',
        '  pipeline: {package: pipelines/thesis-pipeline.yaml}',
        '  locations:',
        '    - name: a',
        '      kfp: {endpoint: http://127.0.0.1:1}',
        '      mlmd: {endpoint: "127.0.0.1:2"}',
        '      objectStore: {endpoint: http://127.0.0.1:3, pipelineRoot: "minio://mlpipeline/v2/artifacts"}',
        '    - name: b',
        '      kfp: {endpoint: http://127.0.0.1:1}',
        '      mlmd: {endpoint: "127.0.0.1:2"}',
        '      objectStore: {endpoint: http://127.0.0.1:3, pipelineRoot: "minio://mlpipeline/v2/artifacts"}',
        '  stages:',
        '    - location: a',
        '      steps: [load-data, train-model, evaluate-modle]',
        '    - location: b',
        '      steps: [split-data]',
      ].join('\n'),
    );
    const r = await runCli(['validate', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).toContain(
      `${file}:17:39: step "evaluate-modle" is not a task of pipeline "split-pipelines-thesis" (did you mean "evaluate-model"?)`,
    );
    expect(r.stderr).toMatch(
      new RegExp(`${file}:16:5: every task of the pipeline must be placed in a stage; not placed: .*serve-model`),
    );
    expect(r.stderr).toMatch(
      new RegExp(
        `${file}:17:26: step "train-model" \\(stage 1, location a\\) takes its artifact as input "train_set" from "split-data", which is placed later`,
      ),
    );
    expect(r.stderr).not.toMatch(/runs after it/); // one message per dependency
    expect(r.stderr).toMatch(/: 3 error\(s\)/);
  });

  it('refuses a package path that leaves the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-validate-'));
    const file = join(dir, 'split-pipeline.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: splitpipelines.dev/v1alpha1',
        'kind: SplitPipeline',
        'metadata: {name: x}',
        'spec:',
        '  pipeline: {package: ../../etc/passwd}',
        '  locations:',
        '    - name: a',
        '      kfp: {endpoint: http://127.0.0.1:1}',
        '      mlmd: {endpoint: "127.0.0.1:2"}',
        '      objectStore: {endpoint: http://127.0.0.1:3, pipelineRoot: "minio://b/p"}',
        '  stages:',
        '    - location: a',
        '      steps: [x]',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:5:23: spec.pipeline.package must be a path inside this directory`);
  });

  it('explains a handed-off step whose input is the run id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-validate-'));
    mkdirSync(join(dir, 'pipelines'));
    const pkg = [
      'pipelineInfo: {name: p}',
      'components:',
      '  comp-a: {executorLabel: exec-a, inputDefinitions: {parameters: {run: {parameterType: STRING}}}, ' +
        'outputDefinitions: {parameters: {Output: {parameterType: STRING}}}}',
      '  comp-b: {executorLabel: exec-b, inputDefinitions: {parameters: {x: {parameterType: STRING}}}}',
      'deploymentSpec:',
      '  executors:',
      '    exec-a: {container: {image: alpine, command: [echo]}}',
      '    exec-b: {container: {image: alpine, command: [echo]}}',
      'root:',
      '  dag:',
      '    tasks:',
      '      a: {componentRef: {name: comp-a}, cachingOptions: {enableCache: true}, ' +
        "inputs: {parameters: {run: {runtimeValue: {constant: '{{$.pipeline_job_uuid}}'}}}}}",
      '      b: {componentRef: {name: comp-b}, cachingOptions: {enableCache: true}, ' +
        'inputs: {parameters: {x: {taskOutputParameter: {producerTask: a, outputParameterKey: Output}}}}}',
      'schemaVersion: 2.1.0',
    ].join('\n');
    writeFileSync(join(dir, 'pipelines/p.yaml'), pkg);
    const file = join(dir, 'split-pipeline.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: splitpipelines.dev/v1alpha1',
        'kind: SplitPipeline',
        'metadata: {name: x}',
        'spec:',
        '  pipeline: {package: pipelines/p.yaml}',
        '  locations:',
        '    - name: a',
        '      kfp: {endpoint: http://127.0.0.1:1}',
        '      mlmd: {endpoint: "127.0.0.1:2"}',
        '      objectStore: {endpoint: http://127.0.0.1:3, pipelineRoot: "minio://b/p"}',
        '    - name: b',
        '      kfp: {endpoint: http://127.0.0.1:1}',
        '      mlmd: {endpoint: "127.0.0.1:2"}',
        '      objectStore: {endpoint: http://127.0.0.1:3, pipelineRoot: "minio://b/p"}',
        '  stages:',
        '    - location: a',
        '      steps: [a]',
        '    - location: b',
        '      steps: [b]',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:17:15: step "a" is needed by stage 2 (b) but cannot be a cache hit there: input "run" of "a" is the run id`,
    );
  });

  it('says so when the file does not exist', async () => {
    const r = await runCli(['validate', '-f', '/nonexistent/split-pipeline.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\/nonexistent\/split-pipeline.yaml:1:1: cannot read file/m);
  });
});

describe('split-pipelines plan --offline', () => {
  it('prints the stage layout, handoffs and reasons as JSON on stdout, human text on stderr', async () => {
    const r = await runCli(['plan', '--offline', '--json', '-f', thesis]);
    expect(r.code).toBe(0);
    const plan = planJson(r.stdout);
    expect(plan).toMatchObject({ name: 'thesis', inSync: false, offline: true });
    expect(plan.revision).toMatch(/^[0-9a-f]{12}$/);
    expect(plan.stages.map((s: { location: string }) => s.location)).toEqual(['a', 'b', 'c']);
    expect(plan.stages[2]).toMatchObject({
      index: 3,
      steps: ['serve-model'],
      state: 'unknown',
      fromCache: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
    });
    const handoffs = plan.operations.filter((o: { kind: string }) => o.kind === 'handoff');
    expect(handoffs.map((h) => `${h.from}->${h.location}`)).toEqual(['a->b', 'b->c']);
    for (const op of plan.operations) expect(op.reason.length).toBeGreaterThan(10);
    expect(r.stderr).toContain('Offline plan');
  });

  it('exits 2 with --detailed-exitcode because an offline plan always has changes', async () => {
    const r = await runCli(['plan', '--offline', '--detailed-exitcode', '-f', trainServe]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/handoff\s+train → serve\s+load-data, split-data, train-model, evaluate-model/);
  });

  it('renders Markdown for pull-request comments', async () => {
    const r = await runCli(['plan', '--offline', '--markdown', '-f', thesis]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### Split pipeline `thesis`/);
    expect(r.stdout).toContain('| 3 | c | serve-model |');
  });

  it('contacts nothing for an invalid file and exits 1', async () => {
    const r = await runCli(['plan', '--offline', '-f', '/nonexistent.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing was contacted/);
  });
});

describe('split-pipelines command line', () => {
  it('rejects an unknown flag with usage and exit 1', async () => {
    const r = await runCli(['plan', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Unknown option '--bogus'/);
    expect(r.stderr).toMatch(/Usage: split-pipelines/);
  });
});
