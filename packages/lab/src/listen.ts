// Every lab server listens the same way: on the given loopback host and port (0: any free port),
// failing with the listen error (e.g. EADDRINUSE) instead of an unhandled 'error' event.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listen(
  server: Server,
  host: string,
  port: number | undefined,
): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { port: actual, url: `http://${urlHost}:${actual}` };
}

/** Stops accepting, drops idle and open connections (a test's keep-alive sockets too), resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
