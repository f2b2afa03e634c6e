import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startMlmdServer, type MlmdServer } from '../../../packages/lab/src/mlmd/index.js';
import { MlmdClient, MlmdError } from '../../../src/location/mlmd/index.js';

// A throwaway self-signed certificate for mlmd.lab.test / localhost / 127.0.0.1, valid until 2126;
// it protects nothing but loopback test traffic.
const fixtures = path.join(import.meta.dirname, 'fixtures');
const cert = readFileSync(path.join(fixtures, 'server-cert.pem'));
const key = readFileSync(path.join(fixtures, 'server-key.pem'));

let server: MlmdServer;
beforeAll(async () => {
  server = await startMlmdServer({ tls: { certChain: cert, privateKey: key } });
});
afterAll(() => server.close());

test('a client trusting the CA bundle talks to a TLS server', async () => {
  const client = new MlmdClient({ location: 'secure', address: server.address, tls: { ca: cert } });
  try {
    await client.putContextType({ name: 'system.Pipeline' });
    expect((await client.getContextTypes()).map((t) => t.name)).toEqual(['system.Pipeline']);
  } finally {
    client.close();
  }
});

test('the certificate is checked against the server name override when one is given', async () => {
  const connect = (name: string) =>
    new MlmdClient({
      location: 'secure',
      address: server.address,
      tls: { ca: cert, serverNameOverride: name },
      retry: { attempts: 1 },
    });
  const right = connect('mlmd.lab.test');
  const wrong = connect('not-in-the-certificate.test');
  try {
    await expect(right.getContextTypes()).resolves.toBeInstanceOf(Array);
    await expect(wrong.getContextTypes()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  } finally {
    right.close();
    wrong.close();
  }
});

test('a plaintext client cannot talk to a TLS server and is told which location failed', async () => {
  const client = new MlmdClient({
    location: 'secure',
    address: server.address,
    retry: { attempts: 1 },
    deadlineMs: 2_000,
  });
  try {
    const error = await client.getContextTypes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlmdError);
    expect(error).toMatchObject({ location: 'secure', operation: 'GetContextTypes' });
  } finally {
    client.close();
  }
});
