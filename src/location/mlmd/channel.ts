// One gRPC channel to a location's metadata-grpc-service: deadlines, retries with exponential
// backoff and jitter, and errors turned into MlmdError values.
import * as grpc from '@grpc/grpc-js';
import { MlmdError } from './errors.js';
import { metadataStoreClientConstructor } from './proto-definition.js';

export interface MlmdRetryOptions {
  /** Total attempts for a retryable call, first one included (default 5). */
  attempts?: number;
  /** Delay before the first retry (default 100 ms); doubles per retry. */
  baseDelayMs?: number;
  /** Upper bound of one delay (default 3000 ms). */
  maxDelayMs?: number;
}

export interface MlmdTlsOptions {
  /** PEM CA bundle that signs the server's certificate. */
  ca: string | Buffer;
  /** Expected server name when it differs from the address host (grpc.ssl_target_name_override). */
  serverNameOverride?: string;
}

export interface MlmdChannelOptions {
  /** Location name, used in every error. */
  location: string;
  /** `host:port` of metadata-grpc-service (KFP default port 8080). */
  address: string;
  /** TLS with this CA; absent means plaintext (KFP's in-cluster default). */
  tls?: MlmdTlsOptions;
  /** Deadline of one attempt (default 15000 ms). */
  deadlineMs?: number;
  retry?: MlmdRetryOptions;
}

export interface CallOptions {
  deadlineMs?: number;
}

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: object) => void,
) => void;

const RETRYABLE_CODES = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

// KFP deploys the server with 100 MiB message limits; match them so large pages are not refused.
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 104_857_600,
  'grpc.max_send_message_length': 104_857_600,
};

/** Equal jitter: half the exponential delay plus a random part of the other half. */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (retry - 1));
  return exponential / 2 + random() * (exponential / 2);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class MlmdChannel {
  readonly location: string;
  readonly address: string;
  private readonly client: grpc.Client;
  private readonly deadlineMs: number;
  private readonly retry: Required<MlmdRetryOptions>;

  constructor(options: MlmdChannelOptions) {
    this.location = options.location;
    this.address = options.address;
    this.deadlineMs = options.deadlineMs ?? 15_000;
    this.retry = {
      attempts: Math.max(1, options.retry?.attempts ?? 5),
      baseDelayMs: options.retry?.baseDelayMs ?? 100,
      maxDelayMs: options.retry?.maxDelayMs ?? 3_000,
    };
    const credentials = options.tls
      ? grpc.credentials.createSsl(Buffer.from(options.tls.ca))
      : grpc.credentials.createInsecure();
    const channelOptions = options.tls?.serverNameOverride
      ? { ...CHANNEL_OPTIONS, 'grpc.ssl_target_name_override': options.tls.serverNameOverride }
      : CHANNEL_OPTIONS;
    const Client = metadataStoreClientConstructor();
    this.client = new Client(options.address, credentials, channelOptions);
  }

  private once(method: string, request: object, deadlineMs: number): Promise<object> {
    const fn = (this.client as unknown as Record<string, UnaryMethod>)[method];
    if (!fn) return Promise.reject(new Error(`ML Metadata client: unknown method ${method}`));
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
        error ? reject(error) : resolve(response ?? {}),
      );
    });
  }

  /**
   * Calls `method`; when `retryable`, UNAVAILABLE and DEADLINE_EXCEEDED are retried with backoff.
   * Any failure comes back as an MlmdError naming the location and the method.
   */
  async call<T>(method: string, request: object, retryable: boolean, options: CallOptions = {}): Promise<T> {
    const attempts = retryable ? this.retry.attempts : 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await this.once(method, request, options.deadlineMs ?? this.deadlineMs)) as T;
      } catch (error) {
        const code = (error as Partial<grpc.ServiceError>).code ?? grpc.status.UNKNOWN;
        if (attempt < attempts && RETRYABLE_CODES.has(code)) {
          await sleep(backoffDelay(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs));
          continue;
        }
        const details = (error as Partial<grpc.ServiceError>).details ?? String((error as Error).message ?? error);
        throw new MlmdError({
          location: this.location,
          address: this.address,
          operation: method,
          code,
          details,
          attempts: attempt,
        });
      }
    }
  }

  close(): void {
    this.client.close();
  }
}
