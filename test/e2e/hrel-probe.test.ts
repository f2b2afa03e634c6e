// TEMPORARY probe by H-REL (deleted before the report): dumps what the flaky test's final observation sees.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { MlmdClient } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const labs: Lab[] = [];
afterAll(async () => {
  for (const lab of labs) await lab.close();
});
const out = process.env['HREL_OUT'] ?? '/tmp/hrel/probe.log';
const log = (s: string) => appendFileSync(out, s + '\n');

async function dump(l: Lab, loc: string) {
  const kfp = new KfpClient({ location: loc, endpoint: l.locations[loc]!.kfp });
  const mlmd = new MlmdClient({ location: loc, address: l.locations[loc]!.mlmd });
  const runs = (await kfp.listRuns({ pageSize: 100, sortBy: 'created_at desc' })).items;
  for (const r of runs) {
    log(`${loc} run ${r.display_name} ${r.run_id} created ${r.created_at} ${r.state}`);
    const ctx = await mlmd.getContextByTypeAndName('system.PipelineRun', r.run_id);
    if (!ctx?.id) continue;
    const ex = (await mlmd.getExecutionsByContext(ctx.id, { maxResultSize: 100 })).items;
    for (const e of ex) log(`   exec ${e.id} ${e.type} ${e.customProperties?.['task_name']?.stringValue} ${e.lastKnownState} fp=${e.customProperties?.['cache_fingerprint']?.stringValue?.slice(0, 8)} cached=${e.customProperties?.['cached_execution_id']?.stringValue}`);
  }
  const tasks = (await kfp.listTasks({ pageSize: 200, sortBy: 'created_at desc' })).items;
  for (const t of tasks) log(`   row ${t.fingerprint?.slice(0, 8)} exec ${t.mlmdExecutionID} run ${t.runId} created ${t.created_at} ns=${t.namespace}`);
  mlmd.close();
}

it('probe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-lost-'));
  const d = Number(process.env['HREL_DELAY'] ?? '0');
  const f = d > 0 ? { kfp: { delayMs: d }, mlmd: { delayMs: Math.round(d / 5) } } : {};
  const l = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral', faults: { a: f, b: f, c: f } });
  labs.push(l);
  const project = await projectOf(exampleOnLabs([l], dir));
  const env = labEnv([l]);
  log(`==== ${new Date().toISOString()} ${dir}`);
  const first = await applyProject(project, { env, pollMs: 100, through: '2' });
  log(`first: ${JSON.stringify(first.applied.map((a) => [a.id, a.detail]))}`);
  for (const name of ['a', 'b']) {
    const loc = l.locations[name]!;
    const store = new ObjectStore({ location: name, endpoint: loc.objectStore, pipelineRoot: loc.pipelineRoot, credentials: loc.credentials, region: loc.region });
    for await (const o of store.list(loc.bucket, '')) if (o.key.includes('/split-data/')) await store.delete({ bucket: loc.bucket, key: o.key });
    store.close();
  }
  const plan = await planProject(project, { env });
  log(`plan: ${plan.operations.map((o) => `${o.id}${o.refresh ? `[${o.refresh}]` : ''}`).join(', ')}`);
  let result;
  try {
    result = await applyProject(project, { env, pollMs: 100 });
  } catch (e) {
    log(`APPLY FAILED ${(e as Error).message}`);
  }
  if (result) {
    log(`second: ${JSON.stringify(result.applied.map((a) => [a.id, a.detail]))}`);
    log(`stages: ${JSON.stringify(result.plan.stages.map((s) => [s.runId, s.executed, s.cached]))}`);
  }
  for (const loc of ['a', 'b']) await dump(l, loc);
  const ok = result && JSON.stringify(result.plan.stages[0]!.executed) === '["split-data"]';
  log(ok ? 'PROBE OK' : 'PROBE FAILED');
  expect(ok).toBe(true);
}, 240_000);
