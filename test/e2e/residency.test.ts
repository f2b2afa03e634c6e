import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { ReconcileSession } from '../../src/apply/session.js';
import { ResidencyRefusedError } from '../../src/sync/copy-bytes.js';
import { runHandoff } from '../../src/sync/handoff.js';
import { UserError } from '../../src/errors/user-error.js';
import { MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { renderPlanText } from '../../src/report/plan-text.js';
import type { Project } from '../../src/split-file/load-project.js';
import { formatBytes } from '../../src/units/bytes.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { bundleJson } from '../support/json-output.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';
import { checkInvariants } from '../support/invariants.js';

const RAW = /\/load-data\/(.*\/)?dataset(\/|$)/;

// examples/residency: the thesis example with load-data's raw dataset kept in a.
describe('data residency: the raw data never leaves a', () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  let project: Project;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-e2e-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    env = labEnv([lab]);
    file = exampleOnLabs([lab], dir, 'residency');
    project = await projectOf(file);
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
  });

  const storeAt = (name: string) => {
    const loc = lab.locations[name]!;
    return new ObjectStore({
      location: name,
      endpoint: loc.objectStore,
      pipelineRoot: loc.pipelineRoot,
      credentials: loc.credentials,
      region: loc.region,
    });
  };
  /** Every object in the location's bucket. */
  const bucketAt = async (name: string) => {
    const store = storeAt(name);
    try {
      const keys: string[] = [];
      for await (const o of store.list(lab.locations[name]!.bucket, '')) keys.push(o.key);
      return keys;
    } finally {
      store.close();
    }
  };

  it('plans which artifacts travel as bytes and which as records', async () => {
    const plan = await planProject(project, { env });
    const handoffs = plan.operations.filter((o) => o.kind === 'handoff');
    const bytes = handoffs.map((h) =>
      (h.artifacts ?? [])
        .filter((a) => a.travels === 'bytes')
        .map((a) => `${a.step}.${a.output}`)
        .sort(),
    );
    expect(bytes).toEqual([['split-data.test_set', 'split-data.train_set'], ['train-model.model']]);
    const raw = handoffs[0]!.artifacts!.find((a) => a.output === 'dataset')!;
    expect(raw).toMatchObject({ travels: 'records', labels: { class: 'raw' }, type: 'system.Dataset' });
    // Nothing is at a yet: the sizes are unknown until the stage that makes them ran.
    expect(handoffs[0]!.bytes).toBeNull();
  }, 60_000);

  it('shows, once a has the data, the size of what travels as bytes and of what stays', async () => {
    const through = await applyProject(project, { env, pollMs: 100, through: '1' });
    expect(through.plan.stages[0]).toMatchObject({ state: 'done' });
    const plan = await planProject(project, { env });
    const toB = plan.operations.find((o) => o.kind === 'handoff' && o.from === 'a')!;
    const size = (output: string) => toB.artifacts!.find((a) => a.output === output)!.bytes;
    for (const o of ['dataset', 'train_set', 'test_set']) expect(size(o), o).toBeGreaterThan(0);
    expect(toB.bytes).toBe(size('train_set')! + size('test_set')!);
    expect(toB.recordBytes).toBe(size('dataset'));
    const text = renderPlanText(plan);
    expect(text).toContain(
      `as bytes: split-data.test_set (${formatBytes(size('test_set')!)}), ` +
        `split-data.train_set (${formatBytes(size('train_set')!)}), ${formatBytes(toB.bytes!)} in all; ` +
        `as records only: load-data.dataset (${formatBytes(size('dataset')!)})`,
    );
  }, 60_000);

  it('applies with c serving four steps from cache and executing serve-model, and no raw object at b or c', async () => {
    const result = await applyProject(project, { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[2]).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    const rawAt = async (name: string) => {
      const loc = lab.locations[name]!;
      const mlmd = new MlmdClient({ location: name, address: loc.mlmd });
      const store = storeAt(name);
      try {
        const datasets = (await mlmd.getArtifactsByType('system.Dataset')).items.filter((a) => RAW.test(a.uri ?? ''));
        expect(datasets.length, `the raw dataset's record at ${name}`).toBeGreaterThan(0);
        const found: string[] = [];
        for (const d of datasets) {
          const ref = store.resolve(d.uri!);
          if (await store.head(ref)) found.push(ref.key);
          for await (const o of store.list(ref.bucket, `${ref.key}/`)) found.push(o.key);
        }
        return found;
      } finally {
        mlmd.close();
        store.close();
      }
    };
    const atA = await rawAt('a');
    expect(atA.length).toBeGreaterThan(0);
    expect(await rawAt('b')).toEqual([]);
    expect(await rawAt('c')).toEqual([]);
    // The whole buckets of b and c: no object of the raw data under any key, and c has the model.
    for (const name of ['b', 'c']) {
      const keys = await bucketAt(name);
      expect(
        keys.filter((k) => RAW.test(k) || atA.includes(k)),
        `raw objects in ${name}'s bucket`,
      ).toEqual([]);
    }
    expect((await bucketAt('c')).some((k) => /\/train-model\//.test(k))).toBe(true);
    await checkInvariants(lab);
    const again = await planProject(project, { env });
    expect(again.operations).toEqual([]);
    // status says what each location holds without bytes.
    const status = await runCli(['status', '-f', file, '--json'], { env });
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { recordsOnly: unknown }).recordsOnly).toEqual({
      b: ['load-data.dataset'],
      c: ['load-data.dataset', 'split-data.test_set', 'split-data.train_set', 'evaluate-model.metrics'],
    });
  }, 180_000);

  it('the online byte copy itself refuses raw bytes at c, even when a handoff is told to carry them', async () => {
    // Defence in depth: the plan carries the raw dataset to c as records only. Were a handoff told
    // otherwise (no recordsOnly, as if the plan were wrong), the copy still refuses before writing.
    const session = new ReconcileSession(project, { env });
    try {
      await session.observeVersion('a');
      await session.observeVersion('c');
      const before = await bucketAt('c');
      const err = await runHandoff({
        source: session.readers('a'),
        target: session.readers('c'),
        graph: project.graph,
        parameters: session.parameters,
        steps: ['load-data'],
        splitPipeline: project.spec.metadata.name,
        revision: project.revision.short,
        experiment: session.experiment,
        markerRunName: 'residency-defence-in-depth',
        data: project.spec.spec.data ?? [],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResidencyRefusedError);
      expect((err as ResidencyRefusedError).location).toBe('c');
      expect((err as Error).message).toMatch(
        /handoff of load-data from a to c would store at c the bytes of load-data\.dataset \(.*\) may only be stored in a/,
      );
      expect((err as Error).message).toMatch(/What to do: plan again with this file/);
      expect(await bucketAt('c')).toEqual(before);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('exports for air-gapped moves by the same rule, and import refuses raw bytes at b', async () => {
    const stage1 = join(dir, 'stage-1.bundle');
    const exp = await runCli(['export', '-f', file, '--location', 'a', '--stage', '1', '-o', stage1], { env });
    expect(exp.stderr).toBe('');
    expect(exp.code).toBe(0);
    expect(exp.stdout).toContain(
      'for b (stage 2): as bytes: split-data.test_set, split-data.train_set; as records only: load-data.dataset',
    );
    const files = readdirSync(join(stage1, 'objects'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => RAW.test(f))).toEqual([]);
    expect(bundleJson(readFileSync(join(stage1, 'bundle.json'), 'utf8')).target).toBe('b');

    // A bundle made under another file, whose split-data executes at b, carries the raw bytes for b.
    const other = parse(readFileSync(file, 'utf8')) as {
      spec: { stages: { location: string; steps: string[] }[]; data?: unknown };
    };
    other.spec.stages = [
      { location: 'a', steps: ['load-data'] },
      { location: 'b', steps: ['split-data', 'train-model', 'evaluate-model'] },
      { location: 'c', steps: ['serve-model'] },
    ];
    delete other.spec.data;
    const otherFile = join(dir, 'no-residency.yaml');
    writeFileSync(otherFile, stringify(other));
    // Under that placement b would execute split-data on the raw data it holds only the records of:
    // the plan is refused, saying where the bytes are and what to do.
    const refused = await runCli(['plan', '-f', otherFile], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /load-data\.dataset: stage 2 executes split-data at b, which reads it, but b holds only its records.*its bytes are at a/,
    );
    expect(refused.stderr).toMatch(/What to do: at b, delete the handoff marker run that brought load-data/);
    // status still draws it, with the refusal among the drift.
    const status = await runCli(['status', '-f', otherFile, '--json'], { env });
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as { drift: string[]; recordsOnly: Record<string, string[]> };
    expect(doc.drift.some((d) => d.startsWith('apply would be refused: ') && d.includes('load-data.dataset'))).toBe(
      true,
    );
    expect(doc.recordsOnly['b']).toEqual(['load-data.dataset']);
    const rawBundle = join(dir, 'raw.bundle');
    const leak = await runCli(
      ['export', '-f', otherFile, '--location', 'a', '--steps', 'load-data', '--to', 'b', '-o', rawBundle],
      { env },
    );
    expect(leak.code).toBe(0);
    expect(leak.stdout).toContain('as bytes: load-data.dataset');
    // Exported for b by a file that keeps the raw data in a: refused, and nothing written at b.
    const imp = await runCli(['import', '-f', file, '--location', 'b', rawBundle], { env });
    expect(imp.code).toBe(1);
    expect(imp.stderr).toMatch(/does not allow at b: load-data\.dataset \(.*\) may only be stored in a/);
    expect(imp.stderr).toMatch(/What to do: export the bundle again with this file and --to b/);
    expect(imp.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect((await bucketAt('b')).filter((k) => RAW.test(k))).toEqual([]);
    // A bundle for b is not imported at c.
    const wrong = await runCli(['import', '-f', file, '--location', 'c', stage1], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/exported for b.*What to do: export again with --to c/s);
  }, 180_000);

  it('apply passes the file’s spec.data to its byte copy, which refuses what validation would have', async () => {
    // A new revision whose split-data outputs b does not hold, and in memory a rule that
    // keeps split-data's outputs in a, which `validate` would have refused for this placement: the
    // handoff to b is stopped by the byte copy itself, and nothing of split-data is written at b.
    const variant = parse(readFileSync(file, 'utf8')) as { spec: { pipeline: { parameters: { test_size: number } } } };
    // split-data reads test_size: it executes again at a, and b needs its new outputs.
    variant.spec.pipeline.parameters.test_size = 0.3;
    const variantFile = join(dir, 'residency-variant.yaml');
    writeFileSync(variantFile, stringify(variant));
    const p = await projectOf(variantFile);
    p.spec.spec.data = [...(p.spec.spec.data ?? []), { step: 'split-data', keepIn: ['a'] }];
    const before = await bucketAt('b');
    const err = await applyProject(p, { env, pollMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const cause = (err as Error).cause;
    expect(cause).toBeInstanceOf(ResidencyRefusedError);
    expect((err as Error).message).toMatch(
      /handoff at b \(from a\) for stage 2: .*would store at b the bytes of split-data\.(test_set|train_set) \(.*\) may only be stored in a/,
    );
    const added = (await bucketAt('b')).filter((k) => !before.includes(k));
    expect(added.filter((k) => /\/split-data\//.test(k))).toEqual([]);
  }, 120_000);
});
