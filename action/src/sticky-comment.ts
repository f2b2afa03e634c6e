// One comment per pull request (and per `config` input), updated in place on every run, as
// Atlantis and marocchino/sticky-pull-request-comment do. It is found by a hidden HTML marker at
// the start of its body, across *every* page of comments: GitHub lists 30 per page by default, and
// stopping at the first page is the classic cause of duplicate bot comments on busy pull requests.
import type { GitHubClient } from './octokit.js';

/** GitHub refuses issue comments longer than this ("body is too long (maximum is 65536 characters)"). */
export const COMMENT_LIMIT = 65_536;

export function commentMarker(command: string, key: string): string {
  // `--` and `>` would end the HTML comment early and show the rest of the marker.
  const safe = key.replace(/-{2,}/g, '-').replace(/>/g, '');
  return `<!-- split-pipelines:${command}:${safe} -->`;
}

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
}

export interface StickyResult {
  action: 'created' | 'updated';
  id: number;
  url?: string;
}

/** Finds the comment starting with the marker, on any page. */
export async function findStickyComment(octokit: GitHubClient, t: StickyTarget): Promise<{ id: number } | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: t.owner,
    repo: t.repo,
    issue_number: t.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    // Only a body *starting* with the marker: a human quoting our comment must not be taken for it.
    const mine = page.data.find((c) => (c.body ?? '').trimStart().startsWith(t.marker));
    if (mine) return { id: mine.id };
  }
  return undefined;
}

/** Creates the sticky comment or updates it in place. `body` must already start with the marker. */
export async function upsertStickyComment(octokit: GitHubClient, t: StickyTarget, body: string): Promise<StickyResult> {
  if (!body.startsWith(t.marker)) throw new Error('sticky comment body must start with its marker');
  if (body.length > COMMENT_LIMIT)
    throw new Error(`comment body has ${body.length} characters; GitHub accepts ${COMMENT_LIMIT}`);
  const found = await findStickyComment(octokit, t);
  if (found) {
    const r = await octokit.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: found.id, body });
    return withUrl({ action: 'updated', id: found.id }, r.data.html_url);
  }
  const r = await octokit.rest.issues.createComment({
    owner: t.owner,
    repo: t.repo,
    issue_number: t.issueNumber,
    body,
  });
  return withUrl({ action: 'created', id: r.data.id }, r.data.html_url);
}

function withUrl(r: StickyResult, url: string | undefined): StickyResult {
  if (url) r.url = url;
  return r;
}
