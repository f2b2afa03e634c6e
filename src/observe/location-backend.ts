// Which backend keeps a location's run metadata, and its port implementation where observe can build one.
// The MLMD functions (cache-walk.ts, verify.ts) read ML Metadata through the readers directly; a location
// running the next KFP (no ML Metadata) is read through the native backend of the port
// (src/location/backend/native.ts). Detection happened at the readers' first healthz (src/location/connect.ts).
import type { BackendKind } from '../location/backend/port.js';
import { nativeBackend, type NativeBackend } from '../location/backend/native.js';
import { verifyRunRecord } from '../location/backend/verify-run.js';
import { detectedBackend } from '../location/connect.js';
import type { NativeClient } from '../location/native/client.js';
import type { StageVerification } from '../plan/observation.js';
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
