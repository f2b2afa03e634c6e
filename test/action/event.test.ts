import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvent } from '../../action/src/event.js';
import { pullRequestEvent } from './support/run-bundle.js';
import { tempDir } from './support/workspace.js';

function eventFile(payload: object): string {
  const p = join(tempDir('event'), 'event.json');
  writeFileSync(p, JSON.stringify(payload));
  return p;
}

const base = { GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_NAME: 'pull_request' };

describe('the run event', () => {
  it('reads a pull request from the same repository as not from a fork', () => {
    const e = readEvent({
      ...base,
      GITHUB_EVENT_PATH: eventFile(pullRequestEvent({ number: 7, baseSha: 'b1', headSha: 'h1' })),
    });
    expect(e).toMatchObject({
      name: 'pull_request',
      owner: 'o',
      repo: 'r',
      pullRequest: { number: 7, baseSha: 'b1', headSha: 'h1', fromFork: false },
    });
  });

  it('takes a pull request whose head is another repository for a fork', () => {
    const e = readEvent({
      ...base,
      GITHUB_EVENT_PATH: eventFile(pullRequestEvent({ number: 7, baseSha: 'b', headSha: 'h', fork: true })),
    });
    expect(e.pullRequest?.fromFork).toBe(true);
  });

  it('takes a pull request whose fork was deleted (head.repo null) for a fork', () => {
    const payload = pullRequestEvent({ number: 7, baseSha: 'b', headSha: 'h' }) as {
      pull_request: { head: { repo: unknown } };
    };
    payload.pull_request.head.repo = null;
    expect(readEvent({ ...base, GITHUB_EVENT_PATH: eventFile(payload) }).pullRequest?.fromFork).toBe(true);
  });

  it('has no pull request on a push, and links to the workflow run', () => {
    const e = readEvent({
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventFile({ ref: 'refs/heads/main' }),
      GITHUB_RUN_ID: '9',
      GITHUB_RUN_ATTEMPT: '2',
    });
    expect(e.pullRequest).toBeUndefined();
    expect(e.runUrl).toBe('https://github.com/o/r/actions/runs/9/attempts/2');
  });
});
