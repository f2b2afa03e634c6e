// The plan's view of each handoff's copy: the engine apply would choose (src/transfer/choose.ts, with
// the same sides, settings and clusters apply gives it), the bytes to copy and an estimated time.
// The bytes are the operation's (src/plan/travel.ts fills them from observed sizes); while they are
// unknown, `auto` cannot choose yet and no time is estimated.
import type { PlanDocument, PlannedOperation, PlannedTransfer } from '../plan/types.js';
import { chooseEngine, DEFAULT_INLINE_MAX_BYTES, estimateSeconds, TransferChoiceError } from '../transfer/choose.js';
import type { TransferEngine, TransferSide, TransferSpec } from '../transfer/engine.js';
import { inlineEngine } from '../transfer/inline.js';
import { kubernetesJobEngine } from '../transfer/kubernetes-job.js';
import { serverSideEngine } from '../transfer/server-side.js';
import { formatBytes } from '../units/bytes.js';
import type { ReconcileSession } from './session.js';

/** Every engine this build has, as apply offers them to `chooseEngine`. */
export function allEngines(): TransferEngine[] {
  return [inlineEngine(), serverSideEngine(), kubernetesJobEngine()];
}

export function plannedTransfer(
  spec: TransferSpec | undefined,
  source: TransferSide,
  target: TransferSide,
  bytes: number | null,
  engines: readonly TransferEngine[] = allEngines(),
): PlannedTransfer {
  const wanted = spec?.engine ?? 'auto';
  try {
    if (wanted === 'auto' && bytes === null) {
      const inlineMax = spec?.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
      const large = chooseEngine(spec, source, target, inlineMax + 1, engines).engine.name;
      return {
        engine: 'auto',
        reason:
          large === 'inline'
            ? 'auto: inline (no other engine can copy between these locations)'
            : `auto: inline up to ${formatBytes(inlineMax)}, ${large} above; the size is known once the bytes are listed`,
        bytes: null,
        estimatedSeconds: null,
      };
    }
    const { engine, reason } = chooseEngine(spec, source, target, bytes ?? 0, engines);
    return {
      engine: engine.name,
      reason,
      bytes,
      estimatedSeconds: bytes === null ? null : estimateSeconds(engine.name, bytes, spec),
    };
  } catch (e) {
    // The file's explicit engine cannot copy this pair: the plan says why (apply stops there).
    if (e instanceof TransferChoiceError) return { engine: wanted, reason: e.problem, bytes, estimatedSeconds: null };
    throw e;
  }
}

/** Adds `transfer` to the plan's handoffs; `side(location)` gives a location's end as apply would. */
export function withTransfers(
  plan: PlanDocument,
  spec: TransferSpec | undefined,
  side: (location: string) => TransferSide,
): PlanDocument {
  if (!plan.operations.some((op) => op.kind === 'handoff')) return plan;
  const engines = allEngines();
  const operations = plan.operations.map((op): PlannedOperation => {
    if (op.kind !== 'handoff' || op.from === undefined) return op;
    const bytes = typeof op.bytes === 'number' ? op.bytes : null;
    return { ...op, transfer: plannedTransfer(spec, side(op.from), side(op.location), bytes, engines) };
  });
  return { ...plan, operations };
}

/** A location's end of a transfer as apply gives it to the engines: its store, `transfer:` and cluster. */
export function transferSideOf(session: Pick<ReconcileSession, 'project' | 'client'>, location: string): TransferSide {
  const { store, kube } = session.client(location);
  return {
    location,
    endpoint: store.endpoint,
    region: store.region,
    store,
    settings: session.project.spec.spec.locations.find((l) => l.name === location)?.transfer,
    ...(kube ? { cluster: kube } : {}),
  };
}

/** The plan's handoffs with their transfer (engine, bytes, estimated time). */
export function withSessionTransfers(
  session: Pick<ReconcileSession, 'project' | 'client'>,
  plan: PlanDocument,
): PlanDocument {
  return withTransfers(plan, session.project.spec.spec.transfer, (l) => transferSideOf(session, l));
}
