// A lab: emulated KFP locations on loopback, each with its API server, ML Metadata, object store,
// Kubernetes API and executor, and its state under `DIR/<name>/` so a restarted lab keeps its runs,
// metadata and artifacts.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parsePipelineRoot } from '../../../src/location/objectstore/index.js';
import { LabExecutor, DEFAULT_PIPELINE_ROOT, type StepBehaviours } from './executor/index.js';
import { startKfpServer, type KfpFaults, type KfpServer } from './kfp/index.js';
import { startUiGateway, type UiGateway } from './kfp/ui-gateway.js';
import { startKubeServer, type LabKubeServer } from './kube/index.js';
import {
  kubeconfigPath,
  readLabFile,
  renderLocationsYaml,
  writeKubeconfig,
  writeLabFile,
  type LabFile,
  type LabLocation,
} from './lab-config.js';
import { startMlmdServer, type MlmdFaults, type MlmdServer } from './mlmd/index.js';
import { NativeExecutor } from './native/native-executor.js';
import {
  startObjectStore,
  type LabObjectStore,
  type ObjectStoreFaults,
  type ObjectStoreLimits,
} from './objectstore/index.js';
import { assertPortFree, defaultPorts, EPHEMERAL_PORTS, LAB_HOST, type LocationPorts } from './ports.js';

export const DEFAULT_LOCATIONS = ['a', 'b', 'c'];
export const DEFAULT_KFP_VERSION = '2.17.0';
/** The version name of the next KFP (kubeflow/pipelines 6585b5143d): native task and artifact API, no ML Metadata. */
export const NEXT_KFP_VERSION = 'next';
export const isNativeKfp = (version: string): boolean => version === NEXT_KFP_VERSION;
/**
 * What that build's healthz reports: its commit, and the tag its image was built with, `master` for images
 * built from master (`next:.github/workflows/image-builds-master.yml:62` → `TAG_NAME` build arg,
 * `next:.github/workflows/build-and-push.yml:227`, `next:backend/Dockerfile:67-70`, read by
 * `next:backend/src/apiserver/main.go:557-561`).
 */
export const NEXT_KFP_COMMIT = '6585b5143d671b9194cc0a93cfb37a8cd73d8106';
export const NEXT_KFP_TAG_NAME = 'master';

export interface LocationFaults {
  kfp?: KfpFaults;
  mlmd?: MlmdFaults;
  objectStore?: ObjectStoreFaults;
}

export interface StartLabOptions {
  /** Where the state lives (`DIR/<location>/`), and `lab.json` and `kubeconfig`. */
  dir: string;
  /** Location names (DNS labels), in port order. Default a, b, c. */
  locations?: string[];
  /** One version for all, or per location (missing ones get the default 2.17.0). */
  kfpVersion?: string | Record<string, string>;
  /** `default`: 18880+10i…; `ephemeral`: free ports chosen by the OS (tests). */
  ports?: 'default' | 'ephemeral';
  /** Locations in KFP multi-user mode: bearer token and the namespace runs go to. */
  multiUser?: Record<string, { token: string; namespace: string }>;
  /** Step behaviours per location. */
  steps?: Record<string, StepBehaviours>;
  /** Protocol faults per location. */
  faults?: Record<string, LocationFaults>;
  /** Default pipeline root of every location (default `minio://mlpipeline/v2/artifacts`). */
  pipelineRoot?: string;
  /**
   * Per location, the root KFP itself uses for runs that do not pin one: kfp-launcher's
   * `defaultPipelineRoot` (`2.17.0:backend/src/v2/config/env.go:38,86-92`, read by the root driver,
   * `driver/root_dag.go:97-113`), when it differs from `pipelineRoot`, the root the generated
   * `locations:` block (the user's file) names. Its bucket is created too.
   */
  kfpDefaultPipelineRoot?: Record<string, string>;
  /** The API servers' `CacheEnabled` (default true), for all or per location. */
  cacheEnabled?: boolean | Record<string, boolean>;
  /**
   * The namespace KFP's pods run in at single-user locations (default `kubeflow`), for all or per
   * location: KFP's driver and launcher scope cache rows to it (`config.InPodNamespace()`,
   * `2.17.0:backend/src/v2/cmd/driver/main.go:363`), not to the run's empty namespace.
   */
  podNamespace?: string | Record<string, string>;
  /**
   * The API server's `PUBLISH_LOGS` (default true), for all or per location: passed to every driver as
   * `--publish_logs` (`2.17.0:backend/src/v2/compiler/argocompiler/container.go:238-239`), it decides
   * whether container tasks get an `executor-logs` output, in their cache keys too.
   */
  publishLogs?: boolean | Record<string, boolean>;
  /**
   * Also serve, for all or per location, an emulated Kubeflow UI (`ml-pipeline-ui`) in front of the API
   * server, as the `/pipeline` path of a Kubeflow gateway: it forwards only `/apis/v1beta1` and
   * `/apis/v2beta1` (packages/lab/src/kfp/ui-gateway.ts). Its URL is the location's `kfpUi`; default ports put it
   * on the location's KFP port + 4.
   */
  uiGateway?: boolean | Record<string, boolean>;
  /**
   * Per location, the pipeline root the generated `locations:` block names and its runs use, when it
   * differs from `pipelineRoot` (another bucket, say). Its bucket is created at the store serving it.
   */
  pipelineRoots?: Record<string, string>;
  /**
   * Locations whose object store is another location's: `{ b: 'a' }` gives b no S3 server of its own,
   * b's runs and `locations:` entry use a's endpoint, with b's bucket (from `pipelineRoots`, which must
   * differ from a's) created there. Two locations on one S3 endpoint, as two KFP installations sharing
   * one MinIO or AWS account: what the server-side transfer engine copies between.
   */
  sharedObjectStore?: Record<string, string>;
  /** S3 limits of every location's object store (single-copy size, minimum part size); default AWS S3's. */
  objectStoreLimits?: ObjectStoreLimits;
}

