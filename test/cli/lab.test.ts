// `split-pipelines lab up|down` through the built binary: a detached lab in a temporary directory on
// ephemeral ports (`--ports ephemeral`, hidden, since the default ports may be busy where tests run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLabFile } from '../../packages/lab/src/lab-config.js';
import { labProblem, processAlive } from '../../packages/lab/src/readiness.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { runCli } from '../support/cli.js';
import { packageBody, thesisText, waitForRun } from '../lab/executor/helpers.js';

const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-cli-'));
  dirs.push(d);
  return d;
}

// Stops a lab a test left running; starting the CLI costs a second, so only where one runs.
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    const pid = (await readLabFile(dir))?.pid;
    if (pid !== undefined && processAlive(pid)) await runCli(['lab', 'down', '--dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

const up = (dir: string, ...extra: string[]) =>
  runCli(['lab', 'up', '--detach', '--dir', dir, '--ports', 'ephemeral', ...extra]);

describe('lab up --detach and lab down', () => {
  it('starts a lab in the background that answers on every protocol, and prints its endpoints and locations block', async () => {
    const dir = tempDir();
    const res = await up(dir, '--locations', 'a,b');
    expect(res.code, res.stderr).toBe(0);
    const file = (await readLabFile(dir))!;
    expect(Object.keys(file.locations)).toEqual(['a', 'b']);
    expect(processAlive(file.pid!)).toBe(true);
    expect(await labProblem(file)).toBeUndefined();
    expect(res.stdout).toContain(`a: KFP 2.17.0 ${file.locations.a!.kfp}`);
    expect(res.stdout).toContain('export LAB_S3_ACCESS_KEY_ID=');
    expect(res.stdout).toContain(`locations:\n  - name: a\n    kfp:\n      endpoint: ${file.locations.a!.kfp}`);
  });

  it('stops it with lab down, which waits for the process to end', async () => {
    const dir = tempDir();
    expect((await up(dir, '--locations', 'a')).code).toBe(0);
    const pid = (await readLabFile(dir))!.pid!;
    const res = await runCli(['lab', 'down', '--dir', dir]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`lab: stopped (pid ${pid})`);
    expect(processAlive(pid)).toBe(false);
    expect((await readLabFile(dir))!.pid).toBeUndefined();
  });

  it('keeps runs across down and up on the same directory', async () => {
    const dir = tempDir();
    expect((await up(dir, '--locations', 'a')).code).toBe(0);
    let kfp = new KfpClient({ location: 'a', endpoint: (await readLabFile(dir))!.locations.a!.kfp });
    const created = await kfp.createRun({ displayName: 'kept', pipelineSpec: packageBody(thesisText()) });
    expect((await waitForRun(kfp, created.run_id)).state).toBe('SUCCEEDED');
    expect((await runCli(['lab', 'down', '--dir', dir])).code).toBe(0);
    expect((await up(dir, '--locations', 'a')).code).toBe(0);
    kfp = new KfpClient({ location: 'a', endpoint: (await readLabFile(dir))!.locations.a!.kfp });
    expect((await kfp.getRun(created.run_id)).state).toBe('SUCCEEDED');
  });

  it('passes per-location KFP versions to the lab', async () => {
    const dir = tempDir();
    expect((await up(dir, '--locations', 'a,b', '--kfp-version', 'a=2.14.0')).code).toBe(0);
    const file = (await readLabFile(dir))!;
    expect([file.locations.a!.kfpVersion, file.locations.b!.kfpVersion]).toEqual(['2.14.0', '2.17.0']);
    expect((await new KfpClient({ location: 'a', endpoint: file.locations.a!.kfp }).healthz()).version).toBe('2.14.0');
  });

  it('refuses a second lab on a directory already served', async () => {
    const dir = tempDir();
    expect((await up(dir, '--locations', 'a')).code).toBe(0);
    const again = await up(dir, '--locations', 'a');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`a lab is already running in ${dir}`);
  });

  it('says so, and succeeds, when lab down finds no lab running', async () => {
    const dir = tempDir();
    const res = await runCli(['lab', 'down', '--dir', dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('no lab has run in');
  });
});

describe('lab argument errors', () => {
  it('rejects a --kfp-version naming an unknown location', async () => {
    const res = await runCli([
      'lab',
      'up',
      '--dir',
      tempDir(),
      '--locations',
      'a',
      '--kfp-version',
      'z=2.14.0',
      '--ports',
      'ephemeral',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--kfp-version: "z" is not one of the locations (a)');
  });

  it('rejects a location name that is not a DNS label', async () => {
    const res = await runCli(['lab', 'up', '--dir', tempDir(), '--locations', 'Train', '--ports', 'ephemeral']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('location name "Train" is not a DNS label');
  });

  it('rejects an unknown action', async () => {
    const res = await runCli(['lab', 'sideways']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('lab: unknown action "sideways" (expected up or down)');
  });
});
