/**
 * The lab's emulation of KFP's `ml-pipeline-ui` server (the `/pipeline` path of a Kubeflow gateway),
 * in front of a lab API server, so users who point a location at the Kubeflow gateway see what a real
 * one does. It follows `2.17.0:frontend/server/app.ts` `createUIServer` (line numbers below are at
 * 2.17.0; 2.14.0's app.ts routes the same API paths, plus a few 403s for internal v1 paths):
 * - its own healthz on `/apis/v{1,2}beta1/healthz`, with and without `/pipeline` (app.ts:139-156,
 *   the register helper at app.ts:42-50 adds the base path), in the UI's shape (handlers/healthz.ts);
 * - `_proxy` routes answer 410 (app.ts:360-369);
 * - only `/apis/v1beta1/*` and `/apis/v2beta1/*` are forwarded to the API server, the `/pipeline`
 *   prefix stripped (app.ts:371-419; prefixes in configs.ts:17-21);
 * - everything else falls through the static handler to Express's final 404 (app.ts:431-433), so
 *   the cache table `/apis/v1alpha1/tasks` is not reachable through the UI.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeServer, listen } from '../listen.js';

/** KFP's UI base path (`configs.ts:17` `BASEPATH`). */
export const UI_BASE_PATH = '/pipeline';

export interface UiGatewayOptions {
  /** The API server the UI forwards to (`ML_PIPELINE_SERVICE_HOST:PORT`), e.g. `http://127.0.0.1:18880`. */
  apiServer: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The UI build's `TAG_NAME` file, reported as `frontendTagName` ('' when the file is missing). */
  frontendTagName?: string;
}

export interface UiGateway {
  /** e.g. `http://127.0.0.1:40123`; a Kubeflow user's endpoint would be `${url}/pipeline`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const HEALTHZ = /^(?:\/pipeline)?\/apis\/(v1beta1|v2beta1)\/healthz$/;
const DEPRECATED_PROXY = /^(?:\/pipeline)?\/apis\/v[12]beta1\/_proxy\//;
const FORWARDED = /^(?:\/pipeline)?\/apis\/v[12]beta1\//;
const INDEX = /^(?:\/pipeline)?\/(?:index\.html)?$/;

/** `handlers/healthz.ts:22-32` `HealthzStats`; fields stay unset until the API server answered once. */
interface HealthzStats {
  buildDate: string;
  frontendCommitHash: string;
  frontendTagName: string;
  apiServerReady?: boolean;
  apiServerCommitHash?: unknown;
  apiServerTagName?: unknown;
  apiServerMultiUser?: unknown;
  multi_user?: unknown;
  pipelineStore?: unknown;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Express's final handler for an unmatched request: 404, a small HTML page "Cannot METHOD /path". */
function expressNotFound(req: IncomingMessage, res: ServerResponse, pathname: string): void {
  const text = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${escapeHtml(
    `Cannot ${req.method ?? 'GET'} ${pathname}`,
  )}</pre>\n</body>\n</html>\n`;
  res.writeHead(404, {
    'content-security-policy': "default-src 'none'",
    'x-content-type-options': 'nosniff',
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startUiGateway(opts: UiGatewayOptions): Promise<UiGateway> {
  const apiServer = new URL(opts.apiServer);
  // healthz.ts:48-66 getBuildMetadata, then one stats object per route that every call updates in
  // place (healthz.ts:73-95): after the API server stops answering, the last values it gave remain.
  const stats: Record<string, HealthzStats> = {};
  const statsFor = (version: string): HealthzStats =>
    (stats[version] ??= { buildDate: '', frontendCommitHash: '', frontendTagName: opts.frontendTagName ?? '' });

  async function healthz(version: string, res: ServerResponse): Promise<void> {
    const s = statsFor(version);
    try {
      // healthz.ts:80-89: one second, and the body is read whatever the status.
      const response = await fetch(new URL(`/apis/${version}/healthz`, apiServer), {
        signal: AbortSignal.timeout(1000),
      });
      s.apiServerReady = true;
      const status = (await response.json()) as Record<string, unknown>;
      s.apiServerCommitHash = status['commit_sha'];
      s.apiServerTagName = status['tag_name'];
      s.apiServerMultiUser = status['multi_user'];
      s.multi_user = status['multi_user'];
      s.pipelineStore = status['pipeline_store'];
    } catch {
      s.apiServerReady = false;
    }
    // Express res.json: JSON.stringify drops the fields still undefined.
    sendText(res, 200, 'application/json; charset=utf-8', JSON.stringify(s));
  }

  function forward(req: IncomingMessage, res: ServerResponse, path: string): void {
    // http-proxy-middleware with changeOrigin: the same method, headers and body; Host is the target's.
    const target = { protocol: apiServer.protocol, hostname: apiServer.hostname, port: apiServer.port };
    const upstream = httpRequest(
      { ...target, method: req.method, path, headers: { ...req.headers, host: apiServer.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // http-proxy-middleware's default error handler: 504 when the target refused or reset.
      const status = e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'ENOTFOUND' ? 504 : 500;
      sendText(
        res,
        status,
        'text/plain',
        `Error occurred while trying to proxy: ${req.headers.host ?? ''}${req.url ?? ''}`,
      );
    });
    req.pipe(upstream);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? '/';
    const { pathname, search } = new URL(raw, 'http://ui.invalid');
    const method = req.method ?? 'GET';
    const health = HEALTHZ.exec(pathname);
    if (health && (method === 'GET' || method === 'HEAD')) {
      void healthz(health[1]!, res);
      return;
    }
    if (DEPRECATED_PROXY.test(pathname)) {
      sendText(
        res,
        410,
        'text/html; charset=utf-8',
        'The generic /_proxy/ endpoint is deprecated and no longer supported.',
      );
      return;
    }
    if (FORWARDED.test(pathname)) {
      const path = pathname.startsWith(`${UI_BASE_PATH}/`) ? pathname.slice(UI_BASE_PATH.length) : pathname;
      forward(req, res, `${path}${search}`);
      return;
    }
    if (INDEX.test(pathname) && (method === 'GET' || method === 'HEAD')) {
      // The real UI serves its React app here (app.ts:427-430); the lab has none.
      const page =
        '<!DOCTYPE html>\n<html><head><title>Kubeflow Pipelines (lab UI gateway)</title></head><body></body></html>\n';
      sendText(res, 200, 'text/html; charset=utf-8', page);
      return;
    }
    expressNotFound(req, res, pathname);
  }

  const server: Server = createServer(handle);
  const host = opts.host ?? '127.0.0.1';
  const { port, url } = await listen(server, host, opts.port);
  return {
    url,
    port,
    close: () => closeServer(server),
  };
}