export interface Lab {
  dir: string;
  locations: Record<string, LabLocation>;
  kubeconfig: string;
  /** The `locations:` block for a split-pipeline.yaml; `kubeconfig` defaults to the absolute path. */
  locationsYaml(options?: { kubeconfig?: string }): string;
  setSteps(location: string, steps: StepBehaviours): void;
  setFaults(location: string, faults: LocationFaults): void;
  /** Resolves when no location is executing a run. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A lab cannot start; the message says why and what to do. */
export class LabError extends Error {
  override readonly name = 'LabError';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface Running {
  info: LabLocation;
  kfp?: KfpServer;
  ui?: UiGateway;
  mlmd?: MlmdServer;
  objects?: LabObjectStore;
  /** `objects` is another location's store (sharedObjectStore): that location closes it. */
  borrowedObjects?: boolean;
  kube?: LabKubeServer;
  executor?: LabExecutor | NativeExecutor;
}

function perLocation<T>(value: T | Record<string, T> | undefined, name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'object' && value !== null) return (value as Record<string, T>)[name] ?? fallback;
  return value;
}

function checkNames(names: string[]): void {
  if (names.length === 0) throw new LabError('a lab needs at least one location');
  const seen = new Set<string>();
  for (const n of names) {
    if (!DNS_LABEL.test(n))
      throw new LabError(`location name "${n}" is not a DNS label (lower-case letters, digits and '-')`);
    if (seen.has(n)) throw new LabError(`location "${n}" is given twice`);
    seen.add(n);
  }
}

/** Refuses to share a directory with a lab that is still serving it. */
async function assertDirFree(dir: string): Promise<void> {
  const existing = await readLabFile(dir);
  if (!existing?.pid || existing.pid === process.pid) return;
  try {
    process.kill(existing.pid, 0);
  } catch {
    return; // that process is gone
  }
  const first = Object.values(existing.locations)[0];
  const answering = first
    ? await fetch(`${first.kfp}/apis/v2beta1/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      )
    : false;
  if (answering) {
    throw new LabError(
      `a lab is already running in ${dir} (pid ${existing.pid}): stop it with \`split-pipelines lab down --dir ${dir}\` or use another --dir`,
    );
  }
}

/** The UI gateway's port: the location's KFP port + 4 with default ports, any free port otherwise. */
const uiGatewayPort = (ports: LocationPorts): number => (ports.kfp === 0 ? 0 : ports.kfp + 4);

