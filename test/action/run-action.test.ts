// Command dispatch with an injected core: what apply and reconcile ask of the core, what they
// report, and when the step fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClientFactory } from '../../action/src/octokit.js';
import { LockHeldError } from '../../src/apply/lock.js';
import { KfpError } from '../../src/location/kfp/errors.js';
import { runAction } from '../../action/src/run-action.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { fakeCore, planDocument, RecordingIO, runnerEnv, type FakeCore } from './support/fakes.js';
import { pullRequestEvent } from './support/run-bundle.js';

const noGitHub: GitHubClientFactory = () => {
  throw new Error('no GitHub call expected');
};

async function run(core: FakeCore, setup: Parameters<typeof runnerEnv>[0], github: GitHubClientFactory = noGitHub) {
  const io = new RecordingIO();
  const { cwd, env } = runnerEnv(setup);
  const result = await runAction({
    io,
    env,
    cwd,
    loadCore: async () => core,
    github,
    semanticDiff: async ({ config, baseSha, headSha }) => ({
      path: config,
      base: baseSha,
      head: headSha,
      status: 'unchanged',
      changes: [],
    }),
  });
  return { io, result };
}

describe('apply', () => {
  it('applies through the named stage with the lock timeout, and reports what was done', async () => {
    const core = fakeCore({
      apply: async () => ({
        plan: planDocument({ inSync: true, operations: [] }),
        applied: [{ id: 'run-stage:2', kind: 'run-stage', location: 'b', status: 'done', detail: 'run 7f3a' }],
        inSync: true,
        drift: [],
      }),
    });
    const { io, result } = await run(core, {
      inputs: { command: 'apply', 'through-stage': 'train', 'lock-timeout': '30s' },
    });
    expect(result.ok).toBe(true);
    expect(core.applyCalls).toHaveLength(1);
    expect(core.applyCalls[0]).toMatchObject({
      file: 'split-pipeline.yaml',
      options: { through: 'train', lockTimeoutMs: 30_000 },
    });
    expect(io.outputs).toMatchObject({ 'in-sync': 'true', changed: 'true', revision: '0123456789ab' });
    expect(io.summary).toContain('| `run-stage:2` | b | done | run 7f3a |');
    expect(io.failed).toBeUndefined();
  });

  it('checks the file offline before applying, and applies nothing when it is invalid', async () => {
    const core = fakeCore({
      plan: () => ({
        diagnostics: [
          {
            file: 'split-pipeline.yaml',
            line: 12,
            col: 9,
            severity: 'error',
            message: 'step "serve" is not a task of the pipeline',
          },
        ],
      }),
    });
    const { io, result } = await run(core, { inputs: { command: 'apply' } });
    expect(result.ok).toBe(false);
    expect(core.planCalls.map((c) => c.options.offline)).toEqual([true]);
    expect(core.applyCalls).toEqual([]);
    expect(io.errors[0]).toMatchObject({ at: { file: 'split-pipeline.yaml', startLine: 12, startColumn: 9 } });
    expect(io.failed).toMatch(/split-pipeline.yaml is invalid \(1 problem/);
  });

  it('fails the step when an operation fails, with the location and the detail', async () => {
    const core = fakeCore({
      apply: async () => ({
        plan: planDocument(),
        applied: [
          {
            id: 'handoff:2:a',
            kind: 'handoff',
            location: 'b',
            status: 'failed',
            detail: 'object store at b: AccessDenied',
          },
        ],
        inSync: false,
        drift: [],
      }),
    });
    const { io, result } = await run(core, { inputs: { command: 'apply' } });
    expect(result.ok).toBe(false);
    expect(io.failed).toContain('handoff:2:a failed at b: object store at b: AccessDenied');
    expect(io.outputs['in-sync']).toBe('false');
  });

  it('fails the step with the error when apply throws', async () => {
    const held = new LockHeldError('a', 'cron-7f', new Date('2026-01-02T03:04:05Z'));
    const core = fakeCore({ apply: async () => Promise.reject(held) });
    const { io, result } = await run(core, { inputs: { command: 'apply' } });
    expect(result.ok).toBe(false);
    expect(io.failed).toBe(
      'split-pipeline.yaml: apply failed: another reconciler (cron-7f) holds the lock at a until 2026-01-02T03:04:05.000Z. ' +
        'What to do: wait, or raise --lock-timeout.',
    );
    // The revision is known from the file even though nothing was applied; no plan is made up.
    expect([io.outputs['revision'], io.outputs['plan-json']]).toEqual(['0123456789ab', 'null']);
    expect(io.errors).toEqual([]);
  });

  it('fails with a clear message when this build of the core cannot apply', async () => {
    const { io, result } = await run(fakeCore({ apply: null }), { inputs: { command: 'apply' } });
    expect(result.ok).toBe(false);
    expect(io.failed).toMatch(/command "apply" needs split-pipelines' apply.*exports no applyFile/);
  });

  it('refuses offline: true, which only plan can honour', async () => {
    const { io } = await run(fakeCore({}), { inputs: { command: 'apply', offline: 'true' } });
    expect(io.failed).toMatch(/"offline" applies to plan only/);
  });
});

describe('reconcile', () => {
  it('applies nothing when every location is in sync', async () => {
    const core = fakeCore({
      plan: (o) => ({
        plan: planDocument({ offline: o.offline === true, inSync: !o.offline, operations: [] }),
        diagnostics: [],
      }),
    });
    const { io, result } = await run(core, { inputs: { command: 'reconcile' } });
    expect(result.ok).toBe(true);
    expect(core.applyCalls).toEqual([]);
    expect(io.outputs).toMatchObject({ 'in-sync': 'true', changed: 'false', drift: '[]' });
  });

  it('applies what drifted, reports the drift in the summary and the output, and succeeds', async () => {
    const drift = ['cache row of train-model at b is missing'];
    const core = fakeCore({
      plan: (o) => ({
        plan: planDocument({ offline: o.offline === true, drift: o.offline ? [] : drift }),
        diagnostics: [],
      }),
      apply: async () => ({
        plan: planDocument({ inSync: true, operations: [] }),
        applied: [{ id: 'handoff:2:a', kind: 'handoff', location: 'b', status: 'done' }],
        inSync: true,
        drift,
      }),
    });
    const { io, result } = await run(core, { inputs: { command: 'reconcile' } });
    expect(result.ok).toBe(true);
    expect(core.applyCalls).toHaveLength(1);
    expect(JSON.parse(io.outputs['drift']!)).toEqual(drift);
    expect(io.outputs['changed']).toBe('true');
    expect(io.summary).toContain('**Drift found**');
    expect(io.summary).toContain('cache row of train-model at b is missing');
    expect(io.failed).toBeUndefined();
  });

  it('fails only when something fails', async () => {
    const core = fakeCore({
      plan: (o) => ({ plan: planDocument({ offline: o.offline === true }), diagnostics: [] }),
      apply: async () =>
        Promise.reject(
          new KfpError({
            location: 'b',
            operation: 'getRun',
            kind: 'http',
            status: 503,
            detail: 'Service Unavailable',
            hint: 'retry later',
            attempts: 4,
          }),
        ),
    });
    const { io, result } = await run(core, { inputs: { command: 'reconcile' } });
    expect(result.ok).toBe(false);
    expect(io.failed).toContain(
      'reconcile failed: KFP at location "b": getRun failed (HTTP 503) after 4 attempts: Service Unavailable. What to do: retry later.',
    );
    expect(io.summary).toContain('**Error** (location `b`, `getRun`): reconcile failed: KFP at location');
  });

  it('reports an error no user could foresee as an internal error, without its stack', async () => {
    const core = fakeCore({
      plan: (o) => ({ plan: planDocument({ offline: o.offline === true }), diagnostics: [] }),
      apply: async () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'id')")),
    });
    const { io, result } = await run(core, { inputs: { command: 'reconcile' } });
    expect(result.ok).toBe(false);
    expect(io.failed).toBe(
      "split-pipeline.yaml: reconcile failed: internal error: Cannot read properties of undefined (reading 'id')",
    );
    expect(io.summary).toContain(
      "**Error:** reconcile failed: internal error: Cannot read properties of undefined (reading 'id')",
    );
  });
});

describe('plan', () => {
  it('masks the secrets the file names before the core is loaded', async () => {
    const order: string[] = [];
    const io = new RecordingIO();
    const { cwd, env } = runnerEnv({ inputs: { offline: 'true' }, extra: { KFP_A_TOKEN: 'kfp-token-value' } });
    const setSecret = io.setSecret.bind(io);
    io.setSecret = (v) => {
      order.push(`mask ${v}`);
      setSecret(v);
    };
    await runAction({ io, env, cwd, github: noGitHub, loadCore: async () => (order.push('core'), fakeCore({})) });
    expect(order).toEqual(['mask kfp-token-value', 'core']);
  });

  it('plans offline when asked, and posts no comment outside pull requests', async () => {
    const core = fakeCore({});
    const { result } = await run(core, { inputs: { offline: 'true' } });
    expect(result.ok).toBe(true);
    expect(core.planCalls.map((c) => c.options.offline)).toEqual([true]);
  });

  it('hands a fork plan an environment without the secrets the file names', async () => {
    const core = fakeCore({});
    await run(core, {
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 1, baseSha: 'b', headSha: 'h', fork: true }),
      inputs: { comment: 'false' },
      extra: { KFP_A_TOKEN: 'kfp-token-value', PATH: '/bin' },
    });
    expect(core.planCalls[0]!.options).toMatchObject({ offline: true });
    expect(core.planCalls[0]!.options.env?.['KFP_A_TOKEN']).toBeUndefined();
    expect(core.planCalls[0]!.options.env?.['PATH']).toBe('/bin');
  });

  describe('when the comment cannot be posted', () => {
    let gh: FakeGitHub;
    beforeAll(async () => {
      gh = await startFakeGitHub();
      gh.rejectWritesWith = 403;
    });
    afterAll(() => gh.close());
    const github: GitHubClientFactory = (t) => createGitHubClient(t, { baseUrl: gh.url, fetch: globalThis.fetch });

    it('fails a pull request from this repository, saying which permission is missing', async () => {
      const { io, result } = await run(
        fakeCore({}),
        {
          eventName: 'pull_request',
          event: pullRequestEvent({ number: 2, baseSha: 'b', headSha: 'h' }),
          inputs: { 'github-token': 'tkn' },
        },
        github,
      );
      expect(result.ok).toBe(false);
      expect(io.errors.map((e) => e.message).join('\n')).toMatch(/pull-requests: write/);
    });

    it('only warns for a pull request from a fork, whose token is read-only', async () => {
      const { io, result } = await run(
        fakeCore({}),
        {
          eventName: 'pull_request',
          event: pullRequestEvent({ number: 3, baseSha: 'b', headSha: 'h', fork: true }),
          inputs: { 'github-token': 'tkn' },
        },
        github,
      );
      expect(result.ok).toBe(true);
      expect(io.warnings.map((w) => w.message).join('\n')).toMatch(/read-only token/);
    });
  });
});
