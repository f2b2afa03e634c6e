// What the workflow run is about, read from the runner's environment: the event, the repository,
// and — for pull-request events — the pull request's number, commits and whether it comes from a
// fork. Read here rather than through `@actions/github`'s `context`, which is built once at import
// time from `process.env` (awkward to test) and types the payload loosely.
import { readFileSync } from 'node:fs';
import { UserError } from '../../src/errors/user-error.js';

export interface PullRequestInfo {
  number: number;
  /** Tip of the base branch when the event fired. */
  baseSha: string;
  /** Tip of the pull request's branch. */
  headSha: string;
  /**
   * The head repository is not the base repository (or was deleted). Such pull requests are
   * planned offline: their file could point a location's endpoint anywhere, and an online plan
   * would send that location's credentials there.
   */
  fromFork: boolean;
  htmlUrl?: string;
}

export interface RunEvent {
  name: string;
  owner: string;
  repo: string;
  pullRequest?: PullRequestInfo;
  /** Link to this workflow run (its logs and job summary), when the runner told us. */
  runUrl?: string;
}

export class EventError extends UserError {
  override readonly name = 'EventError';
  constructor(message: string) {
    super(message, { code: 'action-event', operation: 'read-event' });
  }
}

type Json = { [key: string]: unknown };

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function readEvent(env: NodeJS.ProcessEnv): RunEvent {
  const name = env['GITHUB_EVENT_NAME'] ?? '';
  let payload: Json = {};
  const path = env['GITHUB_EVENT_PATH'];
  if (path) {
    try {
      payload = obj(JSON.parse(readFileSync(path, 'utf8'))) ?? {};
    } catch (e) {
      throw new EventError(`cannot read the event payload GITHUB_EVENT_PATH=${path}: ${(e as Error).message}`);
    }
  }
  const [owner, repo] = repositoryOf(env, payload);
  const event: RunEvent = { name, owner, repo };
  const pr = obj(payload['pull_request']);
  if (pr) event.pullRequest = pullRequestOf(pr);
  const server = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const runId = env['GITHUB_RUN_ID'];
  if (runId && owner) {
    const attempt = env['GITHUB_RUN_ATTEMPT'];
    event.runUrl = `${server}/${owner}/${repo}/actions/runs/${runId}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`;
  }
  return event;
}

function repositoryOf(env: NodeJS.ProcessEnv, payload: Json): [string, string] {
  const full = env['GITHUB_REPOSITORY'] ?? str(obj(payload['repository'])?.['full_name']) ?? '';
  const [owner = '', repo = ''] = full.split('/');
  return [owner, repo];
}

function pullRequestOf(pr: Json): PullRequestInfo {
  const number = pr['number'];
  const base = obj(pr['base']);
  const head = obj(pr['head']);
  const baseSha = str(base?.['sha']);
  const headSha = str(head?.['sha']);
  if (typeof number !== 'number' || !baseSha || !headSha) {
    throw new EventError('the event payload has a pull_request without number, base.sha or head.sha');
  }
  const baseRepo = str(obj(base?.['repo'])?.['full_name']);
  const headRepo = str(obj(head?.['repo'])?.['full_name']);
  const info: PullRequestInfo = {
    number,
    baseSha,
    headSha,
    // A deleted fork has `head.repo: null`: it is still somebody else's code.
    fromFork: !headRepo || !baseRepo || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
  };
  const url = str(pr['html_url']);
  if (url) info.htmlUrl = url;
  return info;
}