async function startLocation(
  dir: string,
  name: string,
  ports: LocationPorts,
  options: StartLabOptions,
  r: Running,
  stores: StoreBook,
): Promise<void> {
  const data = join(dir, name);
  await mkdir(data, { recursive: true });
  const faults = options.faults?.[name] ?? {};
  if (isNativeKfp(r.info.kfpVersion)) {
    await startNativeLocation(data, ports, r, faults, stores, options);
    return;
  }
  r.mlmd = await startMlmdServer({
    dbPath: join(data, 'mlmd.sqlite'),
    host: LAB_HOST,
    port: ports.mlmd,
    ...(faults.mlmd ? { faults: faults.mlmd } : {}),
  });
  r.objects = await stores.open(name, r, data, ports, faults);
  r.kube = await startKubeServer({ dir: join(data, 'kube'), host: LAB_HOST, port: ports.kubernetes });
  r.executor = new LabExecutor({
    location: name,
    mlmdAddress: r.mlmd.address,
    objectStore: { endpoint: r.objects.endpoint, credentials: r.objects.credentials, region: r.objects.region },
    defaultPipelineRoot: r.info.kfpDefaultPipelineRoot ?? r.info.pipelineRoot,
    cacheEnabled: perLocation(options.cacheEnabled, name, true),
    ...(perLocation(options.podNamespace, name, '') ? { namespace: perLocation(options.podNamespace, name, '') } : {}),
    publishLogs: perLocation(options.publishLogs, name, true),
    ...(options.steps?.[name] ? { steps: options.steps[name] } : {}),
  });
  const mu = options.multiUser?.[name];
  r.kfp = await startKfpServer({
    dbPath: join(data, 'kfp.sqlite'),
    host: LAB_HOST,
    port: ports.kfp,
    kfpVersion: r.info.kfpVersion,
    runExecutor: r.executor,
    ...(mu ? { multiUser: { tokens: { [mu.token]: `user@${name}` }, namespaces: [mu.namespace] } } : {}),
    ...(faults.kfp ? { faults: faults.kfp } : {}),
  });
  if (perLocation(options.uiGateway, name, false)) {
    r.ui = await startUiGateway({
      apiServer: r.kfp.url,
      host: LAB_HOST,
      port: uiGatewayPort(ports),
      frontendTagName: r.info.kfpVersion,
    });
    r.info.kfpUi = r.ui.url;
  }
  Object.assign(r.info, {
    kfp: r.kfp.url,
    mlmd: r.mlmd.address,
    objectStore: r.objects.endpoint,
    kubernetes: r.kube.url,
    region: r.objects.region,
    credentials: r.objects.credentials,
  });
}

/**
 * A location running the next KFP (kubeflow/pipelines 6585b5143d): its API server serves the native task and
 * artifact API and no ML Metadata runs, so `lab.json` names no MLMD endpoint. Its runs are executed by the
 * native executor (native/native-executor.ts, native/README.md).
 */
async function startNativeLocation(
  data: string,
  ports: LocationPorts,
  r: Running,
  faults: LocationFaults,
  stores: StoreBook,
  options: StartLabOptions,
): Promise<void> {
  const name = r.info.name;
  r.objects = await stores.open(name, r, data, ports, faults);
  r.kube = await startKubeServer({ dir: join(data, 'kube'), host: LAB_HOST, port: ports.kubernetes });
  r.executor = new NativeExecutor({
    location: name,
    objectStore: { endpoint: r.objects.endpoint, credentials: r.objects.credentials, region: r.objects.region },
    defaultPipelineRoot: r.info.kfpDefaultPipelineRoot ?? r.info.pipelineRoot,
    cacheEnabled: perLocation(options.cacheEnabled, name, true),
    publishLogs: perLocation(options.publishLogs, name, true),
    ...(options.steps?.[name] ? { steps: options.steps[name] } : {}),
  });
  const mu = options.multiUser?.[name];
  r.kfp = await startKfpServer({
    dbPath: join(data, 'kfp.sqlite'),
    host: LAB_HOST,
    port: ports.kfp,
    kfpVersion: r.info.kfpVersion,
    commitSha: NEXT_KFP_COMMIT,
    tagName: NEXT_KFP_TAG_NAME,
    runExecutor: r.executor,
    ...(mu ? { multiUser: { tokens: { [mu.token]: `user@${name}` }, namespaces: [mu.namespace] } } : {}),
    ...(faults.kfp ? { faults: faults.kfp } : {}),
  });
  r.info.mlmd = '';
  Object.assign(r.info, {
    kfp: r.kfp.url,
    objectStore: r.objects.endpoint,
    kubernetes: r.kube.url,
    region: r.objects.region,
    credentials: r.objects.credentials,
  });
}

