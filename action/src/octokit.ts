// The GitHub client. `@actions/github`'s `getOctokit` sends requests through the undici package's
// fetch with the runner's proxy settings (lib/internal/utils.js `getProxyFetch`); production keeps
// that. Tests pass their own `fetch` or point `baseUrl` at a local fake API.
import { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  /** REST API root; defaults to `GITHUB_API_URL` (GitHub Enterprise Server sets it), else api.github.com. */
  baseUrl?: string;
  /** Replaces the proxy-aware fetch (e.g. `globalThis.fetch` so nock can intercept). */
  fetch?: typeof globalThis.fetch;
}

export type GitHubClientFactory = (token: string, options?: GitHubClientOptions) => GitHubClient;

export const createGitHubClient: GitHubClientFactory = (token, options = {}) => {
  const baseUrl = options.baseUrl ?? process.env['GITHUB_API_URL'] ?? 'https://api.github.com';
  return getOctokit(token, {
    baseUrl,
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    // Secondary rate limits and 5xx are retried by the workflow re-run, not here: a plan comment
    // is cheap to post again, and a hidden retry would only delay the job.
  });
};
