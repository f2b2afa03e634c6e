// A TCP listener that nothing should ever connect to: files that must be handled without network
// name it as every endpoint (KFP, ML Metadata, S3, Kubernetes), and a test asserts it was never
// contacted. Any connection is recorded and closed at once.
import { createServer, type Socket } from 'node:net';

export interface Tripwire {
  /** `127.0.0.1:port`. */
  hostPort: string;
  port: number;
  /** Connections received so far. */
  contacts(): number;
  close(): Promise<void>;
}

export async function startTripwire(): Promise<Tripwire> {
  let contacts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    contacts++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tripwire: no TCP address');
  return {
    hostPort: `127.0.0.1:${address.port}`,
    port: address.port,
    contacts: () => contacts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