/**
 * The object stores of a lab's locations: each location's own, or (sharedObjectStore) the store of
 * the location it shares, which holds the buckets of all the locations it serves.
 */
class StoreBook {
  private readonly stores = new Map<
    string,
    { promise: Promise<LabObjectStore>; resolve: (s: LabObjectStore) => void; reject: (e: unknown) => void }
  >();

  constructor(
    private readonly options: StartLabOptions,
    private readonly infos: LabLocation[],
  ) {
    for (const info of infos) {
      let resolve!: (s: LabObjectStore) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<LabObjectStore>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined);
      this.stores.set(info.name, { promise, resolve, reject });
    }
  }

  /** The location whose S3 server serves `name`. */
  ownerOf(name: string): string {
    return this.options.sharedObjectStore?.[name] ?? name;
  }

  /** Starts the store `name` owns (with the buckets of every location it serves), or waits for the one it shares. */
  async open(
    name: string,
    r: Running,
    data: string,
    ports: LocationPorts,
    faults: LocationFaults,
  ): Promise<LabObjectStore> {
    const owner = this.ownerOf(name);
    if (owner !== name) {
      r.borrowedObjects = true;
      r.info.objectStoreOf = owner;
      return this.stores.get(owner)!.promise;
    }
    const served = this.infos.filter((i) => this.ownerOf(i.name) === name);
    const buckets = served.flatMap((i) => [
      i.bucket,
      ...(i.kfpDefaultPipelineRoot ? [parsePipelineRoot(i.kfpDefaultPipelineRoot).bucket] : []),
    ]);
    const entry = this.stores.get(name)!;
    let store: LabObjectStore;
    try {
      store = await startObjectStore({
        dir: join(data, 'objects'),
        host: LAB_HOST,
        port: ports.objectStore,
        buckets: [...new Set(buckets)],
        ...(faults.objectStore ? { faults: faults.objectStore } : {}),
        ...(this.options.objectStoreLimits ? { limits: this.options.objectStoreLimits } : {}),
      });
    } catch (err) {
      entry.reject(err);
      throw err;
    }
    entry.resolve(store);
    return store;
  }
}

function checkSharedStores(options: StartLabOptions, names: string[], bucketOf: (name: string) => string): void {
  for (const [name, owner] of Object.entries(options.sharedObjectStore ?? {})) {
    if (!names.includes(name) || !names.includes(owner)) {
      throw new LabError(
        `sharedObjectStore names location "${names.includes(name) ? owner : name}", which the lab does not have`,
      );
    }
    if (owner === name || options.sharedObjectStore?.[owner] !== undefined) {
      throw new LabError(`location ${name} cannot share the object store of ${owner}, which does not run its own`);
    }
    if (bucketOf(name) === bucketOf(owner)) {
      throw new LabError(
        `location ${name} shares the object store of ${owner} and must use another bucket: give it one in pipelineRoots`,
      );
    }
  }
  for (const name of Object.keys(options.pipelineRoots ?? {})) {
    if (!names.includes(name))
      throw new LabError(`pipelineRoots names location "${name}", which the lab does not have`);
  }
}

async function stopLocation(r: Running): Promise<void> {
  // The executor first, so no run writes to a closed store; then the servers.
  await r.executor?.close().catch(() => undefined);
  const servers = [r.ui, r.kfp, r.mlmd, r.borrowedObjects ? undefined : r.objects, r.kube].filter(
    (s) => s !== undefined,
  );
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
}

/** Locations that borrow another's object store stop first, so no run of theirs writes to a closed one. */
async function stopAll(running: Running[]): Promise<void> {
  await Promise.all(running.filter((r) => r.borrowedObjects).map(stopLocation));
  await Promise.all(running.filter((r) => !r.borrowedObjects).map(stopLocation));
}

