/**
 * Issue 11: `export` and `import` (the air-gapped handoff) between a location running the next KFP (native task
 * and artifact API, no ML Metadata) and one with ML Metadata, in both directions, through the CLI as a user runs
 * them: the bundle carries the bytes the target's stage reads (verified by SHA-256), and the target's next stage
 * then serves the steps from its own cache without a network handoff.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { NativeClient } from '../../src/location/native/client.js';
import { runCli } from '../support/cli.js';
import { checkInvariants } from '../support/invariants.js';
import { applyJson, bundleJson, planJson } from '../support/json-output.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

function labWith(kfpVersion: Record<string, string>) {
  const t = {} as { lab: Lab; dir: string; file: string; env: NodeJS.ProcessEnv };
  beforeAll(async () => {
    t.dir = mkdtempSync(join(tmpdir(), 'sp-bundle-native-'));
    t.lab = await startLab({ dir: join(t.dir, 'lab'), locations: ['a', 'b', 'c'], kfpVersion, ports: 'ephemeral' });
    t.file = exampleOnLabs([t.lab], t.dir);
    t.env = labEnv([t.lab]);
  }, 60_000);
  afterAll(async () => {
    await t.lab?.close();
    rmSync(t.dir, { recursive: true, force: true });
  });
  return t;
}

/** Exports stage `stage` at `from`, checks the bundle's bytes, imports it at `to` twice (the second does nothing). */
async function carry(
  t: ReturnType<typeof labWith>,
  stage: number,
  from: string,
  to: string,
): Promise<{ bytes: string[]; records: string[] }> {
  const bundle = join(t.dir, `stage-${stage}.bundle`);
  const exp = await runCli(['export', '-f', t.file, '--location', from, '--stage', String(stage), '-o', bundle], {
    env: t.env,
  });
  expect(exp.stderr).toBe('');
  expect(exp.code).toBe(0);
  const doc = bundleJson(readFileSync(join(bundle, 'bundle.json'), 'utf8'));
  expect(doc).toMatchObject({ format: 'splitpipelines.dev/handoff-bundle', bytesIncluded: true, target: to });
  expect(doc.source.location).toBe(from);
  const byName = new Map(doc.executions.flatMap((e) => e.outputs.map((o) => [`${e.path[0]}.${o.name}`, o.artifact])));
  const artifact = (name: string) => doc.artifacts.find((a) => a.globalId === byName.get(name))!;
  const bytes: string[] = [];
  const records: string[] = [];
  for (const name of byName.keys()) {
    const a = artifact(name);
    // The logs KFP's launcher publishes (`--publish_logs`) are read by no step: records, never asserted here.
    if (name.endsWith('.executor-logs')) {
      expect(a.travels, name).toBe('records');
      continue;
    }
    if (a.travels === 'records') {
      expect(a.objects, name).toEqual([]);
      records.push(name);
    } else if (a.objects.length > 0) {
      // Written from the source store, hashed on the way: the import checks every object against it.
      for (const o of a.objects) expect(o.sha256, name).toMatch(/^[0-9a-f]{64}$/);
      bytes.push(name);
    }
  }
  // Made for `to`: its bytes are what the stage there reads, so another location refuses it before any write.
  const elsewhere = ['a', 'b', 'c'].find((l) => l !== from && l !== to)!;
  const wrong = await runCli(['import', '-f', t.file, '--location', elsewhere, bundle], { env: t.env });
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(new RegExp(`exported for ${to}: .*cannot be imported at ${elsewhere}`));
  const imp = await runCli(['import', '-f', t.file, '--location', to, bundle], { env: t.env });
  expect(imp.stderr).toBe('');
  expect(imp.code).toBe(0);
  expect(imp.stdout).toMatch(new RegExp(`Imported .* into ${to}: `));
  expect(imp.stdout).toMatch(new RegExp(`, ${doc.executions.length} executions, `));
  const again = await runCli(['import', '-f', t.file, '--location', to, bundle], { env: t.env });
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/0 executions, 0 artifacts, 0 cache rows/);
  return { bytes: bytes.sort(), records: records.sort() };
}

/** Plans (no handoff into `to` any more: the bundle brought what its stage needs) and applies the rest. */
async function applyRest(t: ReturnType<typeof labWith>, to: string) {
  const plan = planJson((await runCli(['plan', '-f', t.file, '--json'], { env: t.env })).stdout);
  expect(plan.operations.filter((o) => o.kind === 'handoff' && o.location === to)).toEqual([]);
  expect(plan.operations.some((o) => o.kind === 'run-stage' && o.location === to)).toBe(true);
  const apply = await runCli(['apply', '-f', t.file, '--json'], { env: t.env, timeoutMs: 120_000 });
  expect(apply.code, apply.stderr).toBe(0);
  const done = applyJson(apply.stdout);
  expect(done.inSync).toBe(true);
  return done;
}

describe('a bundle exported at the next KFP (a) is imported into ML Metadata (b)', () => {
  const t = labWith({ a: 'next', b: '2.17.0', c: '2.17.0' });

  it('and b’s stage serves load-data and split-data from its cache', async () => {
    const through = await runCli(['apply', '-f', t.file, '--through', '1'], { env: t.env, timeoutMs: 120_000 });
    expect(through.code, through.stderr).toBe(0);
    const carried = await carry(t, 1, 'a', 'b');
    // b executes train-model and evaluate-model, which read the train and test sets; nothing there reads the dataset.
    expect(carried.bytes).toEqual(['split-data.test_set', 'split-data.train_set']);
    expect(carried.records).toEqual(['load-data.dataset']);
    const done = await applyRest(t, 'b');
    expect(done.stages[1]).toMatchObject({
      cached: ['load-data', 'split-data'],
      executed: ['train-model', 'evaluate-model'],
    });
    expect(done.stages[2]).toMatchObject({
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    const inv = await checkInvariants(t.lab);
    expect(inv.importedExecutions).toEqual({ a: 0, b: 2, c: 4 });
  }, 120_000);
});

describe('a bundle exported from ML Metadata (b) is imported at the next KFP (c)', () => {
  const t = labWith({ a: '2.17.0', b: '2.17.0', c: 'next' });

  it('and c’s stage shows four CACHED tasks in its native task API', async () => {
    const through = await runCli(['apply', '-f', t.file, '--through', '2'], { env: t.env, timeoutMs: 120_000 });
    expect(through.code, through.stderr).toBe(0);
    const carried = await carry(t, 2, 'b', 'c');
    // c executes only serve-model, which reads the model.
    expect(carried.bytes).toEqual(['train-model.model']);
    const done = await applyRest(t, 'c');
    const last = done.stages[2]!;
    expect(last).toMatchObject({
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    const native = new NativeClient({ location: 'c', endpoint: t.lab.locations['c']!.kfp });
    const states: Record<string, string[]> = {};
    for (const task of await native.listTasks(last.runId!))
      if (task.type === 'RUNTIME') (states[task.name ?? ''] ??= []).push(task.state ?? '');
    expect(states).toEqual({
      'load-data': ['CACHED'],
      'split-data': ['CACHED'],
      'train-model': ['CACHED'],
      'evaluate-model': ['CACHED'],
      'serve-model': ['SUCCEEDED'],
    });
    const inv = await checkInvariants(t.lab);
    expect(inv.importedExecutions).toEqual({ a: 0, b: 2, c: 4 });
  }, 120_000);
});
