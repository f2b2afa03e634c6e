// What a plan tells its reader beside its operations: the file's warnings, with their position, and
// the stage layout's facts (caching switched on where the package had it off), with their stage.
import { describe, expect, it } from 'vitest';
import { offlinePlanOf } from '../../src/api/index.js';
import { loadProject } from '../../src/split-file/load-project.js';
import { planDiagnosticsOf, warningsOf } from '../../src/split-file/warnings.js';
import { writeTwoLocationFile } from './project-files.js';

// imp (caching off in the package) → train → report; imp imports a minio:// URI, read at location b.
const pkg = [
  'pipelineInfo: {name: p}',
  'schemaVersion: 2.1.0',
  'components:',
  '  comp-imp:',
  '    executorLabel: exec-imp',
  '    outputDefinitions: {artifacts: {artifact: {artifactType: {schemaTitle: system.Dataset}}}}',
  '  comp-d:',
  '    executorLabel: exec-c',
  '    inputDefinitions: {artifacts: {d: {artifactType: {schemaTitle: system.Dataset}}}}',
  '    outputDefinitions: {parameters: {Output: {parameterType: STRING}}}',
  '  comp-p: {executorLabel: exec-c, inputDefinitions: {parameters: {p: {parameterType: STRING}}}}',
  'deploymentSpec:',
  '  executors:',
  '    exec-c: {container: {image: alpine, command: [echo]}}',
  '    exec-imp:',
  '      importer: {artifactUri: {constant: "minio://datasets/iris.csv"}, typeSchema: {schemaTitle: system.Dataset}}',
  'root:',
  '  dag:',
  '    tasks:',
  '      imp: {componentRef: {name: comp-imp}}',
  '      train:',
  '        componentRef: {name: comp-d}',
  '        cachingOptions: {enableCache: true}',
  '        inputs: {artifacts: {d: {taskOutputArtifact: {producerTask: imp, outputArtifactKey: artifact}}}}',
  '      report:',
  '        componentRef: {name: comp-p}',
  '        cachingOptions: {enableCache: true}',
  '        inputs: {parameters: {p: {taskOutputParameter: {producerTask: train, outputParameterKey: Output}}}}',
].join('\n');

async function project() {
  const w = writeTwoLocationFile({ pkg, stageA: ['imp'], stageB: ['train', 'report'] });
  const r = await loadProject(w.file);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { w, project: r.project!, fileWarnings: r.diagnostics.filter((d) => d.severity === 'warning') };
}

describe('planDiagnosticsOf', () => {
  it('tells, per stage, where caching is switched on, as a fact with why', async () => {
    const { project: p } = await project();
    const info = planDiagnosticsOf(p).filter((d) => d.severity === 'info');
    expect(info.map((d) => [d.where, d.summary])).toEqual([
      [{ stage: 1, location: 'a' }, 'caching switched on for imp so they can be handed off or served from cache'],
      [{ stage: 2, location: 'b' }, 'caching switched on for imp so they can be handed off or served from cache'],
    ]);
    expect(info[0]!.detail).toMatch(/KFP serves a task from cache only when its caching is enabled/);
  });

  it("carries the file's warnings with their position", async () => {
    const { project: p, fileWarnings } = await project();
    expect(fileWarnings.length).toBeGreaterThan(0);
    const warnings = planDiagnosticsOf(p).filter((d) => d.severity === 'warning');
    expect(warnings).toEqual(
      fileWarnings.map((d) => ({
        severity: 'warning',
        summary: d.message,
        where: { file: d.file, line: d.line, column: d.col },
      })),
    );
  });

  it('keeps the one-line warnings of plans before diagnostics, positions without the column', async () => {
    const { project: p, fileWarnings } = await project();
    expect(warningsOf(p)).toEqual([
      'stage 1 (a): caching switched on for imp so they can be handed off or served from cache',
      'stage 2 (b): caching switched on for imp so they can be handed off or served from cache',
      ...fileWarnings.map((w) => `${w.file}:${w.line}: ${w.message}`),
    ]);
  });
});

describe('the plan document', () => {
  it('carries the diagnostics, and keeps warnings as strings, in its JSON', async () => {
    const { project: p } = await project();
    const doc = JSON.parse(JSON.stringify(offlinePlanOf(p))) as Record<string, unknown>;
    expect(doc['diagnostics']).toEqual(planDiagnosticsOf(p));
    expect(doc['warnings']).toEqual(warningsOf(p));
  });
});
