// A bare gRPC client for the lab's MLMD server, independent of the product's MlmdClient: it loads
// the protos with keepCase (snake_case fields, as other MLMD clients send them) and returns the
// raw status of every call, so the tests see exactly what the server answers.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startMlmdServer, type MlmdServer, type MlmdServerOptions } from '../../../packages/lab/src/mlmd/index.js';

const PROTO_ROOT = path.resolve(import.meta.dirname, '../../../proto');

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Reply) => void,
) => void;

/** A decoded reply, navigable without casts at each step; `list` views a repeated field. */
export interface Reply {
  readonly [key: string]: Reply;
  readonly [index: number]: Reply;
}

export const list = (value: Reply | undefined): Reply[] => (value ?? []) as unknown as Reply[];

export interface RawMlmd {
  server: MlmdServer;
  /** Resolves with the response; rejects with the grpc ServiceError. */
  call(method: string, request?: object): Promise<Reply>;
  /** Resolves with the gRPC status code of a call that is expected to fail (0 when it succeeds). */
  code(method: string, request?: object): Promise<number>;
  close(): Promise<void>;
}

let constructor: grpc.ServiceClientConstructor | undefined;

function clientConstructor(): grpc.ServiceClientConstructor {
  if (!constructor) {
    const definition = protoLoader.loadSync('ml_metadata/proto/metadata_store_service.proto', {
      includeDirs: [PROTO_ROOT],
      keepCase: true,
      longs: Number,
      enums: String,
      defaults: false,
      arrays: true,
      objects: true,
    });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      ml_metadata: { MetadataStoreService: grpc.ServiceClientConstructor };
    };
    constructor = pkg.ml_metadata.MetadataStoreService;
  }
  return constructor;
}

export function connectRaw(address: string): { call: RawMlmd['call']; code: RawMlmd['code']; close(): void } {
  const Client = clientConstructor();
  const client = new Client(address, grpc.credentials.createInsecure());
  const call = (method: string, request: object = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method] as Unary;
      fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) =>
        error ? reject(error) : resolve(response ?? {}),
      );
    });
  const code = async (method: string, request: object = {}): Promise<number> => {
    try {
      await call(method, request);
      return grpc.status.OK;
    } catch (error) {
      return (error as grpc.ServiceError).code;
    }
  };
  return { call, code, close: () => client.close() };
}

/** Starts a lab server (in memory unless told otherwise) and connects a raw client to it. */
export async function startRaw(options: MlmdServerOptions = {}): Promise<RawMlmd> {
  const server = await startMlmdServer(options);
  const client = connectRaw(server.address);
  return {
    server,
    call: client.call,
    code: client.code,
    async close() {
      client.close();
      await server.close();
    },
  };
}

/** Puts the types most tests need and returns their ids. */
export async function putBasicTypes(
  mlmd: RawMlmd,
): Promise<{ artifactType: number; executionType: number; contextType: number }> {
  const reply = await mlmd.call('PutTypes', {
    artifact_types: [{ name: 'system.Dataset', properties: { rows: 'INT' } }],
    execution_types: [{ name: 'system.ContainerExecution' }],
    context_types: [{ name: 'system.PipelineRun' }],
  });
  const first = (ids: Reply): number => list(ids)[0] as unknown as number;
  return {
    artifactType: first(reply.artifact_type_ids as Reply),
    executionType: first(reply.execution_type_ids as Reply),
    contextType: first(reply.context_type_ids as Reply),
  };
}

export { grpc };
