// Issue 12: who may override a soft policy is read from the pull request's BASE commit (through the
// contents API at the base sha), never from the file being applied, so a pull request cannot add its
// author to a policy's owners and approve its own override. The Action's dispatch runs with a core
// that reports the HEAD file's owners, against a local fake GitHub API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClientFactory } from '../../action/src/octokit.js';
import {
  gitHubContentSource,
  ownersAtBase,
  withBaseOwners,
  type ContentSource,
} from '../../action/src/policy-base-owners.js';
import { runAction } from '../../action/src/run-action.js';
import { secretEnvNames } from '../../action/src/secrets.js';
import { fakeCore, planDocument, RecordingIO, runnerEnv } from './support/fakes.js';
import { startReviewsGitHub, type ReviewsGitHub } from './policy-fake-github.js';

const TOKEN = 'ghs_fakeinstallationtoken0123456789';
const MERGE = 'a1'.repeat(20);
const HEAD = 'b2'.repeat(20);
const BASE = 'd4'.repeat(20);

const baseFile = `spec:
  policyFiles: [policies/prod.yaml]
  defaultPolicies:
    secret-parameters: {enforcement: soft, owners: [lab-admins/minio]}
  policies:
  - name: serving-approval
    enforcement: soft
    owners: [alice]
    scope: stage
    validations: [{expression: "false", message: m}]
`;
const basePolicyFile = `policies:
- name: prod-window
  enforcement: soft
  owners: [ml/release]
  scope: plan
  validations: [{expression: "true", message: m}]
`;

function memory(files: Record<string, string>): ContentSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fileAt: (path, ref) => {
      asked.push(`${ref}:${path}`);
      return Promise.resolve(files[`${ref}:${path}`]);
    },
  };
}

describe('ownersAtBase', () => {
  it('reads the owners of inline policies, relaxed built-ins and policy files at the base commit', async () => {
    const source = memory({ [`${BASE}:ops/split.yaml`]: baseFile, [`${BASE}:ops/policies/prod.yaml`]: basePolicyFile });
    const owners = await ownersAtBase(source, 'ops/split.yaml', BASE);
    expect(Object.fromEntries(owners)).toEqual({
      'serving-approval': ['alice'],
      'secret-parameters': ['lab-admins/minio'],
      'prod-window': ['ml/release'],
    });
    expect(source.asked).toEqual([`${BASE}:ops/split.yaml`, `${BASE}:ops/policies/prod.yaml`]);
  });

  it('gives no owners for a file the base does not have, and skips policy files outside the repository', async () => {
    expect((await ownersAtBase(memory({}), 'split.yaml', BASE)).size).toBe(0);
    const source = memory({ [`${BASE}:split.yaml`]: 'spec:\n  policyFiles: [../../etc/p.yaml]\n' });
    expect((await ownersAtBase(source, 'split.yaml', BASE)).size).toBe(0);
    expect(source.asked).toEqual([`${BASE}:split.yaml`]);
  });

  it('replaces the pull request’s owners by the base’s, saying so', () => {
    const base = new Map([['serving-approval', ['alice']]]);
    const { policies, notes } = withBaseOwners(
      [
        { name: 'serving-approval', enforcement: 'soft', owners: ['alice', 'mallory'] },
        { name: 'new-policy', enforcement: 'soft', owners: ['mallory'] },
      ],
      base,
      BASE,
    );
    expect(policies.map((p) => p.owners)).toEqual([['alice'], []]);
    expect(notes).toEqual([
      'owners of serving-approval are read from the base commit d4d4d4d (alice), not from this pull request (alice, mallory)',
      'new-policy is not in the base commit d4d4d4d: it has no owners until it is merged, so no approval overrides it (this pull request names mallory)',
    ]);
  });
});

describe('the Action counts only approvals of owners named at the base commit', () => {
  let gh: ReviewsGitHub;
  beforeAll(async () => {
    gh = await startReviewsGitHub();
    gh.merged.set(MERGE, { number: 9, headSha: HEAD, baseSha: BASE });
    gh.files.set(`${BASE}:split-pipeline.yaml`, baseFile);
    gh.files.set(`${BASE}:policies/prod.yaml`, basePolicyFile);
  });
  afterAll(async () => {
    await gh?.close();
  });

  const github: GitHubClientFactory = (t) => createGitHubClient(t, { baseUrl: gh.url, fetch: globalThis.fetch });

  /** apply on the push that merged #9; the core reports the HEAD file's owners (which the pull request edited). */
  async function applyMerged(headOwners: Record<string, string[]>) {
    const core = fakeCore({
      plan: () => ({
        plan: planDocument({ offline: true }),
        diagnostics: [],
        policies: Object.entries(headOwners).map(([name, owners]) => ({ name, enforcement: 'soft' as const, owners })),
      }),
    });
    const io = new RecordingIO();
    const { cwd, env } = runnerEnv({
      inputs: { command: 'apply', config: 'split-pipeline.yaml', 'github-token': TOKEN, comment: 'false' },
      extra: { GITHUB_SHA: MERGE },
    });
    const result = await runAction({ io, env, cwd, github, loadCore: async () => core });
    return { io, core, result };
  }

  it('does not count the approval of an owner the pull request added', async () => {
    gh.reviews.set(9, [{ user: 'mallory', state: 'APPROVED', body: 'I own this now', commitId: HEAD }]);
    const { io, core } = await applyMerged({ 'serving-approval': ['alice', 'mallory'] });
    expect(core.applyCalls).toHaveLength(1);
    expect(core.applyCalls[0]!.options.overrides).toBeUndefined();
    const log = io.infos.join('\n');
    expect(log).toContain('owners of serving-approval are read from the base commit d4d4d4d (alice)');
    expect(log).toContain('approval by mallory does not override serving-approval: not one of its owners (alice)');
    expect(gh.requests).toContain(`GET /repos/o/r/contents/split-pipeline.yaml?ref=${BASE}`);
  });

  it('counts the approval of an owner named at the base', async () => {
    gh.reviews.set(9, [{ user: 'alice', state: 'APPROVED', body: 'signed off', commitId: HEAD }]);
    const { core } = await applyMerged({ 'serving-approval': ['alice', 'mallory'] });
    expect(core.applyCalls[0]!.options.overrides).toEqual([
      { policy: 'serving-approval', actor: 'alice (owner, approving review of #9)', reason: 'signed off' },
    ]);
  });

  it('reads the base commit through the contents API', async () => {
    const source = gitHubContentSource(createGitHubClient(TOKEN, { baseUrl: gh.url, fetch: globalThis.fetch }), {
      owner: 'o',
      repo: 'r',
    });
    expect(await source.fileAt('policies/prod.yaml', BASE)).toBe(basePolicyFile);
    expect(await source.fileAt('policies/prod.yaml', HEAD)).toBeUndefined();
  });
});

describe('a parameter given from the environment is a secret to the Action', () => {
  it('masks the variables named under spec.pipeline.parametersFromEnv', () => {
    const text = 'spec:\n  pipeline:\n    parametersFromEnv:\n      mlpipeline_minio_artifact_secret: MINIO_SECRET\n';
    expect(secretEnvNames(text)).toEqual(['MINIO_SECRET']);
  });
});
