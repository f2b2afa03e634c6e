// Who may override a soft policy failure by approving the pull request, and the comment's short
// policy section, without a server.
import { describe, expect, it } from 'vitest';
import {
  approvalOverrides,
  latestDecisions,
  type Review,
  type ReviewSource,
} from '../../action/src/policy-approvals.js';
import type { SplitCore } from '../../action/src/core-api.js';
import { policySection } from '../../action/src/policy-section.js';
import type { PlanPolicyResult } from '../../src/plan/types.js';

const HEAD = 'h'.repeat(40);
const soft = { name: 'prod', enforcement: 'soft' as const, owners: ['alice', 'org/release'] };

function source(reviews: Review[], members: Record<string, string[]> = {}): ReviewSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    reviews: () => Promise.resolve(reviews),
    isTeamMember: (org, team, user) => {
      asked.push(`${org}/${team}:${user}`);
      return Promise.resolve((members[`${org}/${team}`] ?? []).includes(user));
    },
  };
}

const review = (user: string, state: string, body = '', commitId = HEAD): Review => ({ user, state, body, commitId });

describe('approvalOverrides', () => {
  it('counts an owner named directly, with the review body as the reason', async () => {
    const d = await approvalOverrides([soft], source([review('Alice', 'APPROVED', 'signed off')]), {
      number: 3,
      headSha: HEAD,
    });
    expect(d.overrides).toEqual([
      { policy: 'prod', actor: 'Alice (owner, approving review of #3)', reason: 'signed off' },
    ]);
  });

  it('counts a member of an owning team, checked through the membership API', async () => {
    const s = source([review('carol', 'APPROVED')], { 'org/release': ['carol'] });
    const d = await approvalOverrides([soft], s, { number: 3, headSha: HEAD });
    expect(s.asked).toEqual(['org/release:carol']);
    expect(d.overrides[0]!.actor).toBe('carol (member of org/release, approving review of #3)');
    expect(d.overrides[0]!.reason).toMatch(/approved pull request #3 without a comment/);
  });

  it('does not count a non-owner, an approval of an older commit, or an approval later withdrawn', async () => {
    const d = await approvalOverrides(
      [soft],
      source(
        [
          review('bob', 'APPROVED'),
          review('alice', 'APPROVED', '', 'old'.padEnd(40, '0')),
          review('dave', 'APPROVED'),
          review('dave', 'CHANGES_REQUESTED'),
        ],
        { 'org/release': ['dave'] },
      ),
      { number: 3, headSha: HEAD },
    );
    expect(d.overrides).toEqual([]);
    expect(d.notes).toContain('approval by bob does not override prod: not one of its owners (alice, org/release)');
    expect(d.notes.join('\n')).toMatch(/approval by alice is for old0000, not the head hhhhhhh: not counted/);
  });

  it('keeps an approval when the reviewer only commented afterwards', () => {
    expect(latestDecisions([review('a', 'APPROVED'), review('a', 'COMMENTED')]).map((r) => r.state)).toEqual([
      'APPROVED',
    ]);
    expect(latestDecisions([review('a', 'APPROVED'), review('a', 'DISMISSED')]).map((r) => r.state)).toEqual([
      'DISMISSED',
    ]);
  });

  it('never asks for hard or advisory policies, nor for a soft one without owners', async () => {
    const s = source([review('alice', 'APPROVED')]);
    const d = await approvalOverrides(
      [
        { name: 'h', enforcement: 'hard', owners: ['alice'] },
        { name: 'a', enforcement: 'advisory', owners: ['alice'] },
        { name: 's', enforcement: 'soft', owners: [] },
      ],
      s,
      { number: 3 },
    );
    expect(d.overrides).toEqual([]);
  });
});

const result = (o: Partial<PlanPolicyResult>): PlanPolicyResult => ({
  policy: 'p',
  enforcement: 'soft',
  scope: 'stage',
  item: 'stage 1 (a)',
  passed: false,
  messages: ['needs approval'],
  overridable: true,
  owners: ['alice', 'org/release'],
  blocking: true,
  ...o,
});

describe('policySection (the sticky comment)', () => {
  it('counts the results and says what blocks and who may override it, pointing at the job summary', () => {
    const text = policySection(
      {
        results: [
          result({
            policy: 'residency',
            enforcement: 'hard',
            overridable: false,
            owners: [],
            messages: ['raw data leaves a'],
          }),
          result({ policy: 'prod' }),
          result({
            policy: 'size',
            blocking: false,
            override: { policy: 'size', actor: 'carol', reason: 'one-off backfill' },
          }),
          result({ policy: 'registry', enforcement: 'advisory', blocking: false, overridable: false }),
          result({ policy: 'window', passed: true, messages: [], blocking: false }),
        ],
        exceptionsUsed: 0,
        expiredExceptions: [],
        blocking: [],
      },
      true,
    );
    expect(text).toContain(
      '**Policies** (5 results): 2 blocking, 1 overridden, 0 excepted, 1 advisory failure(s), 1 passed.',
    );
    expect(text).toContain('Every result and message is in the job summary.');
    expect(text).toContain('- ⛔ `residency` (hard) on stage 1 (a): **blocks**, never overridden: raw data leaves a');
    expect(text).toContain(
      '- 🛑 `prod` (soft) on stage 1 (a): **blocks**; an approving review by @alice or a member of @org/release overrides it',
    );
    expect(text).toContain('- ✅ `size` (soft) on stage 1 (a): overridden by carol: “one-off backfill”');
    expect(text).toContain('- ⚠️ `registry` (advisory) on stage 1 (a): advisory failure: needs approval');
    expect(text).not.toContain('window');
  });
});

describe('the comment and the job summary', () => {
  it('keeps the comment to the short section and puts every result in the summary', async () => {
    const api = await import('../../src/api/index.js');
    const core: SplitCore = {
      planFile: () => Promise.reject(new Error('unused')),
      renderPlanMarkdown: api.renderPlanMarkdown,
      renderPlanText: api.renderPlanText,
      formatDiagnostic: api.formatDiagnostic,
    };
    const plan = {
      name: 'x',
      revision: 'r',
      revisionDigest: 'd',
      pipeline: { name: 'p', package: 'p.yaml' },
      offline: true,
      inSync: false,
      stages: [],
      operations: [],
      warnings: [],
      diagnostics: [],
      drift: [],
      policies: { results: [result({ policy: 'prod' })], exceptionsUsed: 0, expiredExceptions: [], blocking: [] },
    };
    const { renderRun } = await import('../../action/src/report-markdown.js');
    const report = {
      command: 'plan' as const,
      configs: [{ config: 'f.yaml', plan, diagnostics: [], drift: [], changed: false }],
    };
    const comment = renderRun(report, core, 'full', 'comment');
    const summary = renderRun(report, core, 'full', 'summary');
    expect(comment).toContain('**Policies** (1 result)');
    expect(comment).not.toContain('| Policy | Enforcement |');
    expect(summary).toContain('| Policy | Enforcement |');
  });
});
