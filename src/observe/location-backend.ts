// What observe reads of a location's run metadata, whichever backend keeps it: the verification of a stage run,
// the availability walk, the pipeline roots runs used. The only place in observe that knows the backends: ML
// Metadata is read through the readers (cache-walk.ts, mlmd-run-record.ts), the next KFP through the native
// backend of the port (src/location/backend/native.ts). Detection happened at the readers' first healthz
// (src/location/connect.ts); src/sync/location-records.ts is the same for the writes.
import type { BackendKind } from '../location/backend/port.js';
import { nativeBackend, type NativeBackend } from '../location/backend/native.js';
import { verifyRunRecord } from '../location/backend/verify-run.js';
import { detectedBackend } from '../location/connect.js';
import type { NativeClient } from '../location/native/client.js';
import type { PipelineGraph } from '../pipeline/graph.js';
import type { JsonValue } from '../pipeline/ir.js';
import type { StageVerification, StepAvailability } from '../plan/observation.js';
import { walkBackend } from './backend-walk.js';
import { walkCache } from './cache-walk.js';
import { hitsOfBackendWalk, hitsOfCacheWalk, type HeldHit } from './held-artifacts.js';
import { checkRunRoot } from './pipeline-root.js';
import type { LocationReaders } from './cache-lookup.js';
import { mlmdRunRecord } from './mlmd-run-record.js';

/** Readers of a location that may run the next KFP: its native API client. */
export interface BackendReaders extends LocationReaders {
  native?: NativeClient;
}

/** The location's backend as detected at its healthz; `mlmd` for readers that do not detect (tests' fakes). */
export async function backendKindOf(loc: LocationReaders): Promise<BackendKind> {
  return (await detectedBackend(loc.kfp)) ?? 'mlmd';
}

export function nativeBackendOf(loc: BackendReaders): NativeBackend {
  if (!loc.native) throw new Error(`location ${loc.name} runs the next KFP but has no native API client`);
  return nativeBackend({
    name: loc.name,
    native: loc.native,
    ...(loc.namespace !== undefined ? { namespace: loc.namespace } : {}),
    ...(loc.publishLogs !== undefined ? { publishLogs: loc.publishLogs } : {}),
  });
}

export interface StageVerifyRequest {
  location: string;
  runId: string;
  steps: readonly string[];
  fromCache: readonly string[];
  expectedFingerprints?: Record<string, string[]>;
}

/** Verification of a finished stage run from the location's own records, whichever backend keeps them. */
export async function verifyStage(loc: BackendReaders, req: StageVerifyRequest): Promise<StageVerification> {
  const record =
    (await backendKindOf(loc)) === 'native'
      ? await nativeBackendOf(loc).runRecord(req.runId)
      : await mlmdRunRecord(loc.mlmd, loc.name, req.runId);
  return verifyRunRecord(record, req);
}

/**
 * That the runs used the configured pipeline root (pipeline-root.ts). The root a run used is read from its ML
 * Metadata context; the native API records none (a run's root shows only in its artifacts' URIs, which the byte
 * checks of the walk resolve against the store).
 */
export async function checkRunRoots(
  loc: BackendReaders,
  pipelineRoot: string,
  runIds: readonly string[],
): Promise<void> {
  if ((await backendKindOf(loc)) === 'native') return;
  for (const runId of runIds) await checkRunRoot(loc.mlmd, loc.name, pipelineRoot, runId);
}

export interface LocationWalkOptions {
  graph: PipelineGraph;
  parameters: Record<string, JsonValue>;
  rootTasks: readonly string[];
  kfpVersion: string;
}

/** Which root tasks are available at the location, and the hits that serve them, from its own cache. */
export async function walkLocation(
  loc: BackendReaders,
  o: LocationWalkOptions,
): Promise<{ availability: Record<string, StepAvailability>; hits: HeldHit[] }> {
  if ((await backendKindOf(loc)) === 'native') {
    const backend = nativeBackendOf(loc);
    const walk = await walkBackend(backend, { ...o, scope: await backend.cacheScope(), store: loc.store });
    return { availability: walk.availability, hits: hitsOfBackendWalk(walk.entries.values()) };
  }
  const walk = await walkCache(loc, o);
  return { availability: walk.availability, hits: hitsOfCacheWalk(walk.entries.values()) };
}
