/**
 * The multipart upload endpoints, which KFP serves with plain HTTP handlers rather than through
 * grpc-gateway (`backend/src/apiserver/server/pipeline_upload_server.go`): the file comes in the
 * form field `uploadfile`, the rest in the query string, and errors are written as the v1beta1
 * `Error` message `{error_message, error_details}` with the status chosen by the handler.
 */
import { ApiError, GrpcCode, invalidArgument } from './api-error.js';
import { ok, type RequestContext, type Reply, type Route } from './context.js';
import { parsePipelinePackage, type PipelinePackage } from './pipeline-spec.js';
import { pipelineJson, versionJson } from './pipeline-store.js';
import { isJsonObject } from './proto-json.js';

const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;

function uploadError(status: number, message: string, details = message): Reply {
  return { status, body: { error_message: message, error_details: details } };
}

/** Maps an ApiError to the status and message the upload handler writes. */
function fromApiError(e: ApiError, generic: string): Reply {
  if (e.code === GrpcCode.ALREADY_EXISTS) return uploadError(409, generic, e.message);
  if (e.code === GrpcCode.INVALID_ARGUMENT || e.code === GrpcCode.PERMISSION_DENIED)
    return uploadError(400, e.external, e.message);
  return uploadError(500, generic, e.message);
}

interface UploadedFile {
  name: string;
  text: string;
}

/** `r.FormFile("uploadfile")`. */
async function formFile(ctx: RequestContext): Promise<UploadedFile | undefined> {
  if (!ctx.contentType.toLowerCase().startsWith('multipart/form-data')) return undefined;
  try {
    const form = await new Response(await ctx.body(), { headers: { 'content-type': ctx.contentType } }).formData();
    const file = form.get('uploadfile');
    if (file === null || typeof file === 'string') return undefined;
    return { name: file.name, text: await file.text() };
  } catch {
    return undefined;
  }
}

/** `ReadPipelineFile`: YAML or JSON by file name (the lab does not unpack .zip/.tar.gz archives). */
function readPackage(file: UploadedFile, kfpVersion: string): PipelinePackage {
  if (!/\.(ya?ml|json)$/i.test(file.name)) {
    throw invalidArgument(
      'Unexpected pipeline file format. Support .zip, .tar.gz, .json or YAML (the lab accepts .yaml, .yml and .json)',
    );
  }
  const pkg = parsePipelinePackage(file.text, kfpVersion);
  const info = pkg.pipelineSpec['pipelineInfo'];
  const specName = isJsonObject(info) && typeof info['name'] === 'string' ? info['name'] : '';
  // common.ValidatePipelineName, applied to the IR pipeline name on upload.
  if (!PIPELINE_NAME.test(specName)) {
    throw invalidArgument(
      "pipeline's name must contain only lowercase alphanumeric characters or '-' and must start with alphanumeric characters",
    );
  }
  return pkg;
}

function tagsParam(query: URLSearchParams): Record<string, string> | undefined {
  const raw = query.get('tags');
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as unknown;
  if (!isJsonObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) throw new Error('tags');
  return parsed as Record<string, string>;
}

/** `buildPipelineName`: name, else display name, else the file name. */
const buildName = (name: string, displayName: string, fileName: string): string => name || displayName || fileName;

async function uploadPipeline(ctx: RequestContext): Promise<Reply> {
  const file = await formFile(ctx);
  if (!file) return uploadError(400, 'Failed to read pipeline from file');
  const q = ctx.query;
  let pkg: PipelinePackage;
  try {
    pkg = readPackage(file, ctx.lab.kfpVersion);
  } catch (e) {
    if (e instanceof ApiError) return uploadError(400, e.external, e.message);
    throw e;
  }
  let tags: Record<string, string> | undefined;
  try {
    tags = tagsParam(q);
  } catch {
    return uploadError(400, 'Failed to parse tags query parameter. Expected JSON object with string keys and values');
  }
  const { lab } = ctx;
  const namespace = lab.namespaceOf(q.get('namespace') ?? '');
  if (lab.multiUser && lab.requireNamespaceForPipelines && namespace === '')
    return uploadError(400, 'Namespace is required for pipeline operations');
  const name = buildName(q.get('name') ?? '', q.get('display_name') ?? '', file.name);
  const displayName = q.get('display_name') || name;
  const description = q.get('description') ?? '';
  try {
    if (namespace !== '') lab.authorize(ctx.principal, namespace);
    const { pipeline } = lab.store.pipelines.createPipelineAndVersion(
      { name, displayName, description, namespace, ...(tags ? { tags } : {}) },
      { name, displayName, description, codeSourceUrl: q.get('code_source_url') ?? '', pkg },
    );
    return ok(pipelineJson(pipeline));
  } catch (e) {
    if (e instanceof ApiError) return fromApiError(e, 'Failed to create a pipeline and a pipeline version');
    throw e;
  }
}

async function uploadPipelineVersion(ctx: RequestContext): Promise<Reply> {
  const generic = 'Failed to create a pipeline version';
  const file = await formFile(ctx);
  if (!file) return uploadError(400, generic);
  const q = ctx.query;
  let pkg: PipelinePackage;
  try {
    pkg = readPackage(file, ctx.lab.kfpVersion);
  } catch (e) {
    if (e instanceof ApiError) return uploadError(400, e.external, e.message);
    throw e;
  }
  const pipelineId = q.get('pipelineid') ?? '';
  if (pipelineId === '')
    return uploadError(400, generic, 'Failed to create a pipeline version. Error reading pipeline id');
  const { lab } = ctx;
  let tags: Record<string, string> | undefined;
  try {
    tags = tagsParam(q);
  } catch {
    return uploadError(400, 'Failed to parse tags query parameter. Expected JSON object with string keys and values');
  }
  try {
    const pipeline = lab.store.pipelines.getPipeline(pipelineId);
    if (pipeline.namespace !== '') lab.authorize(ctx.principal, pipeline.namespace);
    const name = buildName(q.get('name') ?? '', q.get('display_name') ?? '', file.name);
    const version = lab.store.pipelines.createVersion({
      pipelineId,
      name,
      displayName: q.get('display_name') || name,
      description: q.get('description') ?? '',
      codeSourceUrl: q.get('code_source_url') ?? '',
      pkg,
      ...(tags ? { tags } : {}),
    });
    return ok(versionJson(version));
  } catch (e) {
    if (e instanceof ApiError && e.code === GrpcCode.NOT_FOUND) return uploadError(400, generic, e.message);
    if (e instanceof ApiError) return fromApiError(e, generic);
    throw e;
  }
}

export const uploadRoutes: Route[] = [
  { method: 'POST', pattern: /^\/apis\/v2beta1\/pipelines\/upload$/, handle: uploadPipeline },
  { method: 'POST', pattern: /^\/apis\/v2beta1\/pipelines\/upload_version$/, handle: uploadPipelineVersion },
];
