// Building a KubeConfig for one location: a kubeconfig file and context (the usual case), the
// pod's service account (in-cluster), or an explicit server URL and token (the lab).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

export interface KubeConnection {
  /** kubeconfig file; default `$KUBECONFIG`, then `~/.kube/config`. */
  kubeconfig?: string;
  /** Context in the kubeconfig; default its current context. */
  context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST and the mounted token). */
  inCluster?: boolean;
  /** An API server URL, used instead of a kubeconfig (the lab). */
  server?: string;
  /** Bearer token for `server`, literal (lab) or named by an environment variable. */
  token?: string;
  tokenEnv?: string;
  skipTLSVerify?: boolean;
  /** CA bundle file for `server`. */
  caFile?: string;
  /** Environment to read `tokenEnv`/`KUBECONFIG` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

function fail(location: string, message: string): KubeError {
  return new KubeError({ location, operation: 'configure', message });
}

function fromServer(location: string, connection: KubeConnection & { server: string }): KubeConfig {
  const env = connection.env ?? process.env;
  let token = connection.token;
  if (connection.tokenEnv !== undefined) {
    token = env[connection.tokenEnv];
    if (token === undefined || token === '') {
      throw fail(location, `environment variable ${connection.tokenEnv} (kubernetes.tokenEnv) is not set`);
    }
  }
  try {
    new URL(connection.server);
  } catch {
    throw fail(location, `server '${connection.server}' is not a URL`);
  }
  // client-node 1.4 refuses plain-HTTP servers unless skipTLSVerify is set; for an http:// URL
  // (the lab on loopback) there is no TLS to verify, so the flag only unlocks the http agent.
  const plainHttp = connection.server.startsWith('http:');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: location,
        server: connection.server,
        skipTLSVerify: plainHttp || (connection.skipTLSVerify ?? false),
        ...(connection.caFile ? { caFile: connection.caFile } : {}),
      },
    ],
    users: [{ name: location, ...(token ? { token } : {}) }],
    contexts: [{ name: location, cluster: location, user: location }],
    currentContext: location,
  });
  return kc;
}

function fromKubeconfig(location: string, connection: KubeConnection): KubeConfig {
  const env = connection.env ?? process.env;
  const kc = new KubeConfig();
  const path = connection.kubeconfig;
  try {
    if (path !== undefined) {
      if (!existsSync(path)) throw fail(location, `kubeconfig file ${path} does not exist`);
      kc.loadFromFile(path);
    } else {
      const fromEnv = env['KUBECONFIG'];
      const files = fromEnv ? fromEnv.split(':').filter(Boolean) : [join(homedir(), '.kube', 'config')];
      const existing = files.filter((f) => existsSync(f));
      if (existing.length === 0) {
        throw fail(
          location,
          `no kubeconfig found (${fromEnv ? 'KUBECONFIG names no existing file' : '~/.kube/config is missing'})`,
        );
      }
      kc.loadFromFile(existing[0] ?? '');
      for (const extra of existing.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(extra);
        kc.mergeConfig(more, true);
      }
    }
  } catch (err) {
    if (err instanceof KubeError) throw err;
    throw new KubeError({
      location,
      operation: 'configure',
      message: `cannot read the kubeconfig: ${(err as Error).message}`,
      cause: err,
    });
  }
  if (connection.context !== undefined) {
    if (kc.getContextObject(connection.context) === null) {
      const known =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      throw fail(location, `context '${connection.context}' is not in the kubeconfig (contexts: ${known})`);
    }
    kc.setCurrentContext(connection.context);
  }
  if (kc.getCurrentCluster() === null) throw fail(location, 'the kubeconfig has no current context with a cluster');
  return kc;
}

export function buildKubeConfig(location: string, connection: KubeConnection): KubeConfig {
  if (connection.server !== undefined) return fromServer(location, { ...connection, server: connection.server });
  if (connection.inCluster) {
    const env = connection.env ?? process.env;
    if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT']) {
      throw fail(
        location,
        'inCluster is set but KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not (not running in a pod?)',
      );
    }
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return kc;
  }
  return fromKubeconfig(location, connection);
}

/** The namespace of the KubeConfig's current context, if it names one. */
export function contextNamespace(kc: KubeConfig): string | undefined {
  return kc.getContextObject(kc.getCurrentContext())?.namespace;
}
