/**
 * RunService (`backend/src/apiserver/server/run_server.go`, `resource_manager.go` `CreateRun`,
 * `TerminateRun`, `DeleteRun`) through grpc-gateway.
 */
import { invalidArgument, wrapApi } from './api-error.js';
import { ok, param, type RequestContext, type Reply, type Route } from './context.js';
import { listRequest, parseJsonBody, queryString } from './http-util.js';
import type { Condition } from './listing.js';
import { RunMsg } from './messages.js';
import { packageFromStruct, type PipelinePackage } from './pipeline-spec.js';
import { versionPackage } from './pipeline-store.js';
import { decodeMessage, emit, obj, str, type JsonObject } from './proto-json.js';
import { runJson, type NewRun, type RunRow } from './run-store.js';

/** `GetValidExperimentNamespacePair`: the run's experiment (default one if none) and its namespace. */
function experimentAndNamespace(
  ctx: RequestContext,
  experimentId: string,
): { experimentId: string; namespace: string } {
  const { lab } = ctx;
  if (lab.multiUser && experimentId === '') throw invalidArgument('Experiment id can not be empty in multi-user mode');
  if (experimentId !== '') {
    const experiment = wrapApi(`Failed to fetch namespace for experiment ${experimentId}`, () =>
      lab.store.experiments.get(experimentId),
    );
    return { experimentId, namespace: experiment.namespace };
  }
  return { experimentId: lab.store.experiments.defaultExperimentId(''), namespace: '' };
}

/** `fetchTemplateFromPipelineSpec`: a version reference, a bare pipeline id (latest version) or an inline spec. */
function pipelineSource(
  ctx: RequestContext,
  run: JsonObject,
): Pick<NewRun, 'source' | 'pipelineId' | 'pipelineVersionId' | 'pkg'> {
  const pipelines = ctx.lab.store.pipelines;
  const ref = obj(run, 'pipeline_version_reference');
  const versionId = str(ref, 'pipeline_version_id') || str(run, 'pipeline_version_id');
  const pipelineId = str(ref, 'pipeline_id');
  if (versionId !== '' || pipelineId !== '') {
    const version = versionId !== '' ? pipelines.getVersion(versionId) : pipelines.latestVersion(pipelineId);
    if (!version) throw invalidArgument(`Pipeline ${pipelineId} has no versions`);
    if (pipelineId !== '' && version.pipeline_id !== pipelineId) {
      throw invalidArgument(`Pipeline version ${version.uuid} does not belong to pipeline ${pipelineId}`);
    }
    return {
      source: 'version',
      pipelineId: version.pipeline_id,
      pipelineVersionId: version.uuid,
      pkg: versionPackage(version),
    };
  }
  const spec = obj(run, 'pipeline_spec');
  if (!spec) throw invalidArgument('Failed to fetch a template with an empty pipeline spec manifest');
  const pkg: PipelinePackage = packageFromStruct(spec, ctx.lab.kfpVersion);
  return { source: 'spec', pkg };
}

async function createRun(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create a new run', async () => {
    const run = decodeMessage(RunMsg, parseJsonBody(await ctx.body()));
    if (run['plugins_output'] !== undefined)
      throw invalidArgument('plugins_output is server-owned and populated exclusively via plugin lifecycle hooks');
    const displayName = str(run, 'display_name');
    if (displayName === '') throw invalidArgument('The run name is empty. Please specify a valid name');
    const { experimentId, namespace } = experimentAndNamespace(
      ctx,
      str(run, 'experiment_id') || queryString(ctx.query, 'experiment_id'),
    );
    if (ctx.lab.multiUser) {
      if (namespace === '') throw invalidArgument('A run cannot have an empty namespace in multi-user mode');
      ctx.lab.authorize(ctx.principal, namespace);
    }
    const source = wrapApi('Failed to create a run due to error fetching manifest', () => pipelineSource(ctx, run));
    const config = obj(run, 'runtime_config');
    const row = ctx.lab.store.runs.create({
      ...source,
      runId: str(run, 'run_id'),
      experimentId,
      namespace,
      displayName,
      description: str(run, 'description'),
      parameters: obj(config, 'parameters') ?? {},
      pipelineRoot: str(config, 'pipeline_root'),
      serviceAccount: str(run, 'service_account'),
    });
    ctx.lab.store.experiments.setLastRunCreatedAt(experimentId, row.created_at);
    return ok(runJson(row), () => ctx.lab.startRun(row.uuid));
  });
}

/** `canAccessRun`: the caller must be allowed in the run's namespace. */
function accessibleRun(ctx: RequestContext, runId: string): RunRow {
  const row = ctx.lab.store.runs.get(runId);
  if (ctx.lab.multiUser) ctx.lab.authorize(ctx.principal, row.namespace);
  return row;
}

function getRun(ctx: RequestContext): Reply {
  return wrapApi('Failed to get a run', () => ok(runJson(accessibleRun(ctx, param(ctx, 0)))));
}

function listRuns(ctx: RequestContext): Reply {
  return wrapApi('Failed to list runs', () => {
    const { lab } = ctx;
    const experimentId = queryString(ctx.query, 'experiment_id');
    const conditions: Condition[] = [];
    if (experimentId !== '') {
      const experiment = lab.store.experiments.get(experimentId);
      if (lab.multiUser) lab.authorize(ctx.principal, experiment.namespace);
      conditions.push({ sql: 'experiment_id = ?', params: [experimentId] });
    } else if (lab.multiUser) {
      const namespace = lab.namespaceOf(queryString(ctx.query, 'namespace'));
      if (namespace === '')
        throw invalidArgument('Resource cannot have an empty namespace and experiment id in multi-user mode');
      lab.authorize(ctx.principal, namespace);
      conditions.push({ sql: 'namespace = ?', params: [namespace] });
    }
    const page = lab.store.runs.list(listRequest(ctx.query), conditions);
    return ok(emit({ runs: page.rows.map(runJson), total_size: page.totalSize, next_page_token: page.nextPageToken }));
  });
}

function terminateRun(ctx: RequestContext): Reply {
  return wrapApi('Failed to terminate a run', () => {
    const row = accessibleRun(ctx, param(ctx, 0));
    ctx.lab.store.runs.terminate(row.uuid);
    return ok({}, () => ctx.lab.terminateRun(row.uuid));
  });
}

function deleteRun(ctx: RequestContext): Reply {
  return wrapApi('Failed to delete a run', () => {
    const row = accessibleRun(ctx, param(ctx, 0));
    const active = ['PENDING', 'RUNNING', 'CANCELING', 'PAUSED'].includes(row.state);
    ctx.lab.store.runs.delete(row.uuid);
    return ok({}, active ? () => ctx.lab.terminateRun(row.uuid) : undefined);
  });
}

const RUN = '([^/:]+)';
export const runRoutes: Route[] = [
  { method: 'POST', pattern: /^\/apis\/v2beta1\/runs$/, handle: createRun },
  { method: 'GET', pattern: /^\/apis\/v2beta1\/runs$/, handle: listRuns },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/runs/${RUN}$`), handle: getRun },
  { method: 'DELETE', pattern: new RegExp(`^/apis/v2beta1/runs/${RUN}$`), handle: deleteRun },
  { method: 'POST', pattern: new RegExp(`^/apis/v2beta1/runs/${RUN}:terminate$`), handle: terminateRun },
];