export async function startLab(options: StartLabOptions): Promise<Lab> {
  const dir = resolve(options.dir);
  const names = options.locations ?? DEFAULT_LOCATIONS;
  checkNames(names);
  const pipelineRoot = options.pipelineRoot ?? DEFAULT_PIPELINE_ROOT;
  let bucket: string;
  try {
    bucket = parsePipelineRoot(pipelineRoot).bucket;
  } catch (err) {
    throw new LabError(`pipeline root ${pipelineRoot}: ${(err as Error).message}`);
  }
  for (const [name, root] of Object.entries(options.kfpDefaultPipelineRoot ?? {})) {
    if (!names.includes(name))
      throw new LabError(`kfpDefaultPipelineRoot names location "${name}", which the lab does not have`);
    try {
      parsePipelineRoot(root);
    } catch (err) {
      throw new LabError(`KFP default pipeline root ${root} of location ${name}: ${(err as Error).message}`);
    }
  }
  await mkdir(dir, { recursive: true });
  await assertDirFree(dir);
  const portsOf = (i: number) => (options.ports === 'ephemeral' ? EPHEMERAL_PORTS : defaultPorts(i));
  if (options.ports !== 'ephemeral') {
    for (let i = 0; i < names.length; i++) {
      const { kfp, mlmd, objectStore, kubernetes } = portsOf(i);
      for (const port of [kfp, mlmd, objectStore, kubernetes]) await assertPortFree(port);
      if (perLocation(options.uiGateway, names[i]!, false)) await assertPortFree(uiGatewayPort(portsOf(i)));
    }
  }
  const rootOf = (name: string) => options.pipelineRoots?.[name] ?? pipelineRoot;
  const bucketOf = (name: string) => {
    try {
      return parsePipelineRoot(rootOf(name)).bucket;
    } catch (err) {
      throw new LabError(`pipeline root ${rootOf(name)} of location ${name}: ${(err as Error).message}`);
    }
  };
  checkSharedStores(options, names, bucketOf);
  const running: Running[] = names.map((name) => ({
    info: {
      name,
      kfp: '',
      mlmd: '',
      objectStore: '',
      kubernetes: '',
      pipelineRoot: rootOf(name),
      bucket: options.pipelineRoots?.[name] !== undefined ? bucketOf(name) : bucket,
      region: 'us-east-1',
      kfpVersion: perLocation(options.kfpVersion, name, DEFAULT_KFP_VERSION),
      credentials: { accessKeyId: '', secretAccessKey: '' },
      kubeContext: name,
      ...(options.multiUser?.[name] ? { namespace: options.multiUser[name].namespace } : {}),
      ...(options.kfpDefaultPipelineRoot?.[name]
        ? { kfpDefaultPipelineRoot: options.kfpDefaultPipelineRoot[name] }
        : {}),
    },
  }));
  try {
    const stores = new StoreBook(
      options,
      running.map((r) => r.info),
    );
    await Promise.all(running.map((r, i) => startLocation(dir, r.info.name, portsOf(i), options, r, stores)));
  } catch (err) {
    await stopAll(running);
    throw err;
  }
  const infos = running.map((r) => r.info);
  const kubeconfig = kubeconfigPath(dir);
  const file: LabFile = {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dir,
    kubeconfig,
    locations: Object.fromEntries(infos.map(({ name, ...rest }) => [name, rest])),
  };
  await writeKubeconfig(dir, infos);
  await writeLabFile(dir, file);
  const byName = new Map(running.map((r) => [r.info.name, r]));
  const get = (location: string): Running => {
    const r = byName.get(location);
    if (!r) throw new LabError(`the lab has no location "${location}"`);
    return r;
  };
  let closing: Promise<void> | undefined;
  return {
    dir,
    kubeconfig,
    locations: Object.fromEntries(infos.map((l) => [l.name, l])),
    locationsYaml: (o = {}) => renderLocationsYaml(infos, o.kubeconfig ?? kubeconfig),
    setSteps: (location, steps) => {
      get(location).executor!.setSteps(steps);
    },
    setFaults: (location, faults) => {
      const r = get(location);
      r.kfp!.setFaults(faults.kfp);
      r.mlmd?.setFaults(faults.mlmd);
      r.objects!.setFaults(faults.objectStore ?? {});
    },
    idle: async () => {
      await Promise.all(running.map((r) => r.executor!.idle()));
    },
    close: () =>
      (closing ??= (async () => {
        await stopAll(running);
        const { pid: _pid, ...rest } = file;
        await writeLabFile(dir, { ...rest, stoppedAt: new Date().toISOString() }).catch(() => undefined);
      })()),
  };
}
