import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeServer, type LabKubeServer } from '../../../packages/lab/src/kube/index.js';
import { buildKubeConfig, KubeClient, KubeError } from '../../../src/location/kube/index.js';

let dir: string;
let server: LabKubeServer;
let kubeconfig: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-config-'));
  server = await startKubeServer({ dir: join(dir, 'state'), token: 'cfg-token' });
  kubeconfig = join(dir, 'config');
  // Plain-HTTP clusters need insecure-skip-tls-verify with client-node 1.4.
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: other',
      'clusters:',
      `- name: lab`,
      `  cluster: { server: "${server.url}", insecure-skip-tls-verify: true }`,
      `- name: nowhere`,
      `  cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true }`,
      'users:',
      '- name: lab-user',
      '  user: { token: cfg-token }',
      'contexts:',
      '- name: train',
      '  context: { cluster: lab, user: lab-user, namespace: kubeflow }',
      '- name: other',
      '  context: { cluster: nowhere, user: lab-user }',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Kubernetes connection', () => {
  it('uses the named context of a kubeconfig file, including its namespace', async () => {
    const client = new KubeClient({ location: 'train', connection: { kubeconfig, context: 'train' } });
    expect(client.namespace).toBe('kubeflow');
    const result = await client.leaseLock('lock').acquire({ holder: 'h', ttlSeconds: 10, timeoutMs: 0 });
    expect(result.acquired).toBe(true);
    expect(await client.readLease('lock')).toMatchObject({ metadata: { namespace: 'kubeflow' } });
  });

  it('reads the kubeconfig named by KUBECONFIG when no file is given', () => {
    const kc = buildKubeConfig('train', { context: 'train', env: { KUBECONFIG: kubeconfig } });
    expect(kc.getCurrentCluster()?.server).toBe(server.url);
  });

  it('names the known contexts when the requested one is missing', () => {
    expect(() => buildKubeConfig('train', { kubeconfig, context: 'serve' })).toThrow(
      /context 'serve' is not in the kubeconfig \(contexts: train, other\)/,
    );
  });

  it('reports a missing kubeconfig file as a configuration error', () => {
    const make = () => buildKubeConfig('train', { kubeconfig: join(dir, 'absent') });
    expect(make).toThrow(KubeError);
    expect(make).toThrow(/kubeconfig file .*absent does not exist/);
  });

  it('reads a server token from the named environment variable', async () => {
    const client = new KubeClient({
      location: 'lab',
      connection: { server: server.url, tokenEnv: 'LAB_TOKEN', env: { LAB_TOKEN: 'cfg-token' } },
    });
    expect(await client.readLease('none')).toBeUndefined();
  });

  it('names the unset token variable without revealing anything else', () => {
    expect(() => buildKubeConfig('lab', { server: server.url, tokenEnv: 'LAB_TOKEN', env: {} })).toThrow(
      "kubernetes 'lab': configure: environment variable LAB_TOKEN (kubernetes.tokenEnv) is not set",
    );
  });

  it('refuses in-cluster mode outside a pod', () => {
    expect(() => buildKubeConfig('x', { inCluster: true, env: {} })).toThrow(/not running in a pod/);
  });

  it('reports an unreachable API server with a hint', async () => {
    const client = new KubeClient({ location: 'train', connection: { kubeconfig, context: 'other' } });
    const err = await client.readLease('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).message).toContain('the API server is unreachable');
  });
});
