/**
 * PipelineService (`backend/api/v2beta1/pipeline.proto`, `backend/src/apiserver/server/pipeline_server.go`)
 * through grpc-gateway: JSON bodies decoded strictly, errors as `google.rpc.Status`.
 */
import { invalidArgument, wrapApi } from './api-error.js';
import { ok, param, type RequestContext, type Reply, type Route } from './context.js';
import { listRequest, parseJsonBody, queryString } from './http-util.js';
import { PipelineMsg, PipelineVersionMsg } from './messages.js';
import { parsePipelinePackage } from './pipeline-spec.js';
import { pipelineJson, versionJson } from './pipeline-store.js';
import { decodeMessage, emit, isJsonObject, obj, str, type JsonObject } from './proto-json.js';

function pipelineNamespace(ctx: RequestContext, requested: string): string {
  const { lab } = ctx;
  const namespace = lab.namespaceOf(requested);
  // validation/namespace.go ValidateNamespaceRequired
  if (lab.multiUser && lab.requireNamespaceForPipelines && namespace === '')
    throw invalidArgument('Namespace is required for pipeline operations');
  if (namespace !== '') lab.authorize(ctx.principal, namespace);
  return namespace;
}

async function createPipeline(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create a pipeline', async () => {
    const p = decodeMessage(PipelineMsg, parseJsonBody(await ctx.body()));
    const name = str(p, 'name') || str(p, 'display_name');
    if (name === '') throw invalidArgument('name is required');
    const namespace = pipelineNamespace(ctx, str(p, 'namespace'));
    const tags = obj(p, 'tags') as Record<string, string> | undefined;
    const row = ctx.lab.store.pipelines.createPipeline({
      name,
      displayName: str(p, 'display_name'),
      description: str(p, 'description'),
      namespace,
      ...(tags ? { tags } : {}),
    });
    return ok(pipelineJson(row));
  });
}

function listPipelines(ctx: RequestContext): Reply {
  return wrapApi('Failed to list pipelines', () => {
    const namespace = pipelineNamespace(ctx, queryString(ctx.query, 'namespace'));
    const page = ctx.lab.store.pipelines.listPipelines(listRequest(ctx.query), namespace);
    return ok(
      emit({ pipelines: page.rows.map(pipelineJson), total_size: page.totalSize, next_page_token: page.nextPageToken }),
    );
  });
}

function authorizePipeline(ctx: RequestContext, namespace: string): void {
  if (namespace !== '') ctx.lab.authorize(ctx.principal, namespace);
}

function getPipeline(ctx: RequestContext): Reply {
  return wrapApi('Failed to get a pipeline', () => {
    const row = ctx.lab.store.pipelines.getPipeline(param(ctx, 0));
    authorizePipeline(ctx, row.namespace);
    return ok(pipelineJson(row));
  });
}

function getPipelineByName(ctx: RequestContext): Reply {
  return wrapApi('Failed to get a pipeline by name', () => {
    const namespace = pipelineNamespace(ctx, queryString(ctx.query, 'namespace'));
    return ok(pipelineJson(ctx.lab.store.pipelines.getPipelineByName(param(ctx, 0), namespace)));
  });
}

function deletePipeline(ctx: RequestContext): Reply {
  return wrapApi('Failed to delete a pipeline', () => {
    const row = ctx.lab.store.pipelines.getPipeline(param(ctx, 0));
    authorizePipeline(ctx, row.namespace);
    ctx.lab.store.pipelines.deletePipeline(row.uuid, ctx.query.get('cascade') === 'true');
    return ok({});
  });
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** Downloads `package_url`; the lab only reaches addresses on this machine. */
async function fetchPackage(url: string): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidArgument(
      `Failed to create a pipeline version due to invalid pipeline spec URI. PipelineSpecURI: ${url}. Please specify a valid URL`,
    );
  }
  if (!/^https?:$/.test(u.protocol) || !LOOPBACK.test(u.hostname)) {
    throw invalidArgument(
      `Pipeline URL validation failed: the lab fetches package_url only from loopback http(s) addresses, not ${u.host}`,
    );
  }
  const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw invalidArgument(`Failed to fetch pipeline spec with url: ${url}. Request returned ${res.status}`);
  return res.text();
}

