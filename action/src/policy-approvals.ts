// Overrides of soft policy failures by approving pull-request reviews (issue 12 item 4, as HCP
// Terraform's soft-mandatory overrides and Atlantis' apply requirements): an approval counts only
// when it comes from one of the policy's owners — a user named directly, or a member of a team named
// `org/team`, checked through GitHub's API (GET /orgs/{org}/teams/{team_slug}/memberships/{username},
// an active membership) — and only when it is the reviewer's latest decision and was given on the
// pull request's head commit (an approval of older code does not approve this one). A non-owner's
// approval counts for nothing; hard failures are never overridden (the core refuses to).
import type { PolicyOverride } from '../../src/api/index.js';
import type { GitHubClient } from './octokit.js';

export interface PolicyOwners {
  name: string;
  enforcement: 'advisory' | 'soft' | 'hard';
  owners: string[];
}

export interface Review {
  user: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  state: string;
  body: string;
  commitId?: string;
  url?: string;
}

/** What the approvals need from GitHub: injected so the rule is tested without a server. */
export interface ReviewSource {
  reviews(pullNumber: number): Promise<Review[]>;
  /** An active member of `org/team`. */
  isTeamMember(org: string, team: string, user: string): Promise<boolean>;
}

export interface ApprovalDecision {
  overrides: PolicyOverride[];
  /** One line per approval that was looked at, for the log (who, which policy, counted or why not). */
  notes: string[];
}

/** Each reviewer's latest decision: a later comment-only review does not withdraw an approval; a dismissal does. */
export function latestDecisions(reviews: readonly Review[]): Review[] {
  const latest = new Map<string, Review>();
  for (const r of reviews) {
    if (r.state === 'COMMENTED' || r.state === 'PENDING') continue;
    latest.set(r.user.toLowerCase(), r);
  }
  return [...latest.values()];
}

/** How the user owns the policy (`owner`, `member of org/team`), or undefined when they do not. */
async function isOwner(source: ReviewSource, owners: readonly string[], user: string): Promise<string | undefined> {
  for (const owner of owners) {
    const name = owner.replace(/^@/, '');
    const slash = name.indexOf('/');
    if (slash < 0) {
      if (name.toLowerCase() === user.toLowerCase()) return 'owner';
    } else if (await source.isTeamMember(name.slice(0, slash), name.slice(slash + 1), user)) {
      return `member of ${name}`;
    }
  }
  return undefined;
}

/** The overrides the pull request's approving reviews give: one per soft policy that an owner approved. */
export async function approvalOverrides(
  policies: readonly PolicyOwners[],
  source: ReviewSource,
  pull: { number: number; headSha?: string },
): Promise<ApprovalDecision> {
  const soft = policies.filter((p) => p.enforcement === 'soft' && p.owners.length > 0);
  const notes: string[] = [];
  if (soft.length === 0) return { overrides: [], notes };
  const approvals = latestDecisions(await source.reviews(pull.number)).filter((r) => r.state === 'APPROVED');
  const overrides: PolicyOverride[] = [];
  for (const policy of soft) {
    for (const r of approvals) {
      if (pull.headSha && r.commitId && r.commitId !== pull.headSha) {
        notes.push(
          `approval by ${r.user} is for ${r.commitId.slice(0, 7)}, not the head ${pull.headSha.slice(0, 7)}: not counted`,
        );
        continue;
      }
      const as = await isOwner(source, policy.owners, r.user);
      if (!as) {
        notes.push(
          `approval by ${r.user} does not override ${policy.name}: not one of its owners (${policy.owners.join(', ')})`,
        );
        continue;
      }
      const why =
        r.body.trim() || `approved pull request #${pull.number}${r.url ? ` (${r.url})` : ''} without a comment`;
      overrides.push({
        policy: policy.name,
        actor: `${r.user} (${as}, approving review of #${pull.number})`,
        reason: why,
      });
      notes.push(`approval by ${r.user} overrides ${policy.name} (${as})`);
      break;
    }
  }
  return { overrides, notes: [...new Set(notes)] };
}

/** The review source over GitHub's REST API. */
export function gitHubReviewSource(octokit: GitHubClient, repo: { owner: string; repo: string }): ReviewSource {
  return {
    async reviews(pullNumber) {
      const all = await octokit.paginate(octokit.rest.pulls.listReviews, {
        ...repo,
        pull_number: pullNumber,
        per_page: 100,
      });
      return all.map((r) => {
        const review: Review = { user: r.user?.login ?? '', state: r.state, body: r.body ?? '' };
        if (r.commit_id) review.commitId = r.commit_id;
        if (r.html_url) review.url = r.html_url;
        return review;
      });
    },
    async isTeamMember(org, team, user) {
      try {
        const r = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: team, username: user });
        return r.data.state === 'active';
      } catch (e) {
        // 404: not a member (or a team the token cannot see, which counts the same: not verified).
        if ((e as { status?: number }).status === 404) return false;
        throw e;
      }
    },
  };
}

/** The pull request a push merged (for `apply` on a push to the default branch): the one whose merge commit it is. */
export async function mergedPullRequestOf(
  octokit: GitHubClient,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<{ number: number; headSha: string; baseSha?: string } | undefined> {
  const r = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
  const pr = r.data.find((p) => p.merge_commit_sha === sha) ?? r.data[0];
  if (!pr) return undefined;
  // The base the pull request was merged onto: its policy owners decide who may override (policy-base-owners.ts).
  const baseSha = (pr as { base?: { sha?: string } }).base?.sha;
  return baseSha ? { number: pr.number, headSha: pr.head.sha, baseSha } : { number: pr.number, headSha: pr.head.sha };
}
