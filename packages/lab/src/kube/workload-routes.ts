// REST routes for batch/v1 Jobs, core/v1 Pods (+ pods/log) and Secrets, with the paths, verbs
// and answers of the API server (staging/src/k8s.io/apiserver/pkg/endpoints/installer.go):
// POST a collection → 201 with the object, GET one/list (labelSelector), DELETE → 200 Status.
// And the lab's one node (GET, and PATCH `spec.unschedulable`: kubectl cordon / uncordon).
import { NODE_NAME, type JobController } from './job-controller.js';
import { applyPatch } from './patch.js';
import { badRequest, methodNotAllowed, resourceErrors, type StatusCause } from './status.js';
import { errorsOf, KINDS, type WorkloadKind, type WorkloadStore } from './workload-store.js';

export interface WorkloadReply {
  code: number;
  body: unknown;
}

const NODE_PATH = /^\/api\/v1\/nodes(?:\/([^/]+))?$/;
const JOB_PATH = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+)(\/status)?)?$/;
const CORE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|secrets)(?:\/([^/]+)(\/log)?)?$/;

function list(store: WorkloadStore, kind: WorkloadKind, namespace: string | undefined, url: URL): unknown {
  return {
    kind: `${kind}List`,
    apiVersion: KINDS[kind].apiVersion,
    metadata: { resourceVersion: store.resourceVersion },
    items: store.list(kind, namespace, url.searchParams.get('labelSelector')),
  };
}

/** Job validation the lab needs (pkg/apis/batch/validation/validation.go `validateJobSpec`). */
function validateJob(body: unknown): void {
  const b = body as {
    metadata?: { name?: string };
    spec?: {
      ttlSecondsAfterFinished?: unknown;
      template?: { spec?: { containers?: unknown[]; restartPolicy?: string } };
    };
  };
  const causes: StatusCause[] = [];
  // `ValidateNonnegativeField` of spec.ttlSecondsAfterFinished (an int32 in batch/v1).
  const ttl = b.spec?.ttlSecondsAfterFinished;
  if (ttl !== undefined && ttl !== null && (!Number.isInteger(ttl) || (ttl as number) < 0)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.ttlSecondsAfterFinished',
      message: `Invalid value: ${JSON.stringify(ttl)}: must be greater than or equal to 0`,
    });
  }
  const pod = b.spec?.template?.spec;
  if (!Array.isArray(pod?.containers) || pod.containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', field: 'spec.template.spec.containers', message: 'Required value' });
  }
  if (pod?.restartPolicy !== 'Never' && pod?.restartPolicy !== 'OnFailure') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.template.spec.restartPolicy',
      message: `Unsupported value: "${pod?.restartPolicy ?? ''}": supported values: "OnFailure", "Never"`,
    });
  }
  if (causes.length > 0) throw errorsOf('Job').invalid(b.metadata?.name ?? '', 'Job.batch', causes);
}

/** Secrets store `data` base64; `stringData` is merged into it on write (pkg/apis/core/v1/conversion.go). */
function normaliseSecret(body: unknown): unknown {
  const b = structuredClone(body) as {
    data?: Record<string, string>;
    stringData?: Record<string, string>;
    type?: string;
  };
  const data = { ...(b.data ?? {}) };
  for (const [k, v] of Object.entries(b.stringData ?? {})) data[k] = Buffer.from(v, 'utf8').toString('base64');
  delete b.stringData;
  return { ...b, data, type: b.type ?? 'Opaque' };
}

/** batch/v1 Jobs orphan their pods unless told otherwise (pkg/registry/batch/job/strategy.go `DefaultGarbageCollectionPolicy`). */
function propagation(url: URL, body: unknown): string {
  const fromBody = (body as { propagationPolicy?: unknown } | undefined)?.propagationPolicy;
  return url.searchParams.get('propagationPolicy') ?? (typeof fromBody === 'string' ? fromBody : 'Orphan');
}

