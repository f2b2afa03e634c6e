/**
 * The lab's KFP API server: the REST surface of a KFP 2.x `ml-pipeline` service on loopback, with
 * its state in SQLite. Routing follows `backend/src/apiserver/main.go` `buildHTTPRouter`: healthz
 * and the uploads are plain handlers, everything else goes through grpc-gateway.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../listen.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, GrpcCode, internal, notFound } from './api-error.js';
import { authenticate, authorize, type MultiUserOptions } from './auth.js';
import type { LabContext, Principal, RequestContext, Route } from './context.js';
import type { RunContext, RunExecutor } from './executor.js';
import { experimentRoutes } from './experiment-routes.js';
import { FaultInjector, type KfpFaults } from './faults.js';
import { readBody, sendApiError, sendJson } from './http-util.js';
import { pipelineRoutes } from './pipeline-routes.js';
import { runRoutes } from './run-routes.js';
import { KfpLabStore } from './store.js';
import { taskRoutes } from './task-routes.js';
import { uploadRoutes } from './upload-routes.js';
import { nativeRoutes } from '../native/native-routes.js';

export interface KfpServerOptions {
  /** SQLite file holding the server's state; reopening it restores pipelines, runs and cache rows. */
  dbPath: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Reported as healthz `tag_name`; the product reads the server's KFP version from it. */
  kfpVersion?: string;
  /** Reported as healthz `commit_sha`. */
  commitSha?: string;
  /** Reported as healthz `tag_name` when it differs from `kfpVersion` (the next KFP's build reports `master`). */
  tagName?: string;
  /** Multi-user mode (KFP's `MULTIUSER=true`). */
  multiUser?: MultiUserOptions;
  /** Executes runs; without one, runs stay PENDING. */
  runExecutor?: RunExecutor;
  faults?: KfpFaults;
}

export interface KfpServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (the API is under `/apis/...`). */
  url: string;
  port: number;
  store: KfpLabStore;
  /** Replaces the fault injection settings (and restarts their request count). */
  setFaults(faults: KfpFaults | undefined): void;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...uploadRoutes, ...pipelineRoutes, ...experimentRoutes, ...runRoutes, ...taskRoutes];
const HEALTHZ = /^\/apis\/v(1|2)beta1\/healthz$/;

export async function startKfpServer(opts: KfpServerOptions): Promise<KfpServer> {
  const multiUser = opts.multiUser;
  const store = new KfpLabStore(opts.dbPath, multiUser !== undefined);
  const kfpVersion = opts.kfpVersion ?? '2.17.0';
  const executor = opts.runExecutor;
  // The next KFP (version `next`) serves the native task and artifact API beside the runs (see native/).
  const routes = kfpVersion === 'next' ? [...ROUTES, ...nativeRoutes] : ROUTES;
  const runContext: RunContext = { store, kfpVersion, multiUser: multiUser !== undefined };
  const faults = new FaultInjector(opts.faults);
  let closed = false;
  /** Runs work after the response, unless the server has been closed meanwhile. */
  const later = (f: () => void): void => {
    setImmediate(() => {
      if (closed) return;
      try {
        f();
      } catch {
        // The executor's own failure must not take the server down; the run keeps its state.
      }
    });
  };

  const startRun = (runId: string): void => {
    const run = store.getRun(runId);
    if (!executor || !run) return;
    try {
      executor.start(run, runContext);
    } catch (e) {
      store.finish(runId, 'FAILED', { message: `the lab executor could not start the run: ${(e as Error).message}` });
    }
  };

  const lab: LabContext = {
    store,
    kfpVersion,
    commitSha: opts.commitSha ?? 'unknown',
    multiUser: multiUser !== undefined,
    requireNamespaceForPipelines: multiUser?.requireNamespaceForPipelines ?? false,
    namespaceOf: (requested) => (multiUser ? requested : ''),
    authorize: (principal, namespace) => {
      if (multiUser) authorize(principal, namespace, multiUser);
    },
    startRun,
    terminateRun: (runId) => {
      if (executor) {
        executor.terminate(runId);
        return;
      }
      // Nothing is executing the run, so nothing else would ever move it from CANCELING.
      if (store.runs.find(runId)?.state === 'CANCELING') store.finish(runId, 'CANCELED');
    },
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const path = url.pathname;
    if (HEALTHZ.test(path) && req.method === 'GET') {
      // main.go healthzResponse (2.17.0:backend/src/apiserver/main.go:465-491): encoding/json, so multi_user is
      // always present; pipeline_store (omitempty) only on v2beta1 (main.go:504-512).
      const v2 = path.startsWith('/apis/v2beta1/');
      sendJson(res, 200, {
        commit_sha: lab.commitSha,
        tag_name: opts.tagName ?? kfpVersion,
        multi_user: lab.multiUser,
        ...(v2 ? { pipeline_store: 'database' } : {}),
      });
      return;
    }
    const candidates = routes.filter((r) => r.pattern.test(path));
    if (candidates.length === 0) throw notFound('Not Found');
    const route = candidates.find((r) => r.method === req.method);
    if (!route) throw new ApiError(GrpcCode.UNIMPLEMENTED, 'Method Not Allowed');
    const principal: Principal = multiUser && !route.anonymous ? authenticate(req.headers, multiUser) : {};
    let body: Promise<Buffer> | undefined;
    const ctx: RequestContext = {
      lab,
      principal,
      query: url.searchParams,
      params: route.pattern.exec(path)?.slice(1) ?? [],
      contentType: req.headers['content-type'] ?? '',
      body: () => (body ??= readBody(req)),
    };
    const reply = await route.handle(ctx);
    sendJson(res, reply.status, reply.body);
    if (reply.after) later(reply.after);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = faults.next();
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(
        JSON.stringify({
          code: fault.code,
          message:
            fault.status === 503
              ? 'upstream unavailable (lab fault injection)'
              : 'too many requests (lab fault injection)',
        }),
      );
      return;
    }
    try {
      await dispatch(req, res);
    } catch (e) {
      const err = e instanceof ApiError ? e : internal(`internal error: ${(e as Error).message}`);
      if (!res.headersSent) sendApiError(res, err);
      else res.destroy();
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  const { port } = await listen(server, opts.host ?? '127.0.0.1', opts.port);

  // A lab restarted on existing state hands its unfinished runs to the executor again.
  for (const row of store.runs.unfinished()) {
    if (!executor) break;
    if (row.state === 'CANCELING') store.finish(row.uuid, 'CANCELED');
    else later(() => startRun(row.uuid));
  }

  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    setFaults: (f) => faults.set(f),
    close: async () => {
      closed = true;
      await closeServer(server);
      store.close();
    },
  };
}
