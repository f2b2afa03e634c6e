// A minimal Kubernetes API server for the lab: `coordination.k8s.io/v1` Leases over node:http,
// with the REST paths, status codes and `Status` bodies of a real API server, optional bearer
// token authentication, and durable storage under `dir`.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../listen.js';
import { coordinationGroup, coordinationResources, coreVersions, groupList, version } from './discovery.js';
import { asListItem, API_VERSION } from './lease-object.js';
import { LeaseStore, type DeletePreconditions } from './lease-store.js';
import { JobController } from './job-controller.js';
import { applyPatch } from './patch.js';
import { AuditLog, auditVerb, objectRefOf } from './audit-log.js';
import { routeWorkloads } from './workload-routes.js';
import { WorkloadStore } from './workload-store.js';
import { badRequest, methodNotAllowed, pathNotFound, StatusError, unauthorized } from './status.js';

export interface StartKubeServerOptions {
  /** Directory for the durable state (`leases.json`). */
  dir: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** When set, every API request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export interface LabKubeServer {
  /** `http://host:port`, the cluster `server` of a kubeconfig. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const LEASES = '/apis/coordination.k8s.io/v1';
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

interface Reply {
  code: number;
  body: unknown;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

function preconditionsOf(body: unknown): DeletePreconditions {
  const pre = (body as { preconditions?: { resourceVersion?: unknown; uid?: unknown } } | undefined)?.preconditions;
  return {
    ...(typeof pre?.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
    ...(typeof pre?.uid === 'string' ? { uid: pre.uid } : {}),
  };
}

function leaseList(store: LeaseStore, namespace?: string): unknown {
  return {
    kind: 'LeaseList',
    apiVersion: API_VERSION,
    metadata: { resourceVersion: store.resourceVersion },
    items: store.list(namespace).map(asListItem),
  };
}

interface Workloads {
  store: WorkloadStore;
  jobs: JobController;
}

async function route(store: LeaseStore, req: IncomingMessage, url: URL, workloads: Workloads): Promise<Reply> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const readLog = async (namespace: string, pod: string) => {
    try {
      return await readFile(workloads.jobs.logFile(namespace, pod), 'utf8');
    } catch {
      return '';
    }
  };
  const workload = await routeWorkloads(
    workloads.store,
    workloads.jobs,
    method,
    path,
    url,
    () => readBody(req),
    readLog,
    String(req.headers['content-type'] ?? ''),
  );
  if (workload !== undefined) return workload;
  const dryRun = url.searchParams.getAll('dryRun').includes('All');
  const discovery: Record<string, unknown> = {
    '/version': version,
    '/api': coreVersions,
    '/apis': groupList,
    '/apis/coordination.k8s.io': coordinationGroup,
    [LEASES]: coordinationResources,
  };
  if (discovery[path] !== undefined) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return { code: 200, body: discovery[path] };
  }
  if (path === `${LEASES}/leases`) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return { code: 200, body: leaseList(store) };
  }
  const m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(path);
  if (!m) throw pathNotFound();
  const namespace = decodeURIComponent(m[1] ?? '');
  const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
    throw badRequest('watch is not supported by the lab API server');
  }
  if (name === undefined) {
    if (method === 'GET') return { code: 200, body: leaseList(store, namespace) };
    if (method === 'POST') return { code: 201, body: store.create(namespace, await readBody(req), dryRun) };
    throw methodNotAllowed(method);
  }
  switch (method) {
    case 'GET':
      return { code: 200, body: store.get(namespace, name) };
    case 'PUT': {
      const { lease, created } = store.replace(namespace, name, await readBody(req), dryRun);
      return { code: created ? 201 : 200, body: lease };
    }
    case 'PATCH': {
      const body = await readBody(req);
      const type = String(req.headers['content-type'] ?? '');
      return { code: 200, body: store.patch(namespace, name, (current) => applyPatch(current, body, type), dryRun) };
    }
    case 'DELETE':
      return { code: 200, body: store.delete(namespace, name, preconditionsOf(await readBody(req)), dryRun) };
    default:
      throw methodNotAllowed(method);
  }
}

function authorized(req: IncomingMessage, path: string, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization;
  if (header === undefined) return PUBLIC_PATHS.has(path);
  return header === `Bearer ${token}`;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startKubeServer(options: StartKubeServerOptions): Promise<LabKubeServer> {
  const store = new LeaseStore(options.dir);
  // Jobs, their pods and Secrets (the transfer Job engine); running Jobs go on after a lab restart.
  const workloadStore = new WorkloadStore(options.dir);
  const audit = new AuditLog(options.dir);
  const workloads = { store: workloadStore, jobs: new JobController(workloadStore, audit) };
  workloads.jobs.resume();
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://lab');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const received = new Date();
    // Writes go to the audit log with their answer's code (audit-log.ts); a create's name is the created object's.
    const audited = (code: number, body: unknown) => {
      const verb = auditVerb(req.method ?? 'GET');
      if (verb === undefined || !authorized(req, path, options.token)) return;
      const ref = objectRefOf(path);
      const name = (body as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
      audit.record({
        verb,
        requestURI: req.url ?? path,
        user: options.token === undefined ? 'system:anonymous' : 'lab-token',
        ...(req.headers['user-agent'] !== undefined ? { userAgent: String(req.headers['user-agent']) } : {}),
        ...(ref ? { objectRef: verb === 'create' && typeof name === 'string' ? { ...ref, name } : ref } : {}),
        code,
        received,
      });
    };
    void (async () => {
      try {
        if (!authorized(req, path, options.token)) throw unauthorized();
        if (['/healthz', '/livez', '/readyz'].includes(path)) {
          send(res, 200, 'ok');
          return;
        }
        const reply = await route(store, req, url, workloads);
        audited(reply.code, reply.body);
        send(res, reply.code, reply.body);
      } catch (err) {
        if (err instanceof StatusError) {
          audited(err.httpStatus, undefined);
          send(res, err.httpStatus, err.status);
        } else
          send(res, 500, {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: String(err),
            reason: 'InternalError',
            code: 500,
          });
      }
    })();
  });
  const { port, url } = await listen(server, host, options.port);
  return {
    url,
    port,
    close: () => {
      workloads.jobs.close();
      return closeServer(server);
    },
  };
}
