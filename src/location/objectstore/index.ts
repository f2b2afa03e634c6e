export {
  ObjectStore,
  type ObjectRef,
  type ObjectInfo,
  type ObjectSummary,
  type ObjectDownload,
  type GetOptions,
  type ListOptions,
} from './client.js';
export { type ObjectStoreConfig, type ObjectStoreCredentials } from './config.js';
export { copyObject, SOURCE_ETAG_METADATA, type CopyOptions, type CopyResult, type KnownObject } from './copy.js';
export { listCovering, type Listing } from './listing.js';
export { ObjectStoreError, IntegrityError, type ObjectStoreOperation } from './errors.js';
export { SHA256_METADATA, sameEtag, sha256Hex } from './integrity.js';
export type { PutBody, PutOptions, PutResult } from './put.js';
export {
  ArtifactUriError,
  formatArtifactUri,
  keyUnderRoot,
  parseArtifactUri,
  parsePipelineRoot,
  rebaseUri,
  type ArtifactLocation,
  type PipelineRoot,
  type StorageScheme,
} from './uri.js';
