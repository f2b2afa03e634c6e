// The revision of a split pipeline: a digest of what decides the runs' results, i.e. the compiled
// pipeline, the runtime parameters and the stages (placement). Runs and handoffs are named after it,
// so an unchanged file plans nothing and any meaningful change starts a new revision. Formatting,
// comments and key order do not count: the digest is over canonical JSON of the parsed values.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../pipeline/ir.js';

export interface RevisionInput {
  /** The parsed pipeline package documents (spec, and platform spec when present). */
  pipeline: JsonValue[];
  parameters: Record<string, JsonValue>;
  /** Parameter → environment variable (the variable's name counts, never its value). */
  parametersFromEnv?: Record<string, string>;
  stages: readonly { location: string; steps: readonly string[] }[];
}

export interface Revision {
  /** Full hex SHA-256. */
  digest: string;
  /** Short form used in run and pipeline-version names. */
  short: string;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in canonical JSON');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function computeRevision(input: RevisionInput): Revision {
  const doc = {
    v: 1,
    pipeline: input.pipeline,
    parameters: input.parameters,
    // Absent unless the file gives parameters from the environment, so other revisions are unchanged.
    parametersFromEnv: input.parametersFromEnv,
    // Step order inside a stage does not change what runs; stage order does.
    stages: input.stages.map((s) => ({ location: s.location, steps: [...s.steps].sort() })),
  };
  const digest = createHash('sha256').update(canonicalJson(doc)).digest('hex');
  return { digest, short: digest.slice(0, 12) };
}
