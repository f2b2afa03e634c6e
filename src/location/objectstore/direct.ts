// The per-object requests of a copy (HEAD, GET, PUT, UploadPart) as plain SigV4-signed HTTP
// requests. The AWS SDK spends about a millisecond of CPU on each request in its middleware stack;
// a handoff makes two per object, and where the stores share the machine's cores (the lab, a
// store on the same node) that CPU is the copy's speed limit: rclone's copy took ~4 CPU-seconds
// where ours took ~6 (bench/transfer). Everything else (listings, multipart create/complete,
// deletes) stays on the SDK.
//
// Nothing here is decided apart from the SDK: the URL prefix of a bucket is what the SDK's own
// endpoint rules build (captured once per bucket from a request it prepares but never sends),
// credentials come from the SDK's resolved provider chain, and signatures from the SDK's own
// SignatureV4 (@smithy/signature-v4), configured as the S3 client configures it (no double path
// escaping). Retries follow the SDK's "standard" mode: transient statuses (500, 502, 503, 504,
// 429), throttling codes and connection errors, with full-jitter exponential backoff (100 ms base,
// 20 s cap) up to the configured attempts.
import { createHash, createHmac, type BinaryLike, type Hash, type Hmac } from 'node:crypto';
// `http.request` is looked up per call, not bound at import: interceptors that tests install
// (nock) replace the module's property, which a binding taken earlier would never see.
import http, { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https, { Agent as HttpsAgent } from 'node:https';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';

export interface DirectSettings {
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

/** The checksum constructor SignatureV4 takes: SHA-256, or HMAC-SHA-256 when given a secret. */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: BinaryLike | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === 'string'
        ? secret
        : secret instanceof ArrayBuffer
          ? new Uint8Array(secret)
          : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

interface BucketBase {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number | undefined;
  /** The encoded path before the key (`/bucket/` path-style, `/` virtual-hosted). */
  prefix: string;
}

/** An S3 error answer, shaped as the SDK's (name = code, `$metadata`), for toObjectStoreError. */
export class S3ResponseError extends Error {
  readonly code: string;
  readonly $metadata: { httpStatusCode?: number; attempts: number };
  constructor(code: string, message: string, status: number | undefined, attempts: number) {
    super(message || code);
    this.name = code;
    this.code = code;
    this.$metadata = { ...(status !== undefined ? { httpStatusCode: status } : {}), attempts };
  }
}

const PROBE_KEY = 'split-pipelines-endpoint-probe';
const TRANSIENT_STATUS = new Set([500, 502, 503, 504, 429]);
const THROTTLING_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestThrottled',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** RFC 3986 escaping, as SigV4 canonicalizes (encodeURIComponent leaves !'()* alone). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const encodeKey = (key: string) => key.split('/').map(rfc3986).join('/');

/** Stops the SDK's endpoint probe before it is signed or sent (nothing goes on the wire). */
export class EndpointCaptured extends Error {
  override readonly name = 'EndpointCaptured';
  constructor(readonly request: { protocol?: string; hostname?: string; port?: number; path?: string }) {
    super('endpoint captured; the request was not sent');
  }
}

export interface DirectResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** Requests made for this answer, counting retries. */
  attempts: number;
}

export interface DirectRequest {
  method: 'HEAD' | 'GET' | 'PUT';
  bucket: string;
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
  /** SigV4 payload hash: the body's SHA-256 hex when known, or UNSIGNED-PAYLOAD. */
  payloadHash?: string;
  /** Answer statuses handed back instead of failing (404 for HEAD). */
  accept?: number[];
}

