// The transfer engine port: how a handoff's bytes get from the source's store to the target's.
// The handoff (src/sync) builds a manifest of the objects to copy and hands it to one engine;
// the engine copies (in this process, inside the object store, or in a cluster), and the shared
// verification (verify.ts) checks the target before any record is written. Engines know stores
// and clusters; the handoff knows only this port.
import type { ObjectRef, ObjectStore } from '../location/objectstore/index.js';

// The file's settings (types live with the file format, in the pure core).
export {
  TRANSFER_ENGINES,
  type KubernetesJobSettings,
  type LocationTransferSettings,
  type TransferEngineChoice,
  type TransferEngineName,
  type TransferSpec,
} from '../split-file/transfer-types.js';
import type { LocationTransferSettings, TransferEngineName } from '../split-file/transfer-types.js';

/** One end of a transfer: a location's store as the reconciler reaches it, and its file settings. */
export interface TransferSide {
  location: string;
  /** The S3 endpoint URL as configured (undefined: the scheme's default, AWS S3 or GCS). */
  endpoint: string | undefined;
  region: string | undefined;
  /** The reconciler's own client for this store (HEADs, listings, inline copies). */
  store: ObjectStore;
  /** The location's `transfer:` block. */
  settings: LocationTransferSettings | undefined;
  /** The location's cluster, for engines that run there (kubernetes-job); opaque to the port. */
  cluster?: unknown;
}

/** One object to copy: where it is, where it goes, and what is known of it at the source. */
export interface TransferObject {
  /** Global id of the artifact it belongs to (records are kept per artifact). */
  artifact: string;
  /** Path under the artifact's key ('' for a single-object artifact). */
  path: string;
  source: ObjectRef;
  target: ObjectRef;
  size: number;
  /** Hex SHA-256 of the bytes, when known without reading them. */
  sha256?: string;
  /** The source's ETag when listed: identifies the version being copied. */
  etag?: string;
}

export interface TransferManifest {
  /**
   * Stable identity of the handoff (same split pipeline, revision, source, target and steps give the
   * same id): what an engine names its work by, so a later run finds it and goes on instead of
   * starting a second copy. Lower-case [a-z0-9-], at most 40 characters.
   */
  handoffId: string;
  source: TransferSide;
  target: TransferSide;
  objects: TransferObject[];
}

export interface TransferProgress {
  objects: number;
  objectsDone: number;
  bytes: number;
  /** Bytes copied by the engine (wherever it runs) plus those already at the target. */
  bytesDone: number;
  /** Bytes that went through this process (inline only). */
  bytesMoved: number;
  bytesSkipped: number;
}

export interface TransferOptions {
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
  /** Objects copied at once (inline and server-side). */
  concurrency?: number;
}

/** What an engine says it wrote for one object (verify.ts checks it against the target). */
export interface WrittenObject {
  artifact: string;
  path: string;
  target: ObjectRef;
  size: number;
  /** SHA-256 of the bytes when the engine computed or carried it. */
  sha256?: string;
  /**
   * SHA-256 the engine measured by reading the object back at the target after writing it (never
   * carried from the source): verify.ts compares it with the source's.
   */
  targetSha256?: string;
  /** SHA-256 the engine measured by reading the source, when the manifest did not know it. */
  sourceSha256?: string;
  etag?: string;
  /** The object was already at the target and was not copied. */
  skipped: boolean;
}

export interface TransferResult {
  engine: TransferEngineName;
  objects: number;
  copied: number;
  skipped: number;
  /** Bytes the engine copied (0 for objects already at the target). */
  bytesCopied: number;
  /** Bytes this process itself read and wrote: all copied bytes for inline, 0 for the others. */
  bytesMovedByReconciler: number;
  written: WrittenObject[];
  /** The engine found an earlier run's work (a Job, a copy in progress) and went on with it. */
  resumed: boolean;
  /** Where the work ran, for messages (`job tenant-a/sp-xfer-…`). */
  detail?: string;
}

/** A result before any object is looked at: engines that count as they copy start from it. */
export function emptyTransferResult(engine: TransferEngineName, objects: number): TransferResult {
  return {
    engine,
    objects,
    copied: 0,
    skipped: 0,
    bytesCopied: 0,
    bytesMovedByReconciler: 0,
    written: [],
    resumed: false,
  };
}

export type Usability = { usable: true } | { usable: false; reason: string };

/** A copy started (or found started) by an engine. */
export interface TransferRun {
  /** True when an earlier run's work was found and is being continued. */
  readonly resumed: boolean;
  /** Waits for the copy to end; throws a UserError naming the location, the engine's work and the cause. */
  watch(): Promise<TransferResult>;
}

export interface TransferEngine {
  readonly name: TransferEngineName;
  /** Whether this engine can copy between these two ends (endpoints, credentials, settings). */
  usable(source: TransferSide, target: TransferSide): Usability;
  /** Starts the copy, or finds the one an earlier run started for `manifest.handoffId` and goes on with it. */
  startOrResume(manifest: TransferManifest, options?: TransferOptions): Promise<TransferRun>;
}

/** Convenience: start or resume, then watch to the end (verification is the caller's: verify.ts). */
export async function runEngine(
  engine: TransferEngine,
  manifest: TransferManifest,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const run = await engine.startOrResume(manifest, options);
  return run.watch();
}
