// Vitest's asymmetric matchers are typed `any` so that they fit anywhere; these give them the type of
// the value they stand in for, so an expected object stays typed (and free of `any`) around them.
import { expect } from 'vitest';

/** A string matching `pattern`. */
export function stringMatching(pattern: RegExp | string): string {
  return expect.stringMatching(pattern) as string;
}

/** A string containing `part`. */
export function stringContaining(part: string): string {
  return expect.stringContaining(part) as string;
}

/** Any string. */
export function anyString(): string {
  return expect.any(String) as string;
}
