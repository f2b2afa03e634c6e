// Fault injection in front of the lab's S3 server, for tests and benchmarks. Every HTTP request
// is counted; "every N" rules fire on requests N, 2N, 3N… so a test can predict which request
// fails. The failures are the ones a client meets against real S3/MinIO: 500 InternalError,
// 503 SlowDown, a connection reset before any response, a connection cut in the middle of a
// GET's body, and added latency.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ObjectStoreFaults {
  /** Every Nth request is answered `500 InternalError`. */
  status500EveryN?: number;
  /** Every Nth request is answered `503 SlowDown` (S3's throttling answer). */
  slowDownEveryN?: number;
  /** Every Nth request has its connection destroyed before any response byte. */
  dropConnectionEveryN?: number;
  /** Every Nth request, if it is an object GET, has its connection cut after the first body chunk. */
  cutBodyEveryN?: number;
  /** Latency added before every request is handled, in milliseconds. */
  delayMs?: number;
}

export interface FaultStats {
  requests: number;
  status500: number;
  slowDown: number;
  dropped: number;
  cutBodies: number;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function fires(every: number | undefined, n: number): boolean {
  return every !== undefined && every > 0 && n % every === 0;
}

function errorXml(code: string, message: string, resource: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${escape(message)}</Message>` +
    `<Resource>${escape(resource)}</Resource><RequestId>lab-fault</RequestId></Error>`
  );
}

/** Reads and discards the request body, so the error answer is not lost to a broken pipe. */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req
      .on('end', resolve)
      .on('error', () => resolve())
      .on('close', resolve);
    req.resume();
  });
}

async function answerError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) {
  await drain(req);
  const body = req.method === 'HEAD' ? '' : errorXml(code, message, (req.url ?? '/').split('?')[0] ?? '/');
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': 'lab-fault',
  });
  res.end(body);
}

function cutAfterFirstChunk(res: ServerResponse): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  let chunks = 0;
  res.write = ((...args: unknown[]) => {
    chunks += 1;
    if (chunks > 1) {
      res.socket?.destroy();
      return false;
    }
    return write(...args);
  }) as ServerResponse['write'];
}

export class FaultInjector {
  private faults: ObjectStoreFaults;
  private readonly counters: FaultStats = { requests: 0, status500: 0, slowDown: 0, dropped: 0, cutBodies: 0 };

  constructor(faults: ObjectStoreFaults = {}) {
    this.faults = { ...faults };
  }

  /** Replaces the fault rules and restarts request counting at zero. */
  set(faults: ObjectStoreFaults): void {
    this.faults = { ...faults };
    this.counters.requests = 0;
  }

  stats(): FaultStats {
    return { ...this.counters };
  }

  wrap(next: Listener): Listener {
    return (req, res) => {
      void this.handle(req, res, next);
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, next: Listener): Promise<void> {
    const f = this.faults;
    const n = ++this.counters.requests;
    if (f.delayMs && f.delayMs > 0) await new Promise((r) => setTimeout(r, f.delayMs));
    if (fires(f.dropConnectionEveryN, n)) {
      this.counters.dropped += 1;
      req.socket.destroy();
      return;
    }
    if (fires(f.status500EveryN, n)) {
      this.counters.status500 += 1;
      await answerError(req, res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      return;
    }
    if (fires(f.slowDownEveryN, n)) {
      this.counters.slowDown += 1;
      await answerError(req, res, 503, 'SlowDown', 'Please reduce your request rate.');
      return;
    }
    const isObjectGet = req.method === 'GET' && /^\/[^/?]+\/[^?]+/.test(req.url ?? '');
    if (isObjectGet && fires(f.cutBodyEveryN, n)) {
      this.counters.cutBodies += 1;
      cutAfterFirstChunk(res);
    }
    next(req, res);
  }
}
