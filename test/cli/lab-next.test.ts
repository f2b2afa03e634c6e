// `split-pipelines lab up --kfp-version c=next` through the built binary: c runs the next KFP (native task and
// artifact API, no ML Metadata endpoint in lab.json, b keeps its own), and its healthz is that build's. Runs at
// such a location: test/lab/native/native-executor.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabFile } from '../../packages/lab/src/lab-config.js';
import { labProblem, processAlive } from '../../packages/lab/src/readiness.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-cli-next-'));
afterAll(async () => {
  const pid = (await readLabFile(dir))?.pid;
  if (pid !== undefined && processAlive(pid)) await runCli(['lab', 'down', '--dir', dir]);
  rmSync(dir, { recursive: true, force: true });
});

describe('lab up --kfp-version c=next', () => {
  it('starts c as the next KFP: no mlmd in lab.json, healthz of that build', async () => {
    const res = await runCli([
      'lab',
      'up',
      '--detach',
      '--dir',
      dir,
      '--ports',
      'ephemeral',
      '--locations',
      'b,c',
      '--kfp-version',
      'c=next',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const file = (await readLabFile(dir))!;
    expect(file.locations.c).toMatchObject({ kfpVersion: 'next', mlmd: '' });
    expect(file.locations.b!.mlmd).not.toBe('');
    expect(await labProblem(file)).toBeUndefined();
    expect(res.stdout).toContain('mlmd (none: native API)');
    expect(res.stdout).not.toMatch(/- name: c\n(?:(?! {2}- name:)[\s\S])*mlmd:/);

    const c = file.locations.c!.kfp;
    const healthz = (await (await fetch(`${c}/apis/v2beta1/healthz`)).json()) as Record<string, unknown>;
    expect(healthz).toEqual({
      commit_sha: '6585b5143d671b9194cc0a93cfb37a8cd73d8106',
      tag_name: 'master',
      multi_user: false,
      pipeline_store: 'database',
    });

    // The native API answers at c only.
    const find = (url: string) =>
      fetch(`${url}/apis/v2beta1/tasks:findCached`, {
        method: 'POST',
        body: JSON.stringify({ cache_fingerprint: 'f' }),
      });
    expect((await find(c)).status).toBe(200);
    expect((await find(file.locations.b!.kfp)).status).toBe(404);
  });
});
