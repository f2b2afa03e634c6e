// One location's clients, built from its section of split-pipeline.yaml. The shape below mirrors
// `LocationSpec` (src/split-file/types.ts) structurally, so this layer depends on nothing of ours.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KfpClient, inClusterToken, tokenFromEnv, tokenFromFile, type TokenProvider } from './kfp/index.js';
import { KubeClient } from './kube/index.js';
import { MlmdClient } from './mlmd/index.js';
import { ObjectStore } from './objectstore/index.js';

export interface LocationConfig {
  name: string;
  kfp: {
    endpoint: string;
    namespace?: string;
    auth?: { tokenEnv: string } | { tokenFile: string } | { serviceAccountToken: boolean };
    userIdHeader?: { name: string } & ({ value: string } | { valueEnv: string });
    caBundleFile?: string;
    insecureSkipTlsVerify?: boolean;
    version?: string;
    publishLogs?: boolean;
  };
  mlmd: { endpoint: string; tls?: { caBundleFile?: string } };
  objectStore: {
    endpoint: string;
    region?: string;
    pipelineRoot: string;
    accessKeyIdEnv?: string;
    secretAccessKeyEnv?: string;
    sessionTokenEnv?: string;
    forcePathStyle?: boolean;
  };
  kubernetes?: { kubeconfig?: string; context?: string; namespace?: string; inCluster?: boolean };
}

export interface LocationClients {
  name: string;
  config: LocationConfig;
  kfp: KfpClient;
  mlmd: MlmdClient;
  store: ObjectStore;
  kube?: KubeClient;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Directory of the split-pipeline.yaml: relative files (CA bundles, token files, kubeconfig) resolve against it. */
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function connectLocation(config: LocationConfig, options: ConnectOptions): LocationClients {
  const env = options.env ?? process.env;
  const file = (p: string) => resolve(options.baseDir, p);
  let tokenProvider: TokenProvider | undefined;
  const auth = config.kfp.auth;
  if (auth && 'tokenEnv' in auth) tokenProvider = tokenFromEnv(auth.tokenEnv, env);
  else if (auth && 'tokenFile' in auth) tokenProvider = tokenFromFile(file(auth.tokenFile));
  else if (auth && 'serviceAccountToken' in auth && auth.serviceAccountToken) tokenProvider = inClusterToken(env);
  let userIdHeader: { name: string; value: string } | undefined;
  const uh = config.kfp.userIdHeader;
  if (uh) {
    const value = 'value' in uh ? uh.value : (env[uh.valueEnv] ?? '');
    userIdHeader = { name: uh.name, value };
  }
  const kfp = new KfpClient({
    location: config.name,
    endpoint: config.kfp.endpoint,
    ...(config.kfp.namespace ? { namespace: config.kfp.namespace } : {}),
    ...(tokenProvider ? { tokenProvider } : {}),
    ...(userIdHeader ? { userIdHeader } : {}),
    ...(config.kfp.caBundleFile ? { caBundle: readFileSync(file(config.kfp.caBundleFile)) } : {}),
    ...(config.kfp.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const tls = config.mlmd.tls;
  const mlmd = new MlmdClient({
    location: config.name,
    address: config.mlmd.endpoint,
    ...(tls ? { tls: { ca: tls.caBundleFile ? readFileSync(file(tls.caBundleFile)) : undefined } } : {}),
  } as ConstructorParameters<typeof MlmdClient>[0]);
  const os = config.objectStore;
  const store = new ObjectStore({
    location: config.name,
    endpoint: os.endpoint,
    pipelineRoot: os.pipelineRoot,
    ...(os.region ? { region: os.region } : {}),
    ...(os.accessKeyIdEnv ? { accessKeyIdEnv: os.accessKeyIdEnv } : {}),
    ...(os.secretAccessKeyEnv ? { secretAccessKeyEnv: os.secretAccessKeyEnv } : {}),
    ...(os.sessionTokenEnv ? { sessionTokenEnv: os.sessionTokenEnv } : {}),
    ...(os.forcePathStyle !== undefined ? { forcePathStyle: os.forcePathStyle } : {}),
    env,
  });
  let kube: KubeClient | undefined;
  const k = config.kubernetes;
  if (k) {
    kube = new KubeClient({
      location: config.name,
      connection: {
        ...(k.kubeconfig ? { kubeconfig: file(k.kubeconfig) } : {}),
        ...(k.context ? { context: k.context } : {}),
        ...(k.inCluster ? { inCluster: true } : {}),
        env,
      },
      ...(k.namespace ? { namespace: k.namespace } : {}),
    });
  }
  const clients: LocationClients = {
    name: config.name,
    config,
    kfp,
    mlmd,
    store,
    async close() {
      mlmd.close?.();
      store.close?.();
    },
  };
  if (kube) clients.kube = kube;
  return clients;
}
