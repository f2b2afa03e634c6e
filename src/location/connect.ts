// One location's clients, built from its section of split-pipeline.yaml. The shape below mirrors
// `LocationSpec` (src/split-file/types.ts) structurally, so this layer depends on nothing of ours.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors/user-error.js';
import { isNextKfp, parseKfpVersion } from '../pipeline/fingerprint/index.js';
import { detectBackend } from './backend/detect.js';
import type { BackendKind } from './backend/port.js';
import {
  KfpClient,
  inClusterToken,
  tokenFromEnv,
  tokenFromFile,
  type KfpClientOptions,
  type KfpVersionInfo,
  type TokenProvider,
} from './kfp/index.js';
import { NativeClient } from './native/client.js';
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
  /** Absent at a location whose KFP keeps no ML Metadata (the next KFP; src/location/backend/detect.ts). */
  mlmd?: { endpoint: string; tls?: { caBundleFile?: string } };
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
  /** Without `mlmd:` in the file, a stand-in whose every call is the UserError of {@link noMlmd}. */
  mlmd: MlmdClient;
  /** The native task and artifact API of the next KFP (src/location/native/client.ts). */
  native: NativeClient;
  store: ObjectStore;
  kube?: KubeClient;
  /** The location's backend, detected once (src/location/backend/detect.ts). */
  backend(): Promise<BackendKind>;
  close(): Promise<void>;
}

function noMlmd(location: string): MlmdClient {
  const fail = () =>
    Promise.reject(
      new UserError(`location ${location} has no ML Metadata endpoint in the file`, {
        code: 'no-mlmd',
        location,
        operation: 'read ML Metadata',
        advice: `add mlmd.endpoint to spec.locations[${location}] if its KFP runs ML Metadata (KFP 2.14–2.17)`,
      }),
    );
  return new Proxy({} as MlmdClient, {
    get: (_t, prop) => (prop === 'close' ? () => undefined : prop === 'location' ? location : fail),
  });
}

/**
 * A KFP client whose healthz also tells the backend, once: a release version (2.x.y) with `mlmd:` in the
 * file is MLMD without asking more (no extra request); otherwise the API server is probed
 * (detect.ts). A file that disagrees with the location fails here, the first call every plan makes.
 */
class CheckedKfpClient extends KfpClient {
  private detected: Promise<BackendKind> | undefined;

  constructor(
    options: KfpClientOptions,
    private readonly native: NativeClient,
    private readonly mlmdEndpoint: string | undefined,
  ) {
    super(options);
  }

  backend(version?: string): Promise<BackendKind> {
    this.detected ??= (async () => {
      const v = version ?? (await super.healthz()).version;
      if (this.mlmdEndpoint !== undefined && parseKfpVersion(v) && !isNextKfp(v)) return 'mlmd';
      return detectBackend({
        name: this.location,
        native: this.native,
        kfpVersion: v,
        ...(this.mlmdEndpoint !== undefined ? { mlmdEndpoint: this.mlmdEndpoint } : {}),
      });
    })();
    this.detected.catch(() => (this.detected = undefined));
    return this.detected;
  }

  override async healthz(): Promise<KfpVersionInfo> {
    const h = await super.healthz();
    await this.backend(h.version);
    return h;
  }
}

/** The backend a connected client detected (no request: healthz detected it), or undefined for another client. */
export function detectedBackend(kfp: KfpClient): Promise<BackendKind> | undefined {
  return kfp instanceof CheckedKfpClient ? kfp.backend() : undefined;
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
  const kfpOptions: KfpClientOptions = {
    location: config.name,
    endpoint: config.kfp.endpoint,
    ...(config.kfp.namespace ? { namespace: config.kfp.namespace } : {}),
    ...(tokenProvider ? { tokenProvider } : {}),
    ...(userIdHeader ? { userIdHeader } : {}),
    ...(config.kfp.caBundleFile ? { caBundle: readFileSync(file(config.kfp.caBundleFile)) } : {}),
    ...(config.kfp.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  const native = new NativeClient({
    location: config.name,
    endpoint: config.kfp.endpoint,
    ...(config.kfp.namespace ? { namespace: config.kfp.namespace } : {}),
    ...(tokenProvider ? { tokenProvider } : {}),
    ...(userIdHeader ? { userIdHeader } : {}),
    ...(kfpOptions.caBundle ? { caBundle: kfpOptions.caBundle } : {}),
    ...(config.kfp.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const kfp = new CheckedKfpClient(kfpOptions, native, config.mlmd?.endpoint);
  const tls = config.mlmd?.tls;
  const mlmd = config.mlmd
    ? new MlmdClient({
        location: config.name,
        address: config.mlmd.endpoint,
        ...(tls ? { tls: { ca: tls.caBundleFile ? readFileSync(file(tls.caBundleFile)) : undefined } } : {}),
      } as ConstructorParameters<typeof MlmdClient>[0])
    : noMlmd(config.name);
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
    native,
    store,
    backend: () => kfp.backend(),
    async close() {
      mlmd.close?.();
      store.close?.();
    },
  };
  if (kube) clients.kube = kube;
  return clients;
}
