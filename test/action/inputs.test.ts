import { describe, expect, it } from 'vitest';
import { inputsFromEnv, InputError, parseBoolean, readSettings } from '../../action/src/inputs.js';

const settingsOf = (env: Record<string, string>) => readSettings(inputsFromEnv(env));

describe('action inputs', () => {
  it('defaults to planning split-pipeline.yaml with a comment, online, in the workspace', () => {
    expect(settingsOf({})).toEqual({
      command: 'plan',
      configPatterns: ['split-pipeline.yaml'],
      configKey: 'split-pipeline.yaml',
      comment: true,
      githubToken: '',
      lockTimeoutMs: 600_000,
      offline: false,
      workingDirectory: '.',
    });
  });

  it('reads hyphenated inputs from INPUT_ variables that keep the hyphen, as the runner sets them', () => {
    const s = settingsOf({
      'INPUT_GITHUB-TOKEN': ' tkn ',
      'INPUT_THROUGH-STAGE': 'train',
      'INPUT_LOCK-TIMEOUT': '1h30m',
    });
    expect([s.githubToken, s.throughStage, s.lockTimeoutMs]).toEqual(['tkn', 'train', 5_400_000]);
  });

  it('takes several configs, one per line, and names the comment after them and the working directory', () => {
    const s = settingsOf({ INPUT_CONFIG: 'a.yaml\n\n  b/*.yaml  \n', 'INPUT_WORKING-DIRECTORY': 'ml/' });
    expect(s.configPatterns).toEqual(['a.yaml', 'b/*.yaml']);
    expect(s.configKey).toBe('ml/a.yaml,ml/b/*.yaml');
  });

  it('refuses an unknown command, naming the valid ones', () => {
    expect(() => settingsOf({ INPUT_COMMAND: 'destroy' })).toThrow(
      /must be one of plan, apply, reconcile; got "destroy"/,
    );
  });

  it('refuses a boolean that is not true or false rather than reading it as false', () => {
    expect(() => settingsOf({ INPUT_COMMENT: 'yes' })).toThrow(InputError);
    expect([parseBoolean('x', 'TRUE'), parseBoolean('x', 'False')]).toEqual([true, false]);
  });

  it('refuses a lock timeout that is not a duration', () => {
    expect(() => settingsOf({ 'INPUT_LOCK-TIMEOUT': '10 minutes' })).toThrow(/lock-timeout/);
  });

  it("reads the lock timeout with the CLI's duration grammar", () => {
    expect(settingsOf({ 'INPUT_LOCK-TIMEOUT': '1h30m' }).lockTimeoutMs).toBe(5_400_000);
    expect(settingsOf({ 'INPUT_LOCK-TIMEOUT': '90' }).lockTimeoutMs).toBe(90_000);
    expect(() => settingsOf({ 'INPUT_LOCK-TIMEOUT': '-1s' })).toThrow(
      /input "lock-timeout" must be a duration such as 30s/,
    );
  });
});
