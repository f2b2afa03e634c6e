// The bundled action, run as a process with a runner's environment, against a local fake GitHub API:
// the sticky comment, the job summary, the outputs, long plans, forks, and secrets.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { pullRequestEvent, runBundle, type BundleRun } from './support/run-bundle.js';
import {
  edit,
  gitRepo,
  thesisFiles,
  thesisSpecText,
  tempDir,
  widePipeline,
  wideSpec,
  withTokenEnv,
  writeFiles,
} from './support/workspace.js';
import { planJson } from '../support/json-output.js';
import { anyString } from '../support/matchers.js';

const MARKER = '<!-- split-pipelines:plan:split-pipeline.yaml -->';
const TOKEN = 'ghs_fakeinstallationtoken0123456789';

let gh: FakeGitHub;
let repo: { dir: string; shas: string[] };

beforeAll(async () => {
  gh = await startFakeGitHub();
  // base: the thesis example; head: learning_rate changed.
  repo = await gitRepo([
    thesisFiles(),
    { 'split-pipeline.yaml': edit(thesisSpecText, 'learning_rate: 0.01', 'learning_rate: 0.02') },
  ]);
});

afterAll(async () => {
  await gh.close();
});

function plan(
  number: number,
  extra: {
    inputs?: Record<string, string>;
    env?: Record<string, string>;
    fork?: boolean;
    cwd?: string;
    shas?: string[];
  } = {},
): Promise<BundleRun> {
  const [baseSha, headSha] = extra.shas ?? repo.shas;
  return runBundle({
    cwd: extra.cwd ?? repo.dir,
    eventName: 'pull_request',
    event: pullRequestEvent({ number, baseSha: baseSha!, headSha: headSha!, fork: extra.fork ?? false }),
    apiUrl: gh.url,
    inputs: {
      command: 'plan',
      config: 'split-pipeline.yaml',
      comment: 'true',
      'github-token': TOKEN,
      offline: 'true',
      'lock-timeout': '10m',
      'working-directory': '.',
      ...extra.inputs,
    },
    env: extra.env ?? {},
  });
}

function ours(issue: number) {
  return gh.commentsOn(issue).filter((c) => c.body.startsWith(MARKER));
}

describe('the bundled action on a pull request', () => {
  it('creates one comment with the plan and what the pull request changes on the first plan', async () => {
    const run = await plan(1);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const mine = ours(1);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('Split pipeline `thesis`');
    expect(mine[0]!.body).toContain('parameter learning\\_rate 0.01 → 0.02');
    expect(gh.requests.some((r) => r.method === 'POST' && r.path === '/repos/o/r/issues/1/comments')).toBe(true);
  });

  it('updates the same comment in place on the second plan', async () => {
    await plan(2);
    const first = ours(2);
    const before = gh.requests.length;
    const run = await plan(2);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(ours(2)).toEqual([{ ...first[0]!, body: anyString() }]);
    const writes = gh.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /repos/o/r/issues/comments/${first[0]!.id}`]);
  });

  it('finds its comment behind more than 100 other comments and updates it instead of adding one', async () => {
    gh.seedComments(3, 130);
    await plan(3);
    expect(ours(3)).toHaveLength(1);
    const before = gh.requests.length;
    await plan(3);
    const after = gh.requests.slice(before);
    expect(ours(3)).toHaveLength(1);
    expect(after.filter((r) => r.method === 'POST')).toEqual([]);
    expect(after.some((r) => r.method === 'PATCH')).toBe(true);
    // The comment is on the second page of 100.
    expect(after.filter((r) => r.method === 'GET').map((r) => r.query['page'] ?? '1')).toEqual(['1', '2']);
  });

  it('writes the plan to the job summary and the outputs', async () => {
    const run = await plan(4);
    expect(run.summary).toContain('## split-pipelines plan');
    expect(run.summary).toContain('`run-stage` c');
    const doc = JSON.parse(run.outputs['plan-json']!) as {
      name: string;
      revision: string;
      offline: boolean;
      operations: unknown[];
    };
    expect(doc.name).toBe('thesis');
    expect(doc.offline).toBe(true);
    expect(run.outputs['revision']).toBe(doc.revision);
    expect(run.outputs['in-sync']).toBe('false');
    expect(run.outputs['changed']).toBe(String(doc.operations.length > 0));
    expect(JSON.parse(run.outputs['drift']!)).toEqual([]);
  });

  it('summarises a plan too long for a comment, under the limit, and keeps the full plan in the job summary', async () => {
    const { text, steps } = widePipeline(700);
    const dir = tempDir('wide');
    writeFiles(dir, { 'split-pipeline.yaml': wideSpec(steps), 'pipelines/wide.yaml': text });
    const run = await plan(5, { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [comment] = ours(5);
    expect(comment!.body.length).toBeLessThanOrEqual(65_536);
    expect(comment!.body).toContain('this is a summary');
    expect(comment!.body).toContain('https://github.example/o/r/actions/runs/4242');
    // The job summary has every step; the comment could not.
    expect(run.summary.length).toBeGreaterThan(65_536);
    for (const s of [steps[0]!, steps[steps.length - 1]!]) expect(run.summary).toContain(s);
  });

  it('plans a pull request from a fork offline, even when asked to plan online, and says so in the comment', async () => {
    const run = await plan(6, { fork: true, inputs: { offline: 'false' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(planJson(run.outputs['plan-json']!).offline).toBe(true);
    expect(ours(6)[0]!.body).toContain('this pull request comes from a fork');
  });

  it('refuses to apply a pull request from a fork', async () => {
    const run = await plan(7, { fork: true, inputs: { command: 'apply' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::refusing to apply a pull request from a fork/);
    expect(gh.commentsOn(7)).toEqual([]);
  });

  it('never shows a secret named by tokenEnv in stdout, stderr, the summary, the outputs or the comment', async () => {
    const secret = `s3cr3t-${randomUUID()}`;
    // The head commit uses the secret's value where a reviewer would see it (a parameter shown in
    // the semantic diff), so only redaction keeps it out of the comment and the summary.
    const head = withTokenEnv(
      edit(
        thesisSpecText,
        'source_url: https://example.com/data/churn.csv',
        `source_url: https://example.com/data/${secret}.csv`,
      ),
      'KFP_A_TOKEN',
    );
    const leaky = await gitRepo([thesisFiles(), { 'split-pipeline.yaml': head }]);
    const run = await plan(8, { cwd: leaky.dir, shas: leaky.shas, env: { KFP_A_TOKEN: secret } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The one place it may appear is the runner's mask command, which the runner consumes.
    const lines = run.stdout.split('\n').filter((l) => l.includes(secret));
    expect(lines).toEqual([`::add-mask::${secret}`]);
    expect(run.stderr).not.toContain(secret);
    expect(run.summary).not.toContain(secret);
    expect(run.summary).toContain('https://example.com/data/***.csv');
    expect(run.outputFile).not.toContain(secret);
    for (const c of gh.commentsOn(8)) expect(c.body).not.toContain(secret);
    for (const r of gh.requests) expect(JSON.stringify(r)).not.toContain(secret);
    expect(ours(8)).toHaveLength(1);
  });
});