export class DirectRequests {
  private readonly signer: SignatureV4;
  private readonly bases = new Map<string, Promise<BucketBase>>();
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 50 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 50 });

  constructor(
    private readonly s3: S3Client,
    private readonly settings: DirectSettings,
  ) {
    this.signer = new SignatureV4({
      credentials: s3.config.credentials,
      region: s3.config.region,
      service: 's3',
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: true,
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Where the SDK would send a request for `bucket`: it prepares one, and this stops it unsent. */
  private base(bucket: string): Promise<BucketBase> {
    let found = this.bases.get(bucket);
    if (!found) {
      found = this.capture(bucket);
      found.catch(() => this.bases.delete(bucket));
      this.bases.set(bucket, found);
    }
    return found;
  }

  private async capture(bucket: string): Promise<BucketBase> {
    const command = new HeadObjectCommand({ Bucket: bucket, Key: PROBE_KEY });
    command.middlewareStack.add(
      () => async (args) => {
        throw new EndpointCaptured(args.request as EndpointCaptured['request']);
      },
      { step: 'build', name: 'splitPipelinesCaptureEndpoint' },
    );
    try {
      await this.s3.send(command);
    } catch (err) {
      if (!(err instanceof EndpointCaptured)) throw err;
      const { protocol, hostname, port, path } = err.request;
      const suffix = encodeKey(PROBE_KEY);
      if (!hostname || !path?.endsWith(suffix) || (protocol !== 'http:' && protocol !== 'https:')) {
        throw new Error(
          `cannot tell the S3 endpoint of bucket ${bucket} (the SDK prepared ${protocol}//${hostname}${path})`,
          {
            cause: err,
          },
        );
      }
      return { protocol, hostname, port: port || undefined, prefix: path.slice(0, path.length - suffix.length) };
    }
    throw new Error('the S3 client sent the endpoint probe');
  }

  /** One request with the standard retry policy; the answer is 2xx or one of `accept`. */
  async send(req: DirectRequest): Promise<DirectResponse> {
    const base = await this.base(req.bucket);
    const attempts = Math.max(1, this.settings.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const res = await this.once(base, req, attempt);
        if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
        failure = await errorOf(res, attempt);
      } catch (err) {
        failure = err;
      }
      if (attempt >= attempts || !isTransient(failure)) throw withAttempts(failure, attempt);
      const delay = Math.random() * Math.min(20_000, 100 * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async once(base: BucketBase, req: DirectRequest, attempts: number): Promise<DirectResponse> {
    const query = req.query ?? {};
    const search = Object.entries(query)
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .join('&');
    const path = `${base.prefix}${encodeKey(req.key)}`;
    const host = base.port ? `${base.hostname}:${base.port}` : base.hostname;
    const headers: Record<string, string> = { ...req.headers, host };
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    headers['x-amz-content-sha256'] = req.payloadHash ?? (req.body === undefined ? EMPTY_SHA256 : UNSIGNED_PAYLOAD);
    const signed = await this.signer.sign({
      method: req.method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port,
      path,
      query,
      headers,
    });
    const send = base.protocol === 'https:' ? https.request : http.request;
    return new Promise<DirectResponse>((resolve, reject) => {
      const r = send({
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: search ? `${path}?${search}` : path,
        headers: signed.headers,
        agent: base.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
      });
      const connectTimer = setTimeout(
        () => r.destroy(networkError('ETIMEDOUT', `no connection within ${this.settings.connectionTimeoutMs} ms`)),
        this.settings.connectionTimeoutMs,
      );
      r.once('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      // Idle time on the socket, also while a body streams (as the SDK's requestTimeout).
      r.setTimeout(this.settings.requestTimeoutMs, () =>
        r.destroy(networkError('ETIMEDOUT', `no answer within ${this.settings.requestTimeoutMs} ms`)),
      );
      r.once('error', (err) => {
        clearTimeout(connectTimer);
        reject(err);
      });
      r.once('response', (res) => {
        clearTimeout(connectTimer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, attempts });
      });
      r.end(req.body);
    });
  }
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

async function errorOf(res: DirectResponse, attempt: number): Promise<S3ResponseError> {
  let text = '';
  if (res.body.readable) {
    res.body.setEncoding('utf8');
    for await (const chunk of res.body as AsyncIterable<string>) if (text.length < 64 * 1024) text += chunk;
  }
  const tag = (name: string) => text.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1];
  // Bodiless answers (HEAD) carry only the status.
  const fallback =
    res.status === 404
      ? 'NotFound'
      : res.status === 403
        ? 'Forbidden'
        : res.status === 429
          ? 'TooManyRequests'
          : `Http${res.status}`;
  return new S3ResponseError(tag('Code') ?? fallback, tag('Message') ?? '', res.status, attempt);
}

function isTransient(err: unknown): boolean {
  if (err instanceof S3ResponseError) {
    return TRANSIENT_STATUS.has(err.$metadata.httpStatusCode ?? 0) || THROTTLING_CODES.has(err.code);
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

function withAttempts(err: unknown, attempts: number): unknown {
  if (err instanceof S3ResponseError) {
    err.$metadata.attempts = attempts;
    return err;
  }
  if (typeof err === 'object' && err !== null) Object.assign(err, { $metadata: { attempts } });
  return err;
}

/** User metadata from answer headers (`x-amz-meta-*`), names lower-case without the prefix. */
export function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') out[name.slice('x-amz-meta-'.length)] = value;
  }
  return out;
}

/** Request headers for user metadata. */
export function metadataHeaders(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) out[`x-amz-meta-${name.toLowerCase()}`] = value;
  return out;
}
