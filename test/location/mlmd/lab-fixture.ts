// Starts a lab MLMD server on loopback and a product client pointed at it.
import { startMlmdServer, type MlmdServer, type MlmdServerOptions } from '../../../packages/lab/src/mlmd/index.js';
import { MlmdClient, type MlmdClientOptions } from '../../../src/location/mlmd/index.js';

export interface Fixture {
  server: MlmdServer;
  client: MlmdClient;
  close(): Promise<void>;
}

export async function startFixture(
  serverOptions: MlmdServerOptions = {},
  clientOptions: Partial<MlmdClientOptions> = {},
): Promise<Fixture> {
  const server = await startMlmdServer(serverOptions);
  const client = new MlmdClient({
    location: 'lab-east',
    address: server.address,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...clientOptions,
  });
  return {
    server,
    client,
    async close() {
      client.close();
      await server.close();
    },
  };
}
