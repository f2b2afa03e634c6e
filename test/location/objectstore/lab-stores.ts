// Test fixture: lab object stores on loopback, each in its own temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startObjectStore, type LabObjectStore } from '../../../packages/lab/src/objectstore/index.js';
import type { ObjectStoreFaults } from '../../../packages/lab/src/objectstore/index.js';
import { ObjectStore, type ObjectStoreConfig } from '../../../src/location/objectstore/index.js';

export interface LabFixture {
  dir: string;
  server: LabObjectStore;
  client(overrides?: Partial<ObjectStoreConfig>): ObjectStore;
  close(): Promise<void>;
}

export async function startLabStore(
  name: string,
  buckets: string[] = ['mlpipeline'],
  faults?: ObjectStoreFaults,
): Promise<LabFixture> {
  const dir = await mkdtemp(join(tmpdir(), `os-${name}-`));
  const server = await startObjectStore({ dir, buckets, faults });
  const clients: ObjectStore[] = [];
  return {
    dir,
    server,
    client(overrides = {}) {
      const c = new ObjectStore({
        location: name,
        endpoint: server.endpoint,
        region: server.region,
        credentials: server.credentials,
        ...overrides,
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Deterministic pseudo-random bytes (xorshift), so large test objects are not all zeros. */
export function pseudoRandomBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}
