// `plan --offline`: the operations a first apply of this revision would perform, derived from the
// file alone (no location contacted): the online planner run against locations that have nothing.
// Handoffs say which transfer engine the file chooses and why, judged from the file as the engines
// judge it (src/transfer/*: `usable`), with their bytes and time unknown: nothing has been listed.
import {
  DEFAULT_INLINE_MAX_BYTES,
  type LocationTransferSettings,
  type TransferSpec,
} from '../split-file/transfer-types.js';
import { formatBytes } from '../units/bytes.js';
import type { Observation } from './observation.js';
import { planReconcile, type ReconcileInput } from './reconcile.js';
import type { PlanDocument, PlannedTransfer, TransferEngineName } from './types.js';

/** What the file says about copying a handoff's bytes: `spec.transfer` and each location's ends. */
export interface OfflineTransferInput {
  spec?: TransferSpec;
  locations: {
    name: string;
    /** objectStore.endpoint (server-side needs both ends on one). */
    endpoint: string;
    region?: string;
    /** The location has `kubernetes:` (a cluster the Job engine can run in). */
    kubernetes: boolean;
    transfer?: LocationTransferSettings;
  }[];
}

type OfflineSide = OfflineTransferInput['locations'][number];
type Verdict = { usable: true } | { usable: false; reason: string };

/**
 * A location whose `transfer.engines` leaves `engine` out. Without the list it allows inline and
 * server-side (server-side.ts `allows`), and does not refuse kubernetes-job (kubernetes-job.ts
 * `usable`): that one needs `transfer.kubernetesJob` anyway.
 */
function refuses(side: OfflineSide, engine: TransferEngineName): boolean {
  const engines = side.transfer?.engines;
  return engines !== undefined && !engines.includes(engine);
}

const endpointOf = (s: OfflineSide) => s.endpoint.replace(/\/+$/, '').toLowerCase();

/** Whether `engine` can copy from → to, by the file alone (the same rules as the engines' `usable`). */
function usableOffline(engine: TransferEngineName, from: OfflineSide, to: OfflineSide): Verdict {
  if (engine === 'inline') return { usable: true };
  const refusing = [from, to].find((s) => refuses(s, engine));
  if (refusing) return { usable: false, reason: `transfer.engines of ${refusing.name} does not list ${engine}` };
  if (engine === 'server-side') {
    return endpointOf(from) === endpointOf(to)
      ? { usable: true }
      : { usable: false, reason: `${from.name} and ${to.name} use different object store endpoints` };
  }
  // kubernetes-job: the target's cluster runs the Job, else the source's.
  const runner = [to, from].find((s) => s.transfer?.kubernetesJob !== undefined && s.kubernetes);
  if (!runner)
    return { usable: false, reason: 'neither location has transfer.kubernetesJob settings and a cluster (kubeconfig)' };
  if (!/@sha256:[0-9a-f]{64}$/.test(runner.transfer!.kubernetesJob!.image))
    return { usable: false, reason: `the Job image of ${runner.name} is not pinned by digest (repo@sha256:…)` };
  return { usable: true };
}

/** The engine the file chooses for a handoff from → to, and why; bytes and time unknown offline. */
export function offlineTransfer(input: OfflineTransferInput, from: string, to: string): PlannedTransfer | undefined {
  const source = input.locations.find((l) => l.name === from);
  const target = input.locations.find((l) => l.name === to);
  if (!source || !target) return undefined;
  const unknown = { bytes: null, estimatedSeconds: null };
  const wanted = input.spec?.engine ?? 'auto';
  if (wanted !== 'auto') {
    const v = usableOffline(wanted, source, target);
    return v.usable
      ? { engine: wanted, reason: 'spec.transfer.engine (sizes are known once the locations are observed)', ...unknown }
      : {
          engine: wanted,
          reason: `spec.transfer.engine is ${wanted}, but it cannot copy from ${from} to ${to}: ${v.reason}`,
          ...unknown,
        };
  }
  const inlineMax = input.spec?.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  const large = (['server-side', 'kubernetes-job'] as const).find((e) => usableOffline(e, source, target).usable);
  return {
    engine: 'auto',
    reason: large
      ? `auto: inline up to ${formatBytes(inlineMax)}, ${large} above; the size is known once the locations are observed`
      : 'auto: inline (no other engine can copy between these locations)',
    ...unknown,
  };
}

export function planOffline(input: ReconcileInput & { transfer?: OfflineTransferInput }): PlanDocument {
  const observation: Observation = { revision: input.revision.short, locations: {} };
  for (const l of input.layouts) {
    observation.locations[l.location] = {
      location: l.location,
      kfpVersion: 'unknown',
      multiUser: false,
      pipelineVersionUploaded: false,
      runs: [],
      availability: {},
      markerRuns: [],
    };
  }
  const plan = planReconcile(input, observation);
  const total = new Set(input.layouts.flatMap((l) => l.steps)).size;
  return {
    ...plan,
    offline: true,
    inSync: false,
    stages: plan.stages.map((s) => ({ ...s, state: 'unknown' })),
    operations: plan.operations.map((op) => {
      if (op.kind === 'upload-pipeline') {
        const version = `pipeline version ${input.revision.short}`;
        return { ...op, reason: `${version} is uploaded at ${op.location} for traceability` };
      }
      if (op.kind === 'run-stage') {
        const l = input.layouts[op.stage - 1]!;
        const cached = l.fromCache.length > 0 ? `, serving ${l.fromCache.join(', ')} from cache` : '';
        const pruned = `the pipeline pruned to ${l.runTasks.length} of its ${total} tasks`;
        return { ...op, reason: `stage ${l.index} runs ${l.steps.join(', ')} at ${l.location}${cached} (${pruned})` };
      }
      if (op.kind === 'handoff' && op.from !== undefined && input.transfer) {
        const transfer = offlineTransfer(input.transfer, op.from, op.location);
        return transfer ? { ...op, transfer } : op;
      }
      return op;
    }),
  };
}
