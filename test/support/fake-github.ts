// A local stand-in for the part of GitHub's REST API the action uses (issue comments), served over
// node:http on 127.0.0.1 so the bundled action can be pointed at it with GITHUB_API_URL. It behaves
// as api.github.com does where it matters: pages of `per_page` (default 30, at most 100) linked by a
// `Link` header, 422 for bodies over 65,536 characters, 401 without a token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}

export interface FakeGitHub {
  url: string;
  comments: FakeComment[];
  requests: RecordedRequest[];
  /** Adds `count` comments by other users to an issue. */
  seedComments(issue: number, count: number, body?: (i: number) => string): void;
  /** Answer comment writes (POST/PATCH) with this status, e.g. 403 for a fork's read-only token. */
  rejectWritesWith?: number;
  commentsOn(issue: number): FakeComment[];
  close(): Promise<void>;
}

const MAX_BODY = 65_536;
const BOT = { login: 'github-actions[bot]', type: 'Bot' as const };

export async function startFakeGitHub(): Promise<FakeGitHub> {
  let nextId = 1000;
  const fake: FakeGitHub = {
    url: '',
    comments: [],
    requests: [],
    seedComments(issue, count, body = (i) => `comment ${i} by a reviewer`) {
      for (let i = 0; i < count; i++)
        fake.comments.push({ id: nextId++, issue, body: body(i), user: { login: `reviewer${i % 3}`, type: 'User' } });
    },
    commentsOn: (issue) => fake.comments.filter((c) => c.issue === issue),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections(); // keep-alive sockets of the client would hold close() open
      }),
  };
  const view = (c: FakeComment) => ({
    id: c.id,
    body: c.body,
    user: c.user,
    html_url: `https://github.example/o/r/pull/${c.issue}#issuecomment-${c.id}`,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: Error) => send(res, 500, { message: e.message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', fake.url);
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
    };
    if (body !== undefined) recorded.body = body;
    if (req.headers.authorization) recorded.authorization = req.headers.authorization;
    fake.requests.push(recorded);
    if (!req.headers.authorization) return send(res, 401, { message: 'Requires authentication' });

    let m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      const all = fake.commentsOn(Number(m[1]));
      const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number, rel: string) => {
        const u = new URL(url);
        u.searchParams.set('per_page', String(perPage));
        u.searchParams.set('page', String(p));
        return `<${u.toString()}>; rel="${rel}"`;
      };
      const links = [];
      if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
      if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
      const headers: Record<string, string> = links.length ? { link: links.join(', ') } : {};
      return send(res, 200, all.slice((page - 1) * perPage, page * perPage).map(view), headers);
    }
    if (m && req.method === 'POST') {
      const text = bodyText(body);
      if (fake.rejectWritesWith)
        return send(res, fake.rejectWritesWith, { message: 'Resource not accessible by integration' });
      if (text === undefined)
        return send(res, 422, { message: 'Validation Failed', errors: [{ field: 'body', code: 'missing_field' }] });
      if (text.length > MAX_BODY)
        return send(res, 422, { message: `Validation Failed: body is too long (maximum is ${MAX_BODY} characters)` });
      const c: FakeComment = { id: nextId++, issue: Number(m[1]), body: text, user: BOT };
      fake.comments.push(c);
      return send(res, 201, view(c));
    }
    m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (m && req.method === 'PATCH') {
      const c = fake.comments.find((x) => x.id === Number(m[1]));
      if (!c) return send(res, 404, { message: 'Not Found' });
      if (fake.rejectWritesWith)
        return send(res, fake.rejectWritesWith, { message: 'Resource not accessible by integration' });
      const text = bodyText(body);
      if (text === undefined) return send(res, 422, { message: 'Validation Failed' });
      if (text.length > MAX_BODY)
        return send(res, 422, { message: `Validation Failed: body is too long (maximum is ${MAX_BODY} characters)` });
      c.body = text;
      return send(res, 200, view(c));
    }
    send(res, 404, { message: 'Not Found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function bodyText(body: unknown): string | undefined {
  const b = (body as { body?: unknown } | undefined)?.body;
  return typeof b === 'string' ? b : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(payload));
}
