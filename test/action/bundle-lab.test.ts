// The bundled action against a lab, as a runner would run it: an online plan on a pull request,
// apply on a push (converges), and a scheduled reconcile that repairs drift and reports it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { exampleOnLabs } from '../support/lab-project.js';
import { runBundle, type BundleRun } from './support/run-bundle.js';
import { planJson, stringsJson } from '../support/json-output.js';

const TOKEN = 'ghs_fakeinstallationtoken0123456789';
const S3_SECRET = 'S3RVER'; // the lab's key: recognisable enough to look for below

let lab: Lab;
let gh: FakeGitHub;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-action-lab-'));
  lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
  exampleOnLabs([lab], dir);
  gh = await startFakeGitHub();
  const creds = lab.locations['a']!.credentials;
  env = { LAB_S3_ACCESS_KEY_ID: creds.accessKeyId, LAB_S3_SECRET_ACCESS_KEY: creds.secretAccessKey };
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await lab?.close();
});

function action(command: string, eventName: string, event: object): Promise<BundleRun> {
  return runBundle({
    cwd: dir,
    eventName,
    event,
    apiUrl: gh.url,
    inputs: {
      command,
      config: 'split-pipeline.yaml',
      comment: 'true',
      'github-token': TOKEN,
      offline: 'false',
      'lock-timeout': '1m',
      'working-directory': '.',
    },
    env,
  });
}

const push = { ref: 'refs/heads/main', after: 'abc', repository: { full_name: 'o/r' } };

function noSecrets(run: BundleRun): void {
  const secret = env['LAB_S3_SECRET_ACCESS_KEY']!;
  expect(secret).toBe(S3_SECRET);
  const printed = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  for (const text of [printed, run.stderr, run.summary, run.outputFile]) expect(text).not.toContain(secret);
}

describe('the bundled action against a lab', () => {
  it('applies on a push and converges the lab', async () => {
    const run = await action('apply', 'push', push);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['in-sync']).toBe('true');
    const plan = planJson(run.outputs['plan-json']!);
    expect(plan.stages[2]).toMatchObject({
      state: 'done',
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    expect(run.summary).toContain('thesis');
    noSecrets(run);
  }, 180_000);

  it('reconciles on a schedule: repairs a handoff whose cache rows were removed, and reports the drift', async () => {
    const kfp = new KfpClient({ location: 'c', endpoint: lab.locations['c']!.kfp });
    const marker = (await kfp.listRuns({ pageSize: 100 })).items.find((r) =>
      r.display_name?.includes('-handoff-3-from-'),
    )!;
    await kfp.deleteRun(marker.run_id);
    const run = await action('reconcile', 'schedule', { schedule: '0 3 * * *', repository: { full_name: 'o/r' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['in-sync']).toBe('true');
    const drift = stringsJson(run.outputs['drift']!);
    expect(drift.length).toBeGreaterThan(0);
    expect(drift.join('\n')).toMatch(/handed off to c but is no longer available there/);
    expect(run.summary).toMatch(/handed off to c but is no longer available there/);
    noSecrets(run);
  }, 180_000);

  it('plans online on a pull request: in sync, in one sticky comment', async () => {
    const event = {
      action: 'synchronize',
      number: 5,
      pull_request: {
        number: 5,
        base: { sha: 'x', ref: 'main', repo: { full_name: 'o/r' } },
        head: { sha: 'y', ref: 'f', repo: { full_name: 'o/r' } },
      },
      repository: { full_name: 'o/r' },
    };
    const run = await action('plan', 'pull_request', event);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['in-sync']).toBe('true');
    const comments = gh.commentsOn(5);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/in sync/i);
    noSecrets(run);
    expect(readFileSync(join(dir, 'split-pipeline.yaml'), 'utf8')).not.toContain(S3_SECRET);
  }, 120_000);
});
