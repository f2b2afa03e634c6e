/**
 * When and how long to wait before trying a KFP request again. Overload answers (429, 503) and
 * connections that were never made are safe to retry for any request: the server did not act.
 * 502/504, time-outs and connections that broke after the request was sent may have been acted
 * on, so they are retried only for idempotent operations (a repeated createRun would start a
 * second run).
 */
import type { TransportError } from './transport.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First back-off delay; doubles per attempt. */
  baseDelayMs: number;
  /** Longest wait; a Retry-After longer than this ends the retries. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export function retryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429 || status === 503) return true;
  return idempotent && (status === 502 || status === 504);
}

export function retryableTransportError(e: TransportError, idempotent: boolean): boolean {
  if (e.kind === 'tls') return false;
  return idempotent || !e.sent;
}

/** Exponential back-off with jitter: between half and all of base·2^(attempt-1), capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
