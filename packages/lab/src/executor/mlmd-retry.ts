// KFP's metadata client retries every call on ABORTED (MySQL deadlocks) and UNAVAILABLE, up to 10
// times with bounded exponential backoff (`backend/src/v2/metadata/client.go` NewClient). The lab's
// executor does the same, with shorter delays, so injected MLMD faults are absorbed as in KFP.
import { MlmdError } from '../../../../src/location/mlmd/index.js';

const RETRIED = new Set(['ABORTED', 'UNAVAILABLE']);
const ATTEMPTS = 10;

export async function withMlmdRetry<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof MlmdError) || !RETRIED.has(err.code) || attempt >= ATTEMPTS || signal?.aborted) throw err;
      const delay = Math.min(1000, 25 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
