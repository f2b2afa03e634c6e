// The lab's ML Metadata server: ml_metadata.MetadataStoreService over real gRPC on loopback,
// backed by SQLite so a restarted lab keeps its metadata. Each call runs in one transaction,
// like MLMD's transaction_executor, and is answered with MLMD's status codes.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type Db, openMlmdDatabase } from './database.js';
import type { Handler, Handlers } from './handler-types.js';
import { readHandlers } from './handlers-reads.js';
import { typeHandlers } from './handlers-types.js';
import { writeHandlers } from './handlers-writes.js';
import { metadataStoreServiceDefinition } from './proto-definition.js';
import { MlmdStatus } from './status.js';

/** Injected failures, for retry tests and benchmarks. */
export interface MlmdFaults {
  /** Every Nth call (N, 2N, …, counted over all methods) fails with UNAVAILABLE before running. */
  readonly unavailableEveryN?: number;
  /** Every call waits this long before running. */
  readonly delayMs?: number;
}

export interface MlmdServerOptions {
  /** Directory for the database file (`<dataDir>/mlmd.sqlite`); ignored when `dbPath` is given. */
  readonly dataDir?: string;
  /** Database file. Neither this nor `dataDir`: an in-memory store that dies with the server. */
  readonly dbPath?: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly faults?: MlmdFaults;
  /** Serve TLS with this certificate chain and key (PEM) instead of plaintext. */
  readonly tls?: { readonly certChain: string | Buffer; readonly privateKey: string | Buffer };
}

export interface MlmdServer {
  /** `host:port`, ready for a gRPC client. */
  readonly address: string;
  readonly port: number;
  /** The database file, or undefined when in memory. */
  readonly dbPath: string | undefined;
  /** Replaces the injected faults (undefined clears them) and restarts the call count. */
  setFaults(faults: MlmdFaults | undefined): void;
  /** Calls received so far, including the ones failed by a fault. */
  callCount(): number;
  close(): Promise<void>;
}

const HANDLERS: Handlers = { ...typeHandlers, ...writeHandlers, ...readHandlers };

// KFP deploys metadata-grpc-server with 100 MiB message limits
// (manifests/kustomize/base/metadata/base/metadata-grpc-deployment.yaml --grpc_channel_arguments).
const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': 104_857_600,
  'grpc.max_send_message_length': 104_857_600,
};

function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof MlmdStatus) return { code: error.code, details: error.message };
  return {
    code: grpc.status.INTERNAL,
    details: `MLMD lab internal error: ${String((error as Error)?.message ?? error)}`,
  };
}

function credentials(options: MlmdServerOptions): grpc.ServerCredentials {
  if (!options.tls) return grpc.ServerCredentials.createInsecure();
  const pair = { cert_chain: Buffer.from(options.tls.certChain), private_key: Buffer.from(options.tls.privateKey) };
  return grpc.ServerCredentials.createSsl(null, [pair], false);
}

export async function startMlmdServer(options: MlmdServerOptions = {}): Promise<MlmdServer> {
  const dbPath = options.dbPath ?? (options.dataDir ? path.join(options.dataDir, 'mlmd.sqlite') : undefined);
  const db: Db = openMlmdDatabase(dbPath);
  let faults: MlmdFaults = options.faults ?? {};
  let calls = 0;

  const definition = metadataStoreServiceDefinition();
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(definition)) {
    const handler: Handler | undefined = HANDLERS[method];
    if (!handler) throw new Error(`MLMD lab: no handler for ${method}`);
    implementation[method] = (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      calls += 1;
      const every = faults.unavailableEveryN;
      if (every !== undefined && every > 0 && calls % every === 0) {
        callback({ code: grpc.status.UNAVAILABLE, details: `MLMD lab: injected UNAVAILABLE (call ${calls})` });
        return;
      }
      const run = (): void => {
        try {
          const response = db.transaction(() => handler({ db, now: Date.now() }, call.request as never))();
          callback(null, response);
        } catch (error) {
          callback(toServiceError(error));
        }
      };
      if (faults.delayMs !== undefined && faults.delayMs > 0) setTimeout(run, faults.delayMs);
      else run();
    };
  }

  const server = new grpc.Server(CHANNEL_OPTIONS);
  server.addService(definition, implementation);
  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${options.port ?? 0}`, credentials(options), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
  } catch (error) {
    db.close();
    throw new Error(`MLMD lab: cannot listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  let closing: Promise<void> | undefined;
  return {
    address: `${host}:${port}`,
    port,
    dbPath,
    setFaults(next) {
      faults = next ?? {};
      calls = 0;
    },
    callCount: () => calls,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }).then(() => {
        db.close();
      });
      return closing;
    },
  };
}