async function createVersion(ctx: RequestContext): Promise<Reply> {
  const pipelineId = param(ctx, 0);
  const pv: JsonObject = await wrapApi('Failed to create a pipeline version', async () =>
    decodeMessage(PipelineVersionMsg, parseJsonBody(await ctx.body())),
  );
  return wrapApi('Failed to create a pipeline version. Check error stack', async () => {
    const url = str(obj(pv, 'package_url'), 'pipeline_url');
    if (url === '') throw invalidArgument('Failed to create a pipeline version. Package URL is empty');
    if (str(pv, 'pipeline_id') !== '' && str(pv, 'pipeline_id') !== pipelineId) {
      throw invalidArgument(
        `Failed to create a pipeline version. Parent pipeline id ${str(pv, 'pipeline_id')} differs from ${pipelineId} in the path`,
      );
    }
    const name = str(pv, 'name') || str(pv, 'display_name');
    if (name === '') throw invalidArgument('name is required');
    const pipeline = ctx.lab.store.pipelines.getPipeline(pipelineId);
    authorizePipeline(ctx, pipeline.namespace);
    const pkg = parsePipelinePackage(await fetchPackage(url), ctx.lab.kfpVersion);
    const tags = obj(pv, 'tags') as Record<string, string> | undefined;
    const row = ctx.lab.store.pipelines.createVersion({
      pipelineId,
      name,
      displayName: str(pv, 'display_name'),
      description: str(pv, 'description'),
      codeSourceUrl: str(pv, 'code_source_url'),
      packageUrl: url,
      pkg,
      ...(tags && isJsonObject(tags) ? { tags } : {}),
    });
    return ok(versionJson(row));
  });
}

function listVersions(ctx: RequestContext): Reply {
  return wrapApi('Failed to list pipeline versions', () => {
    const pipeline = ctx.lab.store.pipelines.getPipeline(param(ctx, 0));
    authorizePipeline(ctx, pipeline.namespace);
    const page = ctx.lab.store.pipelines.listVersions(pipeline.uuid, listRequest(ctx.query));
    return ok(
      emit({
        pipeline_versions: page.rows.map(versionJson),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      }),
    );
  });
}

function getVersion(ctx: RequestContext): Reply {
  return wrapApi('Failed to get a pipeline version', () => {
    const version = ctx.lab.store.pipelines.getVersion(param(ctx, 1));
    const pipeline = ctx.lab.store.pipelines.getPipeline(version.pipeline_id);
    authorizePipeline(ctx, pipeline.namespace);
    return ok(versionJson(version));
  });
}

function deleteVersion(ctx: RequestContext): Reply {
  return wrapApi('Failed to delete a pipeline version', () => {
    const pipeline = ctx.lab.store.pipelines.getPipeline(param(ctx, 0));
    authorizePipeline(ctx, pipeline.namespace);
    ctx.lab.store.pipelines.deleteVersion(pipeline.uuid, param(ctx, 1));
    return ok({});
  });
}

const ID = '([^/]+)';
export const pipelineRoutes: Route[] = [
  { method: 'POST', pattern: /^\/apis\/v2beta1\/pipelines$/, handle: createPipeline },
  { method: 'GET', pattern: /^\/apis\/v2beta1\/pipelines$/, handle: listPipelines },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/pipelines/names/${ID}$`), handle: getPipelineByName },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/pipelines/${ID}$`), handle: getPipeline },
  { method: 'DELETE', pattern: new RegExp(`^/apis/v2beta1/pipelines/${ID}$`), handle: deletePipeline },
  { method: 'POST', pattern: new RegExp(`^/apis/v2beta1/pipelines/${ID}/versions$`), handle: createVersion },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/pipelines/${ID}/versions$`), handle: listVersions },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/pipelines/${ID}/versions/${ID}$`), handle: getVersion },
  { method: 'DELETE', pattern: new RegExp(`^/apis/v2beta1/pipelines/${ID}/versions/${ID}$`), handle: deleteVersion },
];
