// Done-when of issue 12 (the Action's side of enforcement): the bundled action, run as a process
// against a lab and a fake GitHub API, applies on a push that merged a pull request. A soft failure
// blocks the apply; an approval by a non-owner does not override it; an owner's approval (here a
// member of the owning team, checked through the team-membership API) does, and who and why are in
// the apply output and in the stage run's record at the location; a hard failure is never overridden.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { exampleOnLabs } from '../support/lab-project.js';
import { runBundle, type BundleRun } from './support/run-bundle.js';
import { startReviewsGitHub, type ReviewsGitHub } from './policy-fake-github.js';

const TOKEN = 'ghs_fakeinstallationtoken0123456789';
const MERGE = 'a1'.repeat(20);
const HEAD = 'b2'.repeat(20);
const BASE = 'd4'.repeat(20);

let lab: Lab;
let gh: ReviewsGitHub;
let dir: string;
let env: Record<string, string>;

const policy = (enforcement: 'soft' | 'hard') => `  policies:
  - name: serving-approval
    description: Serving at c needs an approval of the release owners.
    enforcement: ${enforcement}
    owners: [alice, ml-platform/release-owners]
    scope: stage
    match: "stage.location.name == 'c'"
    validations:
    - expression: "false"
      message: a stage at c serves users and needs an owner's approval
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-action-policy-'));
  lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
  const file = exampleOnLabs([lab], dir);
  const text = readFileSync(file, 'utf8');
  writeFileSync(join(dir, 'soft.yaml'), `${text.trimEnd()}\n${policy('soft')}`);
  writeFileSync(join(dir, 'hard.yaml'), `${text.trimEnd()}\n${policy('hard')}`);
  gh = await startReviewsGitHub();
  // Owners are read from the pull request's base commit: there the files are as here.
  gh.merged.set(MERGE, { number: 7, headSha: HEAD, baseSha: BASE });
  for (const name of ['soft.yaml', 'hard.yaml']) gh.files.set(`${BASE}:${name}`, readFileSync(join(dir, name), 'utf8'));
  gh.teams.set('ml-platform/release-owners', ['carol']);
  const creds = lab.locations['a']!.credentials;
  env = { LAB_S3_ACCESS_KEY_ID: creds.accessKeyId, LAB_S3_SECRET_ACCESS_KEY: creds.secretAccessKey, GITHUB_SHA: MERGE };
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await lab?.close();
});

function apply(config: string): Promise<BundleRun> {
  return runBundle({
    cwd: dir,
    eventName: 'push',
    event: { ref: 'refs/heads/main', after: MERGE, repository: { full_name: 'o/r' } },
    apiUrl: gh.url,
    inputs: {
      command: 'apply',
      config,
      comment: 'true',
      'github-token': TOKEN,
      offline: 'false',
      'lock-timeout': '1m',
      'working-directory': '.',
    },
    env,
  });
}

async function runsAt(location: string) {
  return (await new KfpClient({ location, endpoint: lab.locations[location]!.kfp }).listRuns({ pageSize: 100 })).items;
}

async function runCount(): Promise<number> {
  return (await runsAt('a')).length + (await runsAt('b')).length + (await runsAt('c')).length;
}

const approve = (user: string, body: string, commitId = HEAD) => ({ user, state: 'APPROVED' as const, body, commitId });

describe('the bundled action enforces policies with owners’ approvals', () => {
  it('never overrides a hard failure, even with an owner’s approval', async () => {
    gh.reviews.set(7, [approve('alice', 'ship it')]);
    const run = await apply('hard.yaml');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const out = run.stdout + run.stderr;
    expect(out).toContain('apply refused before its first operation');
    expect(out).toContain('serving-approval on stage 3 (c) (hard: never overridden)');
    expect(await runCount()).toBe(0);
  }, 120_000);

  it('blocks the apply on a soft failure without approvals, before any operation', async () => {
    gh.reviews.set(7, []);
    const run = await apply('soft.yaml');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toMatch(
      /serving-approval on stage 3 \(c\) \(soft: an owner may override \(alice, ml-platform\/release-owners\)\)/,
    );
    expect(await runCount()).toBe(0);
  }, 120_000);

  it('does not count the approval of a non-owner, nor an owner’s approval of an older commit', async () => {
    gh.reviews.set(7, [approve('bob', 'lgtm'), approve('alice', 'ok then', 'c3'.repeat(20))]);
    const run = await apply('soft.yaml');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('approval by bob does not override serving-approval: not one of its owners');
    expect(run.stdout).toMatch(/approval by alice is for c3c3c3c, not the head b2b2b2b: not counted/);
    expect(gh.requests).toContain('GET /orgs/ml-platform/teams/release-owners/memberships/bob');
    expect(await runCount()).toBe(0);
  }, 120_000);

  it('applies when a member of the owning team approved, recording who and why', async () => {
    gh.reviews.set(7, [
      approve('bob', 'lgtm'),
      { user: 'carol', state: 'COMMENTED', body: 'looking', commitId: HEAD },
      approve('carol', 'Release 2.3 is signed off by the release board'),
    ]);
    const run = await apply('soft.yaml');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['in-sync']).toBe('true');
    expect(run.stdout).toContain('approval by carol overrides serving-approval (member of ml-platform/release-owners)');
    const plan = JSON.parse(run.outputs['plan-json']!) as {
      policies: { results: { policy: string; override?: { actor: string; reason: string } }[] };
    };
    const result = plan.policies.results.find((r) => r.policy === 'serving-approval')!;
    expect(result.override?.actor).toMatch(/^carol \(member of ml-platform\/release-owners, approving review of #7\)$/);
    expect(result.override?.reason).toBe('Release 2.3 is signed off by the release board');
    expect(run.summary).toContain('overridden by carol');
    const stageRun = (await runsAt('c')).find((r) => /stage 3 of thesis/.test(r.description ?? ''));
    expect(stageRun?.description).toContain(
      'Policy overrides: serving-approval on stage 3 (c) overridden by carol ' +
        '(member of ml-platform/release-owners, approving review of #7): Release 2.3 is signed off by the release board.',
    );
  }, 180_000);
});
