import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKfpServer, type KfpServer } from '../../../packages/lab/src/kfp/index.js';
import { KfpClient, KfpError } from '../../../src/location/kfp/index.js';

let dir: string;
let cert: string;
let server: Server;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kfp-tls-'));
  const key = join(dir, 'key.pem');
  const crt = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(crt, 'utf8');
  server = createServer({ key: readFileSync(key), cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ commit_sha: 'x', tag_name: '2.16.0', multi_user: false }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('KfpClient TLS', () => {
  it('refuses a certificate it was not told to trust', async () => {
    const client = new KfpClient({ location: 'tls', endpoint: url, retries: 2, timeoutMs: 2000 });
    const err = (await client.healthz().catch((e: unknown) => e)) as KfpError;
    expect(err).toBeInstanceOf(KfpError);
    expect(err.kind).toBe('tls');
    expect(err.message).toContain('caBundle');
  });

  it('trusts the server with its CA bundle', async () => {
    const client = new KfpClient({ location: 'tls', endpoint: url, caBundle: cert, retries: 0, timeoutMs: 2000 });
    expect((await client.healthz()).version).toBe('2.16.0');
  });

  it('skips verification only when told to', async () => {
    const client = new KfpClient({
      location: 'tls',
      endpoint: url,
      insecureSkipTlsVerify: true,
      retries: 0,
      timeoutMs: 2000,
    });
    expect((await client.healthz()).version).toBe('2.16.0');
  });
});

describe('KfpClient against a faulty lab server', () => {
  let labDir: string;
  let lab: KfpServer;
  beforeAll(async () => {
    labDir = mkdtempSync(join(tmpdir(), 'kfp-faults-'));
    lab = await startKfpServer({ dbPath: join(labDir, 'kfp.sqlite') });
  });
  afterAll(async () => {
    await lab.close();
    rmSync(labDir, { recursive: true, force: true });
  });

  it('gets through 503s and dropped connections by retrying', async () => {
    lab.setFaults({ status503EveryN: 2, dropConnectionEveryN: 3, retryAfterSeconds: 0 });
    const client = new KfpClient({
      location: 'flaky',
      endpoint: lab.url,
      retries: 4,
      retryBaseDelayMs: 1,
      timeoutMs: 2000,
    });
    for (let i = 0; i < 5; i++) expect((await client.healthz()).version).toBe('2.17.0');
    lab.setFaults(undefined);
  });

  it('runs out of retries against a server that is always unavailable', async () => {
    lab.setFaults({ status503EveryN: 1 });
    const client = new KfpClient({
      location: 'down',
      endpoint: lab.url,
      retries: 2,
      retryBaseDelayMs: 1,
      timeoutMs: 2000,
    });
    const err = (await client.listRuns().catch((e: unknown) => e)) as KfpError;
    expect(err.status).toBe(503);
    expect(err.attempts).toBe(3);
    lab.setFaults(undefined);
  });

  it('times out against a slow server', async () => {
    lab.setFaults({ delayMs: 300 });
    const client = new KfpClient({ location: 'slow', endpoint: lab.url, retries: 0, timeoutMs: 50 });
    const err = (await client.healthz().catch((e: unknown) => e)) as KfpError;
    expect(err.kind).toBe('timeout');
    lab.setFaults(undefined);
  });
});
