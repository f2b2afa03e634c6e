// Digests a plan file records so that `apply --plan` knows it applies what was reviewed: the split
// file's and the package's bytes, and each location's observation (never its secrets: a digest).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Observation } from '../plan/observation.js';
import { canonicalJson } from '../split-file/revision.js';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function fileSha256(path: string): Promise<string> {
  return sha256(await readFile(path));
}

/** Location → sha256 of its observation in canonical JSON. */
export function observationDigests(observation: Observation | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, o] of Object.entries(observation?.locations ?? {})) out[name] = sha256(canonicalJson(o));
  return out;
}
