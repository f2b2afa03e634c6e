// One handoff, in the order that makes a kill at any point safe: export (read-only at the source),
// bytes, marker run (waited for: it must succeed, and then its run context is recorded), metadata,
// cache rows last. Re-running it finds everything already done and moves 0 bytes.
import type { BackendReaders } from '../observe/location-backend.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import type { ObjectStore } from '../location/objectstore/index.js';
import { copyBytes, type ByteProgress, type TransferChoice } from './copy-bytes.js';
import type { TransferEngineName } from '../transfer/engine.js';
import { exportAt, importAt } from './location-records.js';
import { awaitMarkerRun, ensureMarkerRun } from './marker-run.js';
import type { HandoffBundle } from './bundle.js';
import type { DataRule } from '../plan/residency.js';

export interface HandoffEnd extends BackendReaders {
  kfpVersion: string;
  pipelineRoot: string;
  store: ObjectStore;
}

export interface HandoffRequest {
  source: HandoffEnd;
  target: HandoffEnd;
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  steps: string[];
  /** Outputs of `steps` that travel as records only (the plan's handoff `artifacts`, src/plan/travel.ts). */
  recordsOnly?: readonly { step: string; output: string }[];
  splitPipeline: string;
  revision: string;
  experiment: string;
  markerRunName: string;
  /** The target's `kfp.markerImage`. */
  markerImage?: string;
  /** How long to wait for the marker run (default 10 minutes) and how often to look. */
  markerTimeoutMs?: number;
  pollMs?: number;
  onPhase?: (phase: 'export' | 'bytes' | 'marker-run' | 'metadata' | 'done') => void;
  onBytes?: (p: ByteProgress) => void;
  /** The file's transfer settings for this pair (src/transfer): which engine copies the bytes. */
  transfer?: TransferChoice;
  /** The file's `spec.data`: the byte copy refuses to store an object its keepIn keeps out of the target. */
  data?: readonly DataRule[];
}

export interface HandoffReport {
  from: string;
  to: string;
  steps: string[];
  objects: number;
  objectsCopied: number;
  /** Bytes this process itself moved (0 when another engine copied them). */
  bytesMoved: number;
  /** The transfer engine that copied the bytes. */
  engine: TransferEngineName;
  /** What the engine did: bytes it copied wherever it ran, whether it went on with an earlier run's work, where. */
  transfer?: { bytesCopied: number; resumed: boolean; detail?: string };
  markerRunId: string;
  artifactsCreated: number;
  executionsCreated: number;
  cacheRowsCreated: number;
  /** The imported tasks with a cache entry: the target's id of each (ML Metadata: an execution id; native: a task id). */
  executions: { key: string; executionId: number | string; fingerprint: string }[];
}

export async function runHandoff(req: HandoffRequest): Promise<HandoffReport> {
  req.onPhase?.('export');
  const common = {
    graph: req.graph,
    parameters: req.parameters,
    steps: req.steps,
    splitPipeline: req.splitPipeline,
    revision: req.revision,
    ...(req.recordsOnly ? { recordsOnly: req.recordsOnly } : {}),
  };
  const { source } = req;
  const bundle = await exportAt(source, common);
  return importBundle(bundle, { kind: 'store', store: req.source.store }, req);
}

export async function importBundle(
  bundle: HandoffBundle,
  from: Parameters<typeof copyBytes>[1],
  req: Omit<HandoffRequest, 'source' | 'steps'>,
): Promise<HandoffReport> {
  req.onPhase?.('bytes');
  const bytes = await copyBytes(
    bundle,
    from,
    { store: req.target.store, pipelineRoot: req.target.pipelineRoot },
    {
      ...(req.onBytes ? { onProgress: req.onBytes } : {}),
      ...(req.transfer ? { transfer: req.transfer } : {}),
      ...(req.data ? { residency: { location: req.target.name, data: req.data } } : {}),
    },
  );
  req.onPhase?.('marker-run');
  const marker = await ensureMarkerRun({
    kfp: req.target.kfp,
    displayName: req.markerRunName,
    experiment: req.experiment,
    pipelineRoot: req.target.pipelineRoot,
    description:
      `split-pipelines handoff of ${bundle.steps.join(', ')} from ${bundle.source.location} ` +
      `(revision ${bundle.revision} of ${bundle.splitPipeline}). ` +
      'Owns their KFP cache rows here: deleting this run deletes them.',
    ...(req.markerImage ? { image: req.markerImage } : {}),
  });
  await awaitMarkerRun(req.target.kfp, marker, {
    location: req.target.name,
    ...(req.markerTimeoutMs !== undefined ? { timeoutMs: req.markerTimeoutMs } : {}),
    ...(req.pollMs !== undefined ? { pollMs: req.pollMs } : {}),
  });
  req.onPhase?.('metadata');
  const imported = await importAt(req.target, {
    bundle,
    graph: req.graph,
    parameters: req.parameters,
    markerRunId: marker.run_id,
    digests: bytes.digests,
  });
  req.onPhase?.('done');
  return {
    from: bundle.source.location,
    to: req.target.name,
    steps: bundle.steps,
    objects: bytes.objects,
    objectsCopied: bytes.copied,
    bytesMoved: bytes.bytesMoved,
    engine: bytes.engine,
    transfer: {
      bytesCopied: bytes.bytesCopied,
      resumed: bytes.resumed,
      ...(bytes.detail !== undefined ? { detail: bytes.detail } : {}),
    },
    markerRunId: marker.run_id,
    artifactsCreated: imported.artifactsCreated,
    executionsCreated: imported.executionsCreated,
    cacheRowsCreated: imported.cacheRowsCreated,
    executions: imported.executions,
  };
}
