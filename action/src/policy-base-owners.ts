// Who may override a soft policy is read from the pull request's BASE commit, never from the file
// being applied: otherwise a pull request could add its author to a policy's `owners` and approve
// its own override (the complaint "approvals anyone can give"). The base versions of the split file
// and of the policy files it names are read through GitHub's contents API
// (GET /repos/{owner}/{repo}/contents/{path}?ref={base sha}); only names and owners are taken from
// them. A policy (or a relaxed built-in) that the base does not have has no owners yet: nobody may
// override it until the change that adds it is merged.
import { posix } from 'node:path';
import { parse } from 'yaml';
import type { GitHubClient } from './octokit.js';
import type { PolicyOwners } from './policy-approvals.js';

/** Reads a file of the repository at a commit; undefined when it does not exist there. */
export interface ContentSource {
  fileAt(path: string, ref: string): Promise<string | undefined>;
}

/** Policy name → owners, as the base commit's files give them. */
export type BaseOwners = Map<string, string[]>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ownersOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((o): o is string => typeof o === 'string' && o !== '') : [];

function parseYaml(text: string): unknown {
  try {
    return parse(text, { maxAliasCount: 100 });
  } catch {
    return undefined; // a base file that does not parse names no owners
  }
}

function addPolicies(into: BaseOwners, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const p of list) {
    if (!isRecord(p) || typeof p['name'] !== 'string') continue;
    if (!into.has(p['name'])) into.set(p['name'], ownersOf(p['owners']));
  }
}

/**
 * The owners of every policy of `config` (a path from the repository root, `/`-separated) at `ref`:
 * `spec.policies`, `spec.defaultPolicies` (relaxed built-ins) and the `policies:` of each file in
 * `spec.policyFiles` (relative to the config's folder; one outside the repository is skipped).
 */
export async function ownersAtBase(source: ContentSource, config: string, ref: string): Promise<BaseOwners> {
  const owners: BaseOwners = new Map();
  const text = await source.fileAt(config, ref);
  if (text === undefined) return owners;
  const doc = parseYaml(text);
  const spec = isRecord(doc) && isRecord(doc['spec']) ? doc['spec'] : {};
  addPolicies(owners, spec['policies']);
  if (isRecord(spec['defaultPolicies'])) {
    for (const [name, setting] of Object.entries(spec['defaultPolicies']))
      if (isRecord(setting) && !owners.has(name)) owners.set(name, ownersOf(setting['owners']));
  }
  const files = Array.isArray(spec['policyFiles']) ? spec['policyFiles'] : [];
  for (const f of files) {
    if (typeof f !== 'string') continue;
    const path = posix.normalize(posix.join(posix.dirname(config), f));
    if (path.startsWith('../') || path === '..' || posix.isAbsolute(path)) continue;
    const body = await source.fileAt(path, ref);
    const data = body === undefined ? undefined : parseYaml(body);
    if (isRecord(data)) addPolicies(owners, data['policies']);
  }
  return owners;
}

/** The contents API: a file's text at a commit (404: not there; a folder or a symlink counts as not a file). */
export function gitHubContentSource(octokit: GitHubClient, repo: { owner: string; repo: string }): ContentSource {
  return {
    async fileAt(path, ref) {
      try {
        const r = await octokit.rest.repos.getContent({ ...repo, path, ref });
        const data = r.data as { type?: string; content?: string; encoding?: string };
        if (Array.isArray(r.data) || data.type !== 'file' || typeof data.content !== 'string') return undefined;
        return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
      } catch (e) {
        if ((e as { status?: number }).status === 404) return undefined;
        throw e;
      }
    },
  };
}

/**
 * The policies with their owners as the base commit gives them (the file being applied may name
 * others: it is not trusted for this). One note per policy whose owners differ, for the log.
 */
export function withBaseOwners(
  policies: readonly PolicyOwners[],
  base: BaseOwners,
  baseSha: string,
): { policies: PolicyOwners[]; notes: string[] } {
  const notes: string[] = [];
  const at = baseSha.slice(0, 7);
  const out = policies.map((p) => {
    const owners = base.get(p.name);
    const list = (o: readonly string[]) => o.join(', ') || 'none';
    if (owners === undefined) {
      if (p.owners.length > 0)
        notes.push(
          `${p.name} is not in the base commit ${at}: it has no owners until it is merged, ` +
            `so no approval overrides it (this pull request names ${list(p.owners)})`,
        );
    } else if (list([...owners].sort()) !== list([...p.owners].sort())) {
      notes.push(
        `owners of ${p.name} are read from the base commit ${at} (${list(owners)}), not from this pull request (${list(p.owners)})`,
      );
    }
    return { ...p, owners: [...(owners ?? [])] };
  });
  return { policies: out, notes };
}
