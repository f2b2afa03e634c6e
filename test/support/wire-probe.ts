// Watches the product's clients on the wire, in-process, without changing what they do: KFP HTTP
// exchanges (the KFP client goes through the global `fetch`), ML Metadata gRPC attempts (one
// `MlmdChannel.once` per attempt) and S3 requests (the SDK reports its attempts per command in
// `$metadata.attempts`, and so do the object requests made beside it, DirectRequests.send). Fault tests use it to show that an injected fault was really met (a
// fault that never fired proves nothing); benchmarks use it to count requests per location.
import { S3Client } from '@aws-sdk/client-s3';
import { MlmdChannel } from '../../src/location/mlmd/channel.js';
import { DirectRequests, EndpointCaptured } from '../../src/location/objectstore/direct.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';

export type Protocol = 'kfp' | 'mlmd' | 's3';

export interface WireCounts {
  /** Requests (attempts) per protocol. */
  requests: Record<Protocol, number>;
  /** KFP answers by HTTP status, for the statuses a fault test cares about (429, 503, ...). */
  kfpStatuses: Record<number, number>;
  /** KFP exchanges that got no answer (dropped connections). */
  kfpNoAnswer: number;
  /** ML Metadata attempts answered UNAVAILABLE (gRPC code 14). */
  mlmdUnavailable: number;
  /** S3 attempts that were retried by the SDK (attempts beyond the first). */
  s3Retries: number;
  /** Object downloads whose body stream broke before its end. */
  s3BrokenBodies: number;
}

export interface WireProbe {
  /** Totals so far. */
  counts(): WireCounts;
  /** Requests so far per endpoint (`host:port`) and protocol. */
  byEndpoint(): Map<string, Record<Protocol, number>>;
  reset(): void;
  /** Restores the patched functions. */
  stop(): void;
}

type Once = (this: MlmdChannel, method: string, request: object, deadlineMs: number) => Promise<object>;
type Send = S3Client['send'];

const empty = (): Record<Protocol, number> => ({ kfp: 0, mlmd: 0, s3: 0 });

/** Starts watching. Only one probe may be active at a time. */
export function startWireProbe(): WireProbe {
  let counts: WireCounts;
  let endpoints: Map<string, Record<Protocol, number>>;
  const reset = () => {
    counts = {
      requests: empty(),
      kfpStatuses: {},
      kfpNoAnswer: 0,
      mlmdUnavailable: 0,
      s3Retries: 0,
      s3BrokenBodies: 0,
    };
    endpoints = new Map();
  };
  reset();
  const hit = (endpoint: string, protocol: Protocol, n = 1) => {
    counts.requests[protocol] += n;
    const e = endpoints.get(endpoint) ?? empty();
    e[protocol] += n;
    endpoints.set(endpoint, e);
  };

  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    hit(url.host, 'kfp');
    try {
      const res = await originalFetch(input, init);
      counts.kfpStatuses[res.status] = (counts.kfpStatuses[res.status] ?? 0) + 1;
      return res;
    } catch (e) {
      counts.kfpNoAnswer++;
      throw e;
    }
  };

  const proto = MlmdChannel.prototype as unknown as { once: Once };
  const originalOnce = proto.once;
  proto.once = function (this: MlmdChannel, method, request, deadlineMs) {
    hit(this.address, 'mlmd');
    return originalOnce.call(this, method, request, deadlineMs).catch((e: unknown) => {
      if ((e as { code?: number }).code === 14) counts.mlmdUnavailable++;
      throw e;
    });
  };

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .apply(this) below
  const originalSend = S3Client.prototype.send;
  const attemptsOf = (x: unknown): number =>
    (x as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
  const endpointOf = (s3: S3Client) =>
    s3.config.endpoint?.().then(
      (e) => `${e.hostname}${e.port ? `:${e.port}` : ''}`,
      () => 'unknown',
    );
  const recordS3 = (endpoint: string | undefined, attempts: number) => {
    hit(endpoint ?? 'unknown', 's3', attempts);
    counts.s3Retries += attempts - 1;
  };
  S3Client.prototype.send = async function (this: S3Client, ...args: Parameters<Send>) {
    const endpoint = await endpointOf(this);
    try {
      const out = await (originalSend as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      recordS3(endpoint, attemptsOf(out));
      return out;
    } catch (e) {
      // The endpoint probe of direct.ts is stopped before it is sent: not a request.
      if (!(e instanceof EndpointCaptured)) recordS3(endpoint, attemptsOf(e));
      throw e;
    }
  } as Send;

  // The object requests made beside the SDK (direct.ts), counted the same way.
  type DirectSend = DirectRequests['send'];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .apply(this) below
  const originalDirect = DirectRequests.prototype.send;
  DirectRequests.prototype.send = async function (this: DirectRequests, ...args: Parameters<DirectSend>) {
    const endpoint = await endpointOf((this as unknown as { s3: S3Client }).s3);
    try {
      const res = await originalDirect.apply(this, args);
      recordS3(endpoint, res.attempts);
      return res;
    } catch (e) {
      recordS3(endpoint, attemptsOf(e));
      throw e;
    }
  };

  // Reads `errored` once the body closes instead of listening for 'error', which would change
  // what happens to an error nobody else handles.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .apply(this) below
  const originalGet = ObjectStore.prototype.get;
  ObjectStore.prototype.get = async function (this: ObjectStore, ...args: Parameters<ObjectStore['get']>) {
    const download = await originalGet.apply(this, args);
    download.body.once('close', () => {
      if (download.body.errored) counts.s3BrokenBodies++;
    });
    return download;
  };

  return {
    counts: () => structuredClone(counts),
    byEndpoint: () => new Map([...endpoints].map(([k, v]) => [k, { ...v }])),
    reset,
    stop: () => {
      globalThis.fetch = originalFetch;
      proto.once = originalOnce;
      S3Client.prototype.send = originalSend;
      DirectRequests.prototype.send = originalDirect;
      ObjectStore.prototype.get = originalGet;
    },
  };
}
