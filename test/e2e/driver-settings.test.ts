// Locations whose KFP drivers are set up differently (audit B1, B2): b runs with PUBLISH_LOGS false
// and its pods in `ml-pods`, c in `pipelines`, a as KFP's manifests ship (logs on, `kubeflow`). A handoff
// into b and one out of b must be cache hits where the lab's drivers (packages/lab/src/executor) look them up.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { MlmdClient } from '../../src/location/mlmd/index.js';
import { readDriverSettings } from '../../src/observe/driver-settings.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

type LocationsDoc = { spec: { locations: { name: string; kfp: Record<string, unknown> }[] } };

/** A copy of the project file with one location's `kfp` section changed. */
function withKfp(file: string, location: string, patch: Record<string, unknown>, name: string): string {
  const doc = parse(readFileSync(file, 'utf8')) as LocationsDoc;
  const loc = doc.spec.locations.find((l) => l.name === location)!;
  Object.assign(loc.kfp, patch);
  const out = join(file, '..', name);
  writeFileSync(out, stringify(doc));
  return out;
}

describe('locations with publish_logs off and pods outside kubeflow', () => {
  let lab: Lab;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const clients: { close(): void }[] = [];
  const mlmdOf = (name: string) => {
    const c = new MlmdClient({ location: name, address: lab.locations[name]!.mlmd });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-driver-settings-'));
    lab = await startLab({
      dir: join(dir, 'lab'),
      locations: ['a', 'b', 'c'],
      ports: 'ephemeral',
      publishLogs: { b: false },
      podNamespace: { b: 'ml-pods', c: 'pipelines' },
    });
    env = labEnv([lab]);
    file = exampleOnLabs([lab], dir);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await lab?.close();
  });

  it('hands off into b and out of b, each a cache hit, with rows in the namespace of the pods', async () => {
    const result = await applyProject(await projectOf(file), { env, pollMs: 100 });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[1]).toMatchObject({
      location: 'b',
      state: 'done',
      cached: ['load-data', 'split-data'],
      executed: ['train-model', 'evaluate-model'],
    });
    expect(result.plan.stages[2]).toMatchObject({
      location: 'c',
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    // Every cache row carries the namespace the location's pods run in; none has '' (no driver looks there).
    for (const [name, ns] of [
      ['a', 'kubeflow'],
      ['b', 'ml-pods'],
      ['c', 'pipelines'],
    ] as const) {
      const kfp = new KfpClient({ location: name, endpoint: lab.locations[name]!.kfp });
      const rows = (await kfp.listTasks({ pageSize: 200 })).items;
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.namespace))).toEqual(new Set([ns]));
    }
    // What the product learned: b's logs are off and its pods in ml-pods, read from runs there.
    for (const [name, publishLogs, podNamespace] of [
      ['a', true, 'kubeflow'],
      ['b', false, 'ml-pods'],
      ['c', true, 'pipelines'],
    ] as const) {
      const settings = await readDriverSettings({
        name,
        kfp: new KfpClient({ location: name, endpoint: lab.locations[name]!.kfp }),
        mlmd: mlmdOf(name),
      });
      expect(settings).toMatchObject({
        publishLogs,
        publishLogsFrom: 'run',
        podNamespace,
        podNamespaceFrom: 'run',
        multiUser: false,
      });
    }
    // b's own executions (not the imported ones) have no executor-logs output; a's have one.
    const outputKeysOf = async (name: string) => {
      const mlmd = mlmdOf(name);
      const own = (await mlmd.getExecutionsByType('system.ContainerExecution')).items.filter(
        (e) => !e.externalId && e.lastKnownState === 'COMPLETE',
      );
      const events = await mlmd.getEventsByExecutionIDs(own.map((e) => e.id!));
      return new Set(events.filter((e) => e.type === 'OUTPUT').map((e) => e.path?.steps?.[0]?.key));
    };
    expect((await outputKeysOf('b')).has('executor-logs')).toBe(false);
    expect((await outputKeysOf('b')).has('model')).toBe(true);
    expect((await outputKeysOf('a')).has('executor-logs')).toBe(true);
    // At c, which publishes logs, the tasks that ran at b got the executor-logs output c's driver
    // demands on a cache hit (src/sync/executor-logs.ts); those from a kept a's own.
    const placeholders = (await mlmdOf('c').getArtifactsByType('system.Artifact')).items.filter((x) =>
      x.externalId?.endsWith('/executor-logs'),
    );
    expect(placeholders.length).toBe(2); // train-model and evaluate-model
    for (const p of placeholders)
      expect(p.externalId).toMatch(/^split-pipelines\/v1\/b\/execution\/\d+\/executor-logs$/);
  }, 180_000);

  it('plans nothing afterwards, and a file that says what b does agrees', async () => {
    const plan = await planProject(await projectOf(file), { env });
    expect(plan.operations).toEqual([]);
    const agreeing = withKfp(file, 'b', { publishLogs: false }, 'agreeing.yaml');
    expect((await planProject(await projectOf(agreeing), { env })).operations).toEqual([]);
  }, 120_000);

  it('refuses a file whose publishLogs contradicts what KFP did at the location', async () => {
    const wrong = withKfp(file, 'b', { publishLogs: true }, 'wrong-logs.yaml');
    await expect(planProject(await projectOf(wrong), { env })).rejects.toThrow(
      /location b: kfp\.publishLogs is true, but execution \d+, which KFP ran there, published no logs .*set kfp\.publishLogs to false/,
    );
  }, 120_000);

  it('refuses kfp.namespace at a single-user location, with the advice to remove it', async () => {
    // Even the right namespace: KFP ignores it there, and the rows' namespace is learned from its pods.
    const named = withKfp(file, 'b', { namespace: 'ml-pods' }, 'namespaced.yaml');
    await expect(planProject(await projectOf(named), { env })).rejects.toThrow(
      /location b: kfp\.namespace is "ml-pods" but this KFP is single-user \(healthz multi_user false\).*Remove kfp\.namespace/,
    );
  }, 120_000);
});
