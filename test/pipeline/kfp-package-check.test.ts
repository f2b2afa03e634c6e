// Which keys of a package a location's KFP refuses: protojson on the API server knows only the fields
// of its release (2.17.0:backend/src/apiserver/template/v2_template.go:198), so the plan holds each
// location's version against the keys the package uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PackageRefusedError, kfpKnows, packageRefusals } from '../../src/pipeline/kfp-package-check.js';
import { parsePipelineText } from '../../src/pipeline/load.js';
import { readPipelineSpecJson, readPlatformSpecJson } from '../../src/pipeline/protojson-read.js';
import { compiledFixtures } from '../support/fixtures.js';
import { stringMatching } from '../support/matchers.js';

/** One component with a parameter input; `extra` lines go under the parameter's definition. */
function pkg(extra: string[] = [], top: string[] = []): string {
  return [
    'pipelineInfo: {name: p}',
    'schemaVersion: 2.1.0',
    'components:',
    '  comp-a:',
    '    executorLabel: exec-a',
    '    inputDefinitions:',
    '      parameters:',
    '        mode:',
    '          parameterType: STRING',
    ...extra.map((l) => `          ${l}`),
    'deploymentSpec:',
    '  executors:',
    '    exec-a: {container: {image: alpine, command: [echo]}, notAFieldTheCompilerChecks: 1}',
    'root:',
    '  dag:',
    '    tasks:',
    '      a: {componentRef: {name: comp-a}, inputs: {parameters: {mode: {runtimeValue: {constant: x}}}}}',
    ...top,
  ].join('\n');
}

function loaded(text: string) {
  const r = parsePipelineText(text, 'p.yaml');
  if (!r.graph) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return { pkg: r.graph.pkg, diagnostics: r.diagnostics };
}

describe('the keys a package uses that only some KFP releases know', () => {
  it('finds a field added in 2.16 (literals), with its position', () => {
    const { pkg: p } = loaded(pkg(['literals: [a, b]']));
    expect(p.kfpFields).toEqual([
      expect.objectContaining({
        name: 'literals',
        kind: 'field',
        of: 'InputParameterDefinition',
        kfp: { since: '2.16.0' },
        line: 10,
        col: 21,
      }),
    ]);
  });

  it('finds an enum value added in 2.15 (TASK_CONFIG) and a name no release has', () => {
    const read = readPipelineSpecJson({
      pipelineInfo: { name: 'p' },
      root: {
        inputDefinitions: { parameters: { c: { parameterType: 'TASK_CONFIG' }, d: { parameterType: 'STRINGS' } } },
      },
    });
    expect(read.kfpFields).toEqual([
      expect.objectContaining({ name: 'TASK_CONFIG', kind: 'enum value', kfp: { since: '2.15.0' } }),
      {
        path: ['root', 'inputDefinitions', 'parameters', 'd', 'parameterType'],
        name: 'STRINGS',
        kind: 'enum value',
        of: 'ParameterType.ParameterTypeEnum',
      },
    ]);
  });

  it('finds a key no release knows, under its proto name or its JSON name alike, but nothing below deploymentSpec', () => {
    const read = readPipelineSpecJson({
      pipeline_info: { name: 'p', owner: 'me' },
      root: { dag: { tasks: {} } },
      deploymentSpec: { executors: { e: { container: { image: 'x', imagePullPolicy: 'Always' } } } },
    });
    expect(read.kfpFields).toEqual([
      { path: ['pipelineInfo', 'owner'], name: 'owner', kind: 'field', of: 'PipelineInfo' },
    ]);
  });

  it('finds the platform spec fields that 2.17 renamed', () => {
    const read = readPlatformSpecJson({ platforms: { kubernetes: { pipelineConfig: { resourceTtl: 60 } } } });
    expect(read.kfpFields).toEqual([
      expect.objectContaining({ name: 'resourceTtl', of: 'PipelineConfig', kfp: { before: '2.17.0' } }),
    ]);
  });

  it('warns at validate about a key no release knows, and stays quiet about one that some know', () => {
    const unknown = loaded(pkg(['colour: blue']));
    expect(unknown.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        line: 10,
        col: 19,
        message: stringMatching(
          /field "colour" of InputParameterDefinition .* known to no KFP release from 2.14.0 through 2.17.0/,
        ),
      }),
    ]);
    expect(loaded(pkg(['literals: [a]'])).diagnostics).toEqual([]);
  });

  it('finds nothing in the compiled fixtures that KFP 2.17 would refuse', () => {
    let checked = 0;
    for (const [name, path] of compiledFixtures()) {
      const r = parsePipelineText(readFileSync(path, 'utf8'), name);
      if (!r.graph) continue; // fixtures KFP itself cannot run are covered elsewhere
      checked++;
      expect(packageRefusals(r.graph.pkg.kfpFields, new Map([['c', '2.17.0']])), name).toEqual([]);
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('which releases know a key', () => {
  const cases: [string, boolean, boolean, boolean, boolean][] = [
    // version,     literals (2.16+), TASK_CONFIG (2.15+), resourceTtl (<2.17), unknown key
    ['2.14.0', false, false, true, false],
    ['2.15.0-rc.1', false, true, true, false],
    ['2.16.3', true, true, true, false],
    ['v2.17.0', true, true, false, false],
    ['2.18.0', true, true, false, true],
    ['dev', true, true, false, true],
  ];
  it.each(cases)('KFP %s', (version, literals, taskConfig, resourceTtl, unknown) => {
    expect(kfpKnows({ since: '2.16.0' }, version)).toBe(literals);
    expect(kfpKnows({ since: '2.15.0' }, version)).toBe(taskConfig);
    expect(kfpKnows({ before: '2.17.0' }, version)).toBe(resourceTtl);
    expect(kfpKnows(undefined, version)).toBe(unknown);
  });
});

describe('a plan across locations of different releases', () => {
  it('names each location that cannot take the package, the key, where it is, and what to do', () => {
    const { pkg: p } = loaded(pkg(['literals: [a, b]']));
    const refusals = packageRefusals(
      p.kfpFields,
      new Map([
        ['dev', '2.17.0'],
        ['train', '2.14.0'],
        ['serve', '2.15.1'],
      ]),
    );
    expect(refusals.map((r) => r.location)).toEqual(['train', 'serve']);
    const message = new PackageRefusedError('p.yaml', refusals).message;
    expect(message).toContain(
      'location train (KFP 2.14.0) refuses the pipeline package (KFP answers "unknown template format"',
    );
    expect(message).toContain(
      '  p.yaml:10:21: field "literals" of InputParameterDefinition in the pipeline spec is known from KFP 2.16.0 on',
    );
    expect(message).toContain(
      'What to do: upgrade KFP at train to 2.16.0 or later, or compile the pipeline with a KFP SDK',
    );
  });

  it('says that a platform spec would be dropped, not refused', () => {
    const text = [pkg(), '---', 'platforms:', '  kubernetes:', '    pipelineConfig: {resourceTtl: 60}'].join('\n');
    const { pkg: p } = loaded(text);
    const [r] = packageRefusals(p.kfpFields, new Map([['c', '2.17.0']]));
    expect(new PackageRefusedError('p.yaml', [r!]).message).toMatch(
      /^location c \(KFP 2\.17\.0\) would drop the package's platform spec without a word[^\n]*:\n {2}p\.yaml:20:35: field "resourceTtl" of PipelineConfig in the platform spec is known only before KFP 2\.17\.0/,
    );
    expect(packageRefusals(p.kfpFields, new Map([['c', '2.16.0']]))).toEqual([]);
  });
});
