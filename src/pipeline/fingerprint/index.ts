// KFP v2 cache keys and fingerprints, computed as the KFP driver computes them. Pure code, no I/O.

export type { JsonObject, JsonPrimitive, JsonValue } from './json-value.js';
export { GoJsonError, goJsonStringify, goFloat64, goQuote, compareUtf8, toWellFormed } from './go-json.js';
export type { GoJsonErrorReason, GoJsonInput } from './go-json.js';
export { cacheKeyVariant, parseKfpVersion } from './kfp-version.js';
export type { CacheKeyVariant, KfpVersion } from './kfp-version.js';
export { CacheKeyError, generateCacheKey } from './generate-cache-key.js';
export type {
  ArtifactTypeSchema,
  CacheKeyJson,
  CacheKeyRuntimeArtifact,
  GenerateCacheKeyArgs,
} from './generate-cache-key.js';
export {
  buildCacheKey,
  EXECUTOR_LOGS_OUTPUT,
  KUBERNETES_PLATFORM_OP_IMAGES,
  publishesLogs,
  sortedUniquePvcNames,
} from './cache-key.js';
export type { CacheKeyInput, OutputArtifactSpec } from './cache-key.js';
export { cacheKeyFingerprint, customCacheKeyFingerprint, fingerprint, fingerprintBasis } from './fingerprint.js';
export type { FingerprintBasis } from './fingerprint.js';
export { isNextKfp, NEXT_KFP_RELEASE } from './kfp-version.js';
export { inputArtifactIdentity, nextCacheKey, nextFingerprint, pipelineNameArg } from './next-cache-key.js';
export type { NextCacheKeyInput, NextInputArtifactRef } from './next-cache-key.js';
export { CACHE_HIT_STATE, findCachedRequest, lookupNamespace, selectCachedTask } from './next-cache-lookup.js';
export type { CachedTaskCandidate, FindCachedMode, FindCachedRequest, NextTaskState } from './next-cache-lookup.js';
