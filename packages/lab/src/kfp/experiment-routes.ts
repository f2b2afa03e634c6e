/** ExperimentService (`backend/src/apiserver/server/experiment_server.go`) through grpc-gateway. */
import { invalidArgument, wrapApi } from './api-error.js';
import { ok, param, type RequestContext, type Reply, type Route } from './context.js';
import { experimentJson } from './experiment-store.js';
import { listRequest, parseJsonBody, queryString } from './http-util.js';
import { ExperimentMsg } from './messages.js';
import { decodeMessage, emit, str } from './proto-json.js';

/** In multi-user mode experiments live in a namespace the caller may use. */
function experimentNamespace(ctx: RequestContext, requested: string): string {
  const namespace = ctx.lab.namespaceOf(requested);
  if (ctx.lab.multiUser) {
    if (namespace === '')
      throw invalidArgument('Invalid input error: In multi-user mode, an experiment namespace is required');
    ctx.lab.authorize(ctx.principal, namespace);
  }
  return namespace;
}

async function createExperiment(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create an experiment', async () => {
    const e = decodeMessage(ExperimentMsg, parseJsonBody(await ctx.body()));
    const namespace = experimentNamespace(ctx, str(e, 'namespace'));
    const row = ctx.lab.store.experiments.create({
      displayName: str(e, 'display_name'),
      description: str(e, 'description'),
      namespace,
    });
    return ok(experimentJson(row));
  });
}

function getExperiment(ctx: RequestContext): Reply {
  return wrapApi('Failed to get an experiment', () => {
    const row = ctx.lab.store.experiments.get(param(ctx, 0));
    if (ctx.lab.multiUser) ctx.lab.authorize(ctx.principal, row.namespace);
    return ok(experimentJson(row));
  });
}

function listExperiments(ctx: RequestContext): Reply {
  return wrapApi('Failed to list experiments', () => {
    const requested = queryString(ctx.query, 'namespace');
    // Single-user mode lists every experiment (the namespace filter only applies in multi-user mode).
    const namespace = ctx.lab.multiUser ? experimentNamespace(ctx, requested) : undefined;
    const page = ctx.lab.store.experiments.list(listRequest(ctx.query), namespace);
    return ok(
      emit({
        experiments: page.rows.map(experimentJson),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      }),
    );
  });
}

export const experimentRoutes: Route[] = [
  { method: 'POST', pattern: /^\/apis\/v2beta1\/experiments$/, handle: createExperiment },
  { method: 'GET', pattern: /^\/apis\/v2beta1\/experiments$/, handle: listExperiments },
  { method: 'GET', pattern: /^\/apis\/v2beta1\/experiments\/([^/:]+)$/, handle: getExperiment },
];
