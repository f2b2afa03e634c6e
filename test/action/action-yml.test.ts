// action.yml is the action's contract with workflows: its inputs must be the ones the code reads,
// with the same defaults, and every boolean must have a default (the runner then always sets it;
// @actions/core's getBooleanInput throws on a missing one).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUT_DEFAULTS } from '../../action/src/inputs.js';
import { repoRoot } from '../support/fixtures.js';

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as ActionYml;
const docs = readFileSync(join(repoRoot, 'docs/action.md'), 'utf8');

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'action/dist/index.js' });
  });

  it('declares the contract inputs and outputs', () => {
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'command',
        'config',
        'comment',
        'github-token',
        'through-stage',
        'lock-timeout',
        'offline',
        'working-directory',
      ]),
    );
    expect(Object.keys(action.outputs)).toEqual(
      expect.arrayContaining(['in-sync', 'revision', 'plan-json', 'drift', 'changed']),
    );
  });

  it('gives the inputs the same defaults as the code', () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) expect(action.inputs[name]?.default, name).toBe(value);
  });

  it('gives every boolean input a default', () => {
    for (const name of ['comment', 'offline']) expect(['true', 'false']).toContain(action.inputs[name]?.default);
  });

  it('documents every input and output in docs/action.md', () => {
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(docs, name).toContain(`| \`${name}\``);
  });
});
