import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../action/src/octokit.js';
import {
  COMMENT_LIMIT,
  commentMarker,
  findStickyComment,
  upsertStickyComment,
} from '../../action/src/sticky-comment.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.close();
});

const marker = commentMarker('plan', 'split-pipeline.yaml');
const target = (issueNumber: number) => ({ owner: 'o', repo: 'r', issueNumber, marker });
const client = () => createGitHubClient('tkn', { baseUrl: gh.url, fetch: globalThis.fetch });

describe('the sticky comment', () => {
  it('is created when the pull request has none', async () => {
    const r = await upsertStickyComment(client(), target(1), `${marker}\nplan 1`);
    expect(r.action).toBe('created');
    expect(gh.commentsOn(1).map((c) => c.body)).toEqual([`${marker}\nplan 1`]);
  });

  it('is found on a later page and updated in place', async () => {
    gh.seedComments(2, 150);
    const first = await upsertStickyComment(client(), target(2), `${marker}\nplan 1`);
    gh.seedComments(2, 20);
    const second = await upsertStickyComment(client(), target(2), `${marker}\nplan 2`);
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(
      gh
        .commentsOn(2)
        .filter((c) => c.body.includes(marker))
        .map((c) => c.body),
    ).toEqual([`${marker}\nplan 2`]);
    expect(gh.requests.filter((r) => r.method === 'GET').every((r) => r.query['per_page'] === '100')).toBe(true);
  });

  it('is not confused with a reviewer quoting it', async () => {
    gh.seedComments(3, 1, () => `> ${marker}\n> plan 1\n\nwhy does this move serve-model?`);
    expect(await findStickyComment(client(), target(3))).toBeUndefined();
  });

  it('keeps one comment per config: another config key has its own', async () => {
    await upsertStickyComment(client(), target(4), `${marker}\nplan`);
    const other = commentMarker('plan', 'ml/split-pipeline.yaml');
    const r = await upsertStickyComment(client(), { ...target(4), marker: other }, `${other}\nplan`);
    expect(r.action).toBe('created');
    expect(gh.commentsOn(4)).toHaveLength(2);
  });

  it('refuses a body GitHub would reject, before calling it', async () => {
    await expect(upsertStickyComment(client(), target(5), `${marker}\n${'x'.repeat(COMMENT_LIMIT)}`)).rejects.toThrow(
      /GitHub accepts 65536/,
    );
    expect(gh.requests).toEqual([]);
  });

  it('has a marker that stays a hidden HTML comment whatever the config path', () => {
    expect(commentMarker('plan', 'a--b>c.yaml')).toBe('<!-- split-pipelines:plan:a-bc.yaml -->');
  });
});