export async function routeWorkloads(
  store: WorkloadStore,
  jobs: JobController,
  method: string,
  path: string,
  url: URL,
  readBody: () => Promise<unknown>,
  readLog: (namespace: string, pod: string) => Promise<string>,
  contentType = '',
): Promise<WorkloadReply | undefined> {
  const dryRun = url.searchParams.getAll('dryRun').includes('All');
  const node = NODE_PATH.exec(path);
  if (node)
    return routeNode(jobs, method, node[1] === undefined ? undefined : decodeURIComponent(node[1]), {
      readBody,
      contentType,
      dryRun,
    });
  if (path === '/apis/batch/v1/jobs' || path === '/api/v1/pods' || path === '/api/v1/secrets') {
    if (method !== 'GET') throw methodNotAllowed(method);
    const kind: WorkloadKind = path.endsWith('jobs') ? 'Job' : path.endsWith('pods') ? 'Pod' : 'Secret';
    return { code: 200, body: list(store, kind, undefined, url) };
  }
  let kind: WorkloadKind;
  let namespace: string;
  let name: string | undefined;
  let sub: string | undefined;
  const job = JOB_PATH.exec(path);
  const core = CORE_PATH.exec(path);
  if (job) {
    kind = 'Job';
    namespace = decodeURIComponent(job[1]!);
    name = job[2] === undefined ? undefined : decodeURIComponent(job[2]);
    sub = job[3];
  } else if (core) {
    kind = core[2] === 'pods' ? 'Pod' : 'Secret';
    namespace = decodeURIComponent(core[1]!);
    name = core[3] === undefined ? undefined : decodeURIComponent(core[3]);
    sub = core[4];
    if (sub === '/log' && kind !== 'Pod') return undefined;
  } else return undefined;
  if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
    throw badRequest('watch is not supported by the lab API server');
  }
  if (name === undefined) {
    if (method === 'GET') return { code: 200, body: list(store, kind, namespace, url) };
    if (method !== 'POST') throw methodNotAllowed(method);
    if (kind === 'Pod') throw methodNotAllowed(method); // the lab's pods come from Jobs only
    let body = await readBody();
    if (kind === 'Job') validateJob(body);
    if (kind === 'Secret') body = normaliseSecret(body);
    const created = store.create(kind, namespace, body, dryRun);
    if (kind === 'Job' && !dryRun) {
      created['status'] = {};
      jobs.created(created);
    }
    return { code: 201, body: store.get(kind, namespace, created.metadata.name) };
  }
  if (sub === '/log') {
    if (method !== 'GET') throw methodNotAllowed(method);
    store.get('Pod', namespace, name);
    let text = await readLog(namespace, name);
    const tail = url.searchParams.get('tailLines');
    if (tail !== null)
      text = text
        .split('\n')
        .slice(-(Number(tail) + 1))
        .join('\n');
    return { code: 200, body: text };
  }
  switch (method) {
    case 'GET':
      return { code: 200, body: store.get(kind, namespace, name) };
    case 'DELETE': {
      const body = await readBody();
      const current = store.get(kind, namespace, name);
      const status = store.delete(kind, namespace, name, dryRun);
      if (kind === 'Job' && !dryRun) jobs.deleted(current, propagation(url, body) === 'Orphan');
      return { code: 200, body: status };
    }
    default:
      throw methodNotAllowed(method);
  }
}

/** `kubectl cordon lab` patches `spec.unschedulable: true` (strategic merge); uncordon sets it false. */
async function routeNode(
  jobs: JobController,
  method: string,
  name: string | undefined,
  request: { readBody: () => Promise<unknown>; contentType: string; dryRun: boolean },
): Promise<WorkloadReply> {
  if (name === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return { code: 200, body: { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [jobs.node()] } };
  }
  if (name !== NODE_NAME) throw resourceErrors('', 'nodes').notFound(name);
  if (method === 'GET') return { code: 200, body: jobs.node() };
  if (method !== 'PATCH') throw methodNotAllowed(method);
  const patched = applyPatch(jobs.node(), await request.readBody(), request.contentType) as {
    spec?: { unschedulable?: unknown };
  };
  if (!request.dryRun) jobs.setUnschedulable(patched.spec?.unschedulable === true);
  return { code: 200, body: jobs.node() };
}
