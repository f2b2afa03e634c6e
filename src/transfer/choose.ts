// Which engine carries a handoff: the file's `spec.transfer.engine`, or for `auto` the cheapest
// usable one — inline for small handoffs (starting anything else costs more than it saves), the
// store's own copy when both locations share an endpoint, a cluster Job when both allow it.
import { UserError } from '../errors/user-error.js';
import { formatBytes } from '../units/bytes.js';
import type { TransferEngine, TransferEngineName, TransferSide, TransferSpec } from './engine.js';

import { DEFAULT_INLINE_MAX_BYTES } from '../split-file/transfer-types.js';

export { DEFAULT_INLINE_MAX_BYTES };
const MiB = 1024 * 1024;

/** Throughputs assumed for the plan's time estimate when the file gives none (bytes/s). */
export const DEFAULT_THROUGHPUT: Record<TransferEngineName, number> = {
  inline: 50 * MiB,
  'server-side': 500 * MiB,
  'kubernetes-job': 200 * MiB,
};

export interface EngineChoice {
  engine: TransferEngine;
  /** Why this engine (for the plan and messages). */
  reason: string;
}

export class TransferChoiceError extends UserError {
  constructor(message: string, location: string) {
    super(message, {
      code: 'transfer-engine',
      location,
      operation: 'choose-transfer-engine',
      advice: "set spec.transfer.engine to auto or inline, or allow the engine in both locations' transfer.engines",
    });
    this.name = 'TransferChoiceError';
  }
}

/**
 * `engines` are the engines this process has (inline is always among them). An explicit choice that
 * is not usable is an error naming why; `auto` falls back to inline.
 */
export function chooseEngine(
  spec: TransferSpec | undefined,
  source: TransferSide,
  target: TransferSide,
  bytes: number,
  engines: readonly TransferEngine[],
): EngineChoice {
  const byName = new Map(engines.map((e) => [e.name, e]));
  const wanted = spec?.engine ?? 'auto';
  if (wanted !== 'auto') {
    const engine = byName.get(wanted);
    if (engine === undefined)
      throw new TransferChoiceError(`the ${wanted} transfer engine is not available in this build`, target.location);
    const u = engine.usable(source, target);
    if (!u.usable) {
      const why = `spec.transfer.engine is ${wanted}, but it cannot copy from ${source.location} to ${target.location}: ${u.reason}`;
      throw new TransferChoiceError(why, target.location);
    }
    return { engine, reason: 'spec.transfer.engine' };
  }
  const inline = byName.get('inline')!;
  const inlineMax = spec?.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  const limit = `inlineMaxBytes ${formatBytes(inlineMax)}`;
  if (bytes <= inlineMax) return { engine: inline, reason: `auto: ${formatBytes(bytes)} ≤ ${limit}` };
  for (const name of ['server-side', 'kubernetes-job'] as const) {
    const engine = byName.get(name);
    if (engine?.usable(source, target).usable)
      return { engine, reason: `auto: ${formatBytes(bytes)} > ${limit}, and ${name} can copy this pair` };
  }
  return { engine: inline, reason: `auto: ${formatBytes(bytes)} > ${limit}, but no other engine can copy this pair` };
}

/** Estimated seconds for `bytes` by `engine` (the file's throughput, else the default). */
export function estimateSeconds(engine: TransferEngineName, bytes: number, spec?: TransferSpec): number {
  const rate = spec?.throughputBytesPerSecond?.[engine] ?? DEFAULT_THROUGHPUT[engine];
  return Math.ceil(bytes / Math.max(1, rate));
}
