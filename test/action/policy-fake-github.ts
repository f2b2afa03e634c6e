// A local stand-in for the GitHub REST endpoints the action reads to count owners' approvals: a
// pull request's reviews, the pull requests of a commit, and team memberships (404 for a non-member,
// as api.github.com answers). Served on 127.0.0.1 for the bundled action (GITHUB_API_URL).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReview {
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  body: string;
  commitId: string;
}

export interface ReviewsGitHub {
  url: string;
  /** Pull request number → its reviews, oldest first. */
  reviews: Map<number, FakeReview[]>;
  /** Commit sha → the pull request it merged (and the base it was merged onto). */
  merged: Map<string, { number: number; headSha: string; baseSha?: string }>;
  /** `SHA:PATH` → the file's text at that commit (GET /repos/o/r/contents/PATH?ref=SHA). */
  files: Map<string, string>;
  /** `org/team` → active members. */
  teams: Map<string, string[]>;
  requests: string[];
  close(): Promise<void>;
}

export async function startReviewsGitHub(): Promise<ReviewsGitHub> {
  const fake: ReviewsGitHub = {
    url: '',
    reviews: new Map(),
    merged: new Map(),
    files: new Map(),
    teams: new Map(),
    requests: [],
    close: () =>
      new Promise((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => handle(req, res));

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', fake.url);
    fake.requests.push(`${req.method} ${url.pathname}`);
    if (!req.headers.authorization) return send(res, 401, { message: 'Requires authentication' });
    let m = /^\/repos\/o\/r\/commits\/([0-9a-f]+)\/pulls$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const pr = fake.merged.get(m[1]!);
      const base = pr?.baseSha ? { base: { sha: pr.baseSha } } : {};
      return send(
        res,
        200,
        pr ? [{ number: pr.number, merge_commit_sha: m[1], head: { sha: pr.headSha }, ...base }] : [],
      );
    }
    m = /^\/repos\/o\/r\/contents\/(.+)$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const path = decodeURIComponent(m[1]!);
      const ref = url.searchParams.get('ref') ?? '';
      fake.requests[fake.requests.length - 1] += `?ref=${ref}`;
      const text = fake.files.get(`${ref}:${path}`);
      if (text === undefined) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, {
        type: 'file',
        path,
        encoding: 'base64',
        content: Buffer.from(text).toString('base64'),
      });
    }
    m = /^\/repos\/o\/r\/pulls\/(\d+)\/reviews$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const list = (fake.reviews.get(Number(m[1])) ?? []).map((r, i) => ({
        id: i + 1,
        user: { login: r.user },
        state: r.state,
        body: r.body,
        commit_id: r.commitId,
        html_url: `https://github.example/o/r/pull/${m![1]}#pullrequestreview-${i + 1}`,
      }));
      return send(res, 200, list);
    }
    m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const members = fake.teams.get(`${m[1]}/${m[2]}`) ?? [];
      if (!members.includes(m[3]!)) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { state: 'active', role: 'member' });
    }
    send(res, 404, { message: 'Not Found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(payload));
}
