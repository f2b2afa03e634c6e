/** `startLab` with `kfpVersion: {c: 'next'}`: c runs the next KFP (native API, no ML Metadata), b a release. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labProblem, readLabFile, startLab, type Lab } from '../../../packages/lab/src/index.js';

let lab: Lab;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-native-'));
  lab = await startLab({ dir, locations: ['b', 'c'], kfpVersion: { c: 'next' }, ports: 'ephemeral' });
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lab: a location running the next KFP', () => {
  it('has no ML Metadata endpoint in lab.json nor in the generated locations block', async () => {
    const file = await readLabFile(dir);
    expect(file?.locations['c']?.mlmd).toBe('');
    expect(file?.locations['b']?.mlmd).not.toBe('');
    const cBlock = lab.locationsYaml().split('- name: ')[2] ?? '';
    expect(cBlock.startsWith('c')).toBe(true);
    expect(cBlock).not.toContain('mlmd');
  });

  it('reports that build (master) in healthz and serves the native API only at c', async () => {
    const c = lab.locations['c']!;
    const b = lab.locations['b']!;
    const h = (await (await fetch(`${c.kfp}/apis/v2beta1/healthz`)).json()) as { tag_name: string };
    expect(h.tag_name).toBe('master');
    const find = (url: string) =>
      fetch(`${url}/apis/v2beta1/tasks:findCached`, {
        method: 'POST',
        body: JSON.stringify({ cache_fingerprint: 'f' }),
      });
    expect((await find(c.kfp)).status).toBe(200);
    expect((await find(b.kfp)).status).toBe(404);
  });

  it('is ready without ML Metadata', async () => {
    const file = await readLabFile(dir);
    expect(await labProblem(file!)).toBeUndefined();
  });
});
