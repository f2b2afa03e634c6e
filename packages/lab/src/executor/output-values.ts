// What the lab's "user code" computes: output artifact seeds and output parameter values, derived
// deterministically from what the task was given (its component, resolved parameters and the
// *contents* of its input artifacts, by their seeds). The same step on the same data gives the same
// outputs at every location, as a deterministic component would, whatever MLMD ids it sees there.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../../../src/pipeline/ir.js';

export interface TaskContent {
  componentName: string;
  image: string;
  command: readonly string[];
  args: readonly string[];
  parameters: Record<string, JsonValue>;
  /** Input name → the content seeds (or digests) of its artifacts, in order. */
  inputArtifacts: Record<string, string[]>;
}

/** Canonical JSON: object keys sorted, so the seed does not depend on map order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function taskSeed(content: TaskContent): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

export function outputSeed(task: string, output: string): string {
  return createHash('sha256').update(`${task}\u0000${output}`).digest('hex');
}

/** A value of the output's declared type (`ParameterType` in `api/v2alpha1/pipeline_spec.proto`). */
export function outputParameterValue(seed: string, name: string, parameterType: string | undefined): JsonValue {
  const n = parseInt(seed.slice(0, 8), 16);
  switch (parameterType) {
    case 'NUMBER_INTEGER':
      return (n % 100) + 1;
    case 'NUMBER_DOUBLE':
      return Math.round((n / 0x1_0000_0000) * 10_000) / 10_000;
    case 'BOOLEAN':
      return n % 2 === 0;
    case 'LIST':
      return [`${name}-${seed.slice(0, 6)}-0`, `${name}-${seed.slice(0, 6)}-1`];
    case 'STRUCT':
      return { name, digest: seed.slice(0, 12) };
    default:
      return `${name}-${seed.slice(0, 12)}`;
  }
}
