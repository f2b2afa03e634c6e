// A task's KFP v2 cache fingerprint: the value the driver looks up in the API server's task table
// (`GetExecutionCache`) and the launcher writes there after a successful run.

import { createHash } from 'node:crypto';

import { buildCacheKey, type CacheKeyInput } from './cache-key.js';
import type { CacheKeyJson } from './generate-cache-key.js';
import { goJsonStringify } from './go-json.js';
import { cacheKeyVariant, type CacheKeyVariant } from './kfp-version.js';

/** What a fingerprint is the hash of. */
export type FingerprintBasis =
  | { kind: 'cache-key'; cacheKey: CacheKeyJson }
  | { kind: 'custom-cache-key'; componentName: string; customCacheKey: string };

/**
 * `GenerateFingerPrint` (`backend/src/v2/cacheutils/cache.go`): hex SHA-256 of the key re-serialised by
 * Go's encoding/json (see `go-json.ts`).
 */
export function cacheKeyFingerprint(cacheKey: CacheKeyJson): string {
  return sha256Hex(Buffer.from(goJsonStringify(cacheKey), 'utf8'));
}

/**
 * The custom-key branch of `getFingerPrint` (`backend/src/v2/driver/cache.go`, after 2.17.0): SHA-256 of
 * the component name, a NUL byte and the custom key. The name and the NUL are left out when the name is
 * empty.
 */
export function customCacheKeyFingerprint(componentName: string, customCacheKey: string): string {
  const parts: Buffer[] = [];
  if (componentName !== '') parts.push(Buffer.from(componentName, 'utf8'), Buffer.from([0]));
  parts.push(Buffer.from(customCacheKey, 'utf8'));
  return sha256Hex(Buffer.concat(parts));
}

/** Which of the two fingerprints `getFingerPrint` computes for this task on `kfpVersion`. */
export function fingerprintBasis(input: CacheKeyInput, kfpVersion: string | CacheKeyVariant): FingerprintBasis {
  const variant = typeof kfpVersion === 'string' ? cacheKeyVariant(kfpVersion) : kfpVersion;
  // The driver tests `GetCacheKey() != ""`, so an empty custom key falls back to the computed key.
  if (variant.customCacheKey && input.customCacheKey !== undefined && input.customCacheKey !== '') {
    return { kind: 'custom-cache-key', componentName: input.componentName, customCacheKey: input.customCacheKey };
  }
  return { kind: 'cache-key', cacheKey: buildCacheKey(input, variant) };
}

/** The fingerprint KFP `kfpVersion` computes for this task (hex SHA-256). */
export function fingerprint(input: CacheKeyInput, kfpVersion: string | CacheKeyVariant): string {
  const basis = fingerprintBasis(input, kfpVersion);
  return basis.kind === 'custom-cache-key'
    ? customCacheKeyFingerprint(basis.componentName, basis.customCacheKey)
    : cacheKeyFingerprint(basis.cacheKey);
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
