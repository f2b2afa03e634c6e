// `plan --out FILE` then `apply --plan FILE` on a lab: applies the reviewed plan; refuses, before its
// first operation and naming what differs, when the state changed in between or the file was edited.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

let lab: Lab;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-plan-file-'));
  lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
  file = exampleOnLabs([lab], dir);
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: labEnv([lab]), timeoutMs: 150_000 });
const runCount = async () => {
  let n = 0;
  for (const l of ['a', 'b', 'c'])
    n += (await new KfpClient({ location: l, endpoint: lab.locations[l]!.kfp }).listRuns({ pageSize: 100 })).items
      .length;
  return n;
};

describe('apply --plan', () => {
  it('writes a self-describing plan file with reason codes and no secrets', async () => {
    const res = await cli(['plan', '-f', file, '--out', 'first.json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('Plan written to first.json');
    const text = readFileSync(join(dir, 'first.json'), 'utf8');
    const doc = JSON.parse(text) as {
      format: string;
      version: number;
      file: { sha256: string };
      observations: Record<string, string>;
      plan: { operations: { reasonCode?: string }[] };
    };
    expect(doc.format).toBe('split-pipelines-plan');
    expect(doc.version).toBe(1);
    expect(doc.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(doc.observations).sort()).toEqual(['a', 'b', 'c']);
    expect(doc.plan.operations.length).toBeGreaterThan(0);
    for (const op of doc.plan.operations) expect(op.reasonCode).toMatch(/^[a-z-]+$/);
    expect(text).not.toContain(labEnv([lab])['LAB_S3_SECRET_ACCESS_KEY']);
  }, 60_000);

  it('refuses when the state changed since the plan was written, naming the operations, and does nothing', async () => {
    const through = await cli(['apply', '-f', file, '--through', '1']);
    expect(through.code, through.stderr).toBe(0);
    const before = await runCount();
    const res = await cli(['apply', '-f', file, '--plan', 'first.json']);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('apply --plan first.json refused: the plan now differs from the reviewed plan');
    expect(res.stderr).toMatch(/operation run-stage:1 is in the plan file but no longer needed/);
    expect(res.stderr).toMatch(/the state observed at a.* changed since the plan was written/);
    expect(res.stderr).toContain('What to do: nothing was changed at any location');
    expect(res.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
    expect(await runCount()).toBe(before);
  }, 180_000);

  it('refuses a plan file edited after it was written', async () => {
    const res = await cli(['plan', '-f', file, '--out', 'second.json']);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'second.json'), 'utf8')) as { plan: { operations: unknown[] } };
    doc.plan.operations = doc.plan.operations.slice(0, 1);
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(doc, null, 2));
    const bad = await cli(['apply', '-f', file, '--plan', 'tampered.json']);
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toMatch(/tampered\.json: the plan file was changed after it was written/);
  }, 60_000);

  it('refuses a plan file when the split file changed since', async () => {
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}# a reviewed comment\n`);
    try {
      const res = await cli(['apply', '-f', file, '--plan', 'second.json']);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toContain('the split file changed since the plan was written');
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  it('applies the reviewed plan when nothing changed, and ends in sync', async () => {
    const res = await cli(['apply', '-f', file, '--plan', 'second.json', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const after = JSON.parse(res.stdout) as { inSync: boolean; applied: { status: string }[] };
    expect(after.inSync).toBe(true);
    expect(after.applied.every((a) => a.status === 'done')).toBe(true);
  }, 180_000);
});
