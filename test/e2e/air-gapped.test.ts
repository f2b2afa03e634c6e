import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';
import { applyJson, bundleJson, planJson } from '../support/json-output.js';

describe('export and import (air-gapped handoff)', () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-bundle-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    file = exampleOnLabs([lab], dir);
    env = labEnv([lab]);
  }, 60_000);
  afterAll(async () => lab?.close());

  it('moves stage 2 from b to c through a directory, then c needs no network handoff', async () => {
    const through = await runCli(['apply', '-f', file, '--through', '2'], { env, timeoutMs: 120_000 });
    expect(through.code).toBe(0);
    const bundle = join(dir, 'stage-2.bundle');
    const exp = await runCli(['export', '-f', file, '--location', 'b', '--stage', '2', '-o', bundle], { env });
    expect(exp.stderr).toBe('');
    expect(exp.code).toBe(0);
    expect(exp.stdout).toMatch(/load-data, split-data, train-model, evaluate-model from b/);
    const doc = bundleJson(readFileSync(join(bundle, 'bundle.json'), 'utf8'));
    expect(doc).toMatchObject({ format: 'splitpipelines.dev/handoff-bundle', bytesIncluded: true });
    for (const a of doc.artifacts) for (const o of a.objects) expect(o.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(bundle, 'objects'))).toBe(true);
    // The same travel rule as apply's handoff: c executes only serve-model, which reads the model, so
    // the bundle for c carries the model's bytes and every other artifact as records only.
    expect(doc.target).toBe('c');
    expect(exp.stdout).toMatch(/for c \(stage 3\): as bytes: train-model\.model/);
    const files = readdirSync(join(bundle, 'objects'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/\/train-model\//);
    const byName = new Map(doc.executions.flatMap((e) => e.outputs.map((o) => [`${e.path[0]}.${o.name}`, o.artifact])));
    const artifact = (name: string) => doc.artifacts.find((a) => a.globalId === byName.get(name))!;
    for (const name of ['load-data.dataset', 'split-data.train_set', 'split-data.test_set']) {
      expect(artifact(name), name).toMatchObject({ travels: 'records', objects: [] });
    }
    expect(artifact('train-model.model').objects.length).toBeGreaterThan(0);

    const imp = await runCli(['import', '-f', file, '--location', 'c', bundle], { env });
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/Imported .* into c/);
    const again = await runCli(['import', '-f', file, '--location', 'c', bundle], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 executions, 0 artifacts, 0 cache rows/); // idempotent

    const plan = await runCli(['plan', '-f', file, '--json'], { env });
    const p = planJson(plan.stdout);
    expect(p.operations.map((o) => o.kind)).not.toContain('handoff');
    const apply = await runCli(['apply', '-f', file, '--json'], { env, timeoutMs: 120_000 });
    expect(apply.code).toBe(0);
    const done = applyJson(apply.stdout);
    expect(done.inSync).toBe(true);
    expect(done.stages[2]).toMatchObject({
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
  }, 240_000);

  it('refuses a bundle directory that is not one', async () => {
    const r = await runCli(['import', '-f', file, '--location', 'c', dir], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a handoff bundle/);
  });
});
