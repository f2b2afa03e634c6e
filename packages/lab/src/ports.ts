// The lab's documented default ports, and the check that they are free before anything starts.
// Location i (0-based, in the order given) serves KFP on 18880+10i, ML Metadata on +1, the object
// store on +2 and the Kubernetes API on +3, all on 127.0.0.1 — the endpoints the examples name.
import { createServer } from 'node:net';

export const LAB_HOST = '127.0.0.1';
export const LAB_BASE_PORT = 18880;

export interface LocationPorts {
  kfp: number;
  mlmd: number;
  objectStore: number;
  kubernetes: number;
}

export function defaultPorts(index: number): LocationPorts {
  const base = LAB_BASE_PORT + 10 * index;
  return { kfp: base, mlmd: base + 1, objectStore: base + 2, kubernetes: base + 3 };
}

export const EPHEMERAL_PORTS: LocationPorts = { kfp: 0, mlmd: 0, objectStore: 0, kubernetes: 0 };

/** A port the lab needs is taken. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`port ${port} is in use: is a lab already running? \`split-pipelines lab down\` or --dir`);
  }
}

/**
 * Fails with PortInUseError when `port` cannot be bound. A plain listener is used on purpose: gRPC
 * servers bind with SO_REUSEPORT, so two labs' ML Metadata servers could otherwise share a port.
 */
export function assertPortFree(port: number, host = LAB_HOST): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUseError(port) : err);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
