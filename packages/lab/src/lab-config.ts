// The files a lab writes for its users: `DIR/lab.json` (every location's endpoints, and the pid
// of the process serving them), `DIR/kubeconfig` (one context per location), and the `locations:`
// block of a split-pipeline.yaml that uses the lab.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The S3 credentials a split-pipeline.yaml names for lab locations; the values are the lab's fixed account. */
export const LAB_S3_ACCESS_KEY_ENV = 'LAB_S3_ACCESS_KEY_ID';
export const LAB_S3_SECRET_KEY_ENV = 'LAB_S3_SECRET_ACCESS_KEY';
/** The Kubernetes namespace lab locations use for locks (as a KFP installation's `kubeflow`). */
export const LAB_KUBE_NAMESPACE = 'kubeflow';

export interface LabLocation {
  name: string;
  /** KFP API base URL (the API is under `/apis/...`). */
  kfp: string;
  /**
   * With `uiGateway`: the emulated Kubeflow UI (`ml-pipeline-ui`) in front of the API server; a Kubeflow
   * user's endpoint would be `${kfpUi}/pipeline`. The generated `locations:` block never uses it.
   */
  kfpUi?: string;
  /** ML Metadata gRPC `host:port`; '' (none) at a location running the next KFP, which runs no ML Metadata. */
  mlmd: string;
  /** S3 endpoint URL (path-style). */
  objectStore: string;
  /** The location whose S3 server this location uses (the lab's `sharedObjectStore`), when not its own. */
  objectStoreOf?: string;
  /** Kubernetes API server URL. */
  kubernetes: string;
  /** The pipeline root the file names (the generated `locations:` block). */
  pipelineRoot: string;
  /** kfp-launcher's `defaultPipelineRoot` when it differs from `pipelineRoot` (runs that pin none use it). */
  kfpDefaultPipelineRoot?: string;
  bucket: string;
  region: string;
  /** The KFP version the location emulates (healthz `tag_name`). */
  kfpVersion: string;
  /** The object store's fixed account (not a secret: every lab has it). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Multi-user mode: the namespace (profile) runs go to; its bearer token is not written anywhere. */
  namespace?: string;
  /** Context name in `DIR/kubeconfig`. */
  kubeContext: string;
}

export interface LabFile {
  version: 1;
  /** The process serving the lab; absent once it stopped. */
  pid?: number;
  startedAt: string;
  stoppedAt?: string;
  dir: string;
  kubeconfig: string;
  locations: Record<string, Omit<LabLocation, 'name'>>;
}

export const labFilePath = (dir: string): string => join(dir, 'lab.json');
export const kubeconfigPath = (dir: string): string => join(dir, 'kubeconfig');

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

export async function writeLabFile(dir: string, file: LabFile): Promise<void> {
  await writeAtomically(labFilePath(dir), `${JSON.stringify(file, null, 2)}\n`);
}

/** The lab file of `dir`, or undefined when there is none (or it is unreadable). */
export async function readLabFile(dir: string): Promise<LabFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(labFilePath(dir), 'utf8')) as LabFile;
    return parsed && typeof parsed === 'object' && parsed.locations ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A kubeconfig with one cluster, user and context per location. The lab serves plain HTTP, so TLS
 * verification is off (client-node refuses http:// servers otherwise). */
export function renderKubeconfig(locations: LabLocation[]): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': locations[0]?.kubeContext ?? '',
    clusters: locations.map((l) => ({
      name: l.kubeContext,
      cluster: { server: l.kubernetes, 'insecure-skip-tls-verify': true },
    })),
    users: locations.map((l) => ({ name: l.kubeContext, user: {} })),
    contexts: locations.map((l) => ({
      name: l.kubeContext,
      context: { cluster: l.kubeContext, user: l.kubeContext, namespace: LAB_KUBE_NAMESPACE },
    })),
  };
  return stringify(doc);
}

export async function writeKubeconfig(dir: string, locations: LabLocation[]): Promise<void> {
  await writeAtomically(kubeconfigPath(dir), renderKubeconfig(locations));
}

/** The environment variable a multi-user location's token is read from in the generated block. */
export function tokenEnvName(location: string): string {
  return `LAB_${location.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

/** `locations:` entries of a split-pipeline.yaml pointing at the lab. */
export function renderLocationsYaml(locations: LabLocation[], kubeconfig: string): string {
  const entries = locations.map((l) => ({
    name: l.name,
    kfp: {
      endpoint: l.kfp,
      ...(l.namespace ? { namespace: l.namespace, auth: { tokenEnv: tokenEnvName(l.name) } } : {}),
    },
    ...(l.mlmd ? { mlmd: { endpoint: l.mlmd } } : {}),
    objectStore: {
      endpoint: l.objectStore,
      region: l.region,
      pipelineRoot: l.pipelineRoot,
      accessKeyIdEnv: LAB_S3_ACCESS_KEY_ENV,
      secretAccessKeyEnv: LAB_S3_SECRET_KEY_ENV,
    },
    kubernetes: { kubeconfig, context: l.kubeContext, namespace: LAB_KUBE_NAMESPACE },
  }));
  return stringify({ locations: entries });
}
