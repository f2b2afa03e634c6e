/**
 * An importer's consumer handed off across backends. KFP's importer at the target makes its artifact from the
 * spec and reuses an equal one (the next KFP: same type, URI, name, empty description and metadata,
 * `next:backend/src/apiserver/storage/artifact_store.go:254-304`; 2.17: FindMatchedArtifact), and the consumer's
 * key holds that artifact's id: the handoff must leave exactly the artifact the target's importer reuses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { applyProject } from '../../src/apply/apply.js';
import { NativeClient } from '../../src/location/native/client.js';
import { importerPipeline, importerSplitFile } from '../support/importer-pipeline.js';
import { labEnv, labStore, projectOf } from '../support/lab-project.js';

let lab: Lab | undefined;
let dir: string | undefined;
afterEach(async () => {
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  lab = undefined;
});

async function importerChain(kfpVersion: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'sp-native-importer-'));
  lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b'], kfpVersion, ports: 'ephemeral' });
  const a = lab.locations['a']!;
  const uri = `minio://${a.bucket}/datasets/survey.csv`;
  const store = labStore(lab, 'a');
  await store.put({ bucket: a.bucket, key: 'datasets/survey.csv' }, 'id,answer\n1,yes\n');
  store.close();
  writeFileSync(join(dir, 'pipeline.yaml'), importerPipeline(uri));
  const locations = (parse(lab.locationsYaml()) as { locations: unknown[] }).locations;
  const file = importerSplitFile(dir, locations);
  const project = await projectOf(file);
  const env = labEnv([lab]);
  const result = await applyProject(project, { env, pollMs: 100 });
  return { result, uri, project, env };
}

describe('an importer’s consumer handed off to the next KFP', () => {
  it('leaves the artifact b’s importer reuses, so train is a cache hit there', async () => {
    const { result, uri, project, env } = await importerChain({ a: '2.17.0', b: 'next' });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[1], JSON.stringify(result.plan.stages[1])).toMatchObject({
      state: 'done',
      cached: ['importer', 'train'],
      executed: ['serve'],
    });
    // b's own records: one artifact for the URI, the importer's (empty description), reused by the run's importer.
    const native = new NativeClient({ location: 'b', endpoint: lab!.locations['b']!.kfp });
    const forUri = (await native.listArtifacts('')).filter((x) => x.uri === uri);
    expect(forUri).toHaveLength(1);
    expect(forUri[0]).toMatchObject({ name: 'survey.csv', type: 'Dataset', metadata: { source: 'survey', rows: 100 } });
    expect(forUri[0]!.description ?? '').toBe('');
    const tasks = await native.listTasks(result.plan.stages[1]!.runId!);
    const byName = Object.fromEntries(
      tasks.filter((t) => t.type !== 'ROOT').map((t): [string, string] => [t.name ?? '', t.state ?? '']),
    );
    expect(byName).toEqual({ importer: 'SUCCEEDED', train: 'CACHED', serve: 'SUCCEEDED' });
    const again = await applyProject(project, { env, pollMs: 100 });
    expect(again.applied).toEqual([]);
  }, 120_000);
});

describe('an importer’s consumer handed off from the next KFP to ML Metadata', () => {
  it('leaves the artifact b’s importer reuses (FindMatchedArtifact), so train is a cache hit there', async () => {
    const { result, project, env } = await importerChain({ a: 'next', b: '2.17.0' });
    expect(result.inSync).toBe(true);
    expect(result.plan.stages[1], JSON.stringify(result.plan.stages[1])).toMatchObject({
      state: 'done',
      cached: ['importer', 'train'],
      executed: ['serve'],
    });
    const again = await applyProject(project, { env, pollMs: 100 });
    expect(again.applied).toEqual([]);
  }, 120_000);
});
