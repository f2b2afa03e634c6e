// A handoff bundle: everything one location must import so that KFP there serves a set of steps
// from its cache. It is what `export` writes for air-gapped moves, and what an online handoff
// passes from its export half to its import half. Self-describing JSON; bytes optional.
//
// Version 2 is plain JSON whichever backend wrote it or reads it (ML Metadata or the next KFP's native API):
// metadata as KFP hands it to components, output parameters, descriptive properties. Version 1 carried ML
// Metadata's value types; such files are still read (bundle-v1.ts).
import type { JsonObject, JsonValue } from '../pipeline/ir.js';

export const BUNDLE_FORMAT = 'splitpipelines.dev/handoff-bundle';
export const BUNDLE_VERSION = 2;

export interface BundleObject {
  /** Key relative to the artifact's own key ('' for a single-object artifact). */
  path: string;
  size: number;
  /** Hex SHA-256 of the bytes, when known (bundles with bytes always know it). */
  sha256?: string;
  /** The object's ETag at the source when exported: what a copy compares to skip what it made. */
  etag?: string;
}

export interface BundleArtifact {
  globalId: string;
  type: string;
  /** URI at the source location. */
  uri: string;
  /** Path under the source pipeline root; absent for URIs outside it (importer data), which are not moved. */
  relativePath?: string;
  /** The artifact's metadata as KFP hands it to components (ML Metadata: its custom properties). */
  metadata: JsonObject;
  /**
   * The objects of a carried artifact; always present, and `[]` for one whose producer wrote no
   * object (KFP records such outputs: metrics, or outputs a component left unwritten).
   */
  objects: BundleObject[];
  /**
   * `records`: only its records travel (no step at the target reads its bytes; KFP never reads a
   * cached step's bytes), so `objects` is `[]` and the target records it with none (src/plan/travel.ts).
   */
  travels?: 'records';
}

export interface BundleExecution {
  globalId: string;
  kind: 'container' | 'importer';
  /** The task's output parameters (what a cache hit hands downstream). */
  parameters: Record<string, JsonValue>;
  /** Descriptive properties kept from the source (task name, image, inputs, …; ML Metadata: custom properties). */
  properties: JsonObject;
  /** Task path from the root DAG and loop iteration: how the target's walk finds it again. */
  path: string[];
  iteration: number[];
  outputs: { name: string; artifact: string }[];
  inputs: { name: string; artifacts: string[] }[];
  /** The fingerprint at the source (for messages; the target's is recomputed). */
  sourceFingerprint?: string;
}

export interface HandoffBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  splitPipeline: string;
  revision: string;
  /** IR `pipelineInfo.name`: cache rows are scoped to it. */
  pipelineName: string;
  source: { location: string; kfpVersion: string; pipelineRoot: string };
  /**
   * The location the bundle was exported for (`export --to`): what travels as bytes was decided for
   * what executes there (src/sync/export-travel.ts), so it is imported there only. Absent in online
   * handoffs and in bundles of earlier versions.
   */
  target?: string;
  /** Root tasks handed off. */
  steps: string[];
  executions: BundleExecution[];
  /** Artifacts the executions produced, plus those they consumed (which the target must already have). */
  artifacts: BundleArtifact[];
  /** Global ids of artifacts that are consumed but not carried (they came to the target earlier). */
  consumedOnly: string[];
  /** Importer artifacts: imported at the target with their URI unchanged, for KFP's importer to reuse. */
  importerArtifacts: string[];
  createdAt: string;
  /** True when `objects/` beside bundle.json holds the bytes. */
  bytesIncluded: boolean;
}

export function totalBytes(bundle: HandoffBundle): number {
  const carried = new Set([...bundle.executions.flatMap((e) => e.outputs.map((o) => o.artifact))]);
  return bundle.artifacts
    .filter((a) => carried.has(a.globalId) && a.relativePath !== undefined)
    .reduce((n, a) => n + a.objects.reduce((m, o) => m + o.size, 0), 0);
}
