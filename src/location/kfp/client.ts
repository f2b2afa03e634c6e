/**
 * The product's client for one location's KFP API server (REST, v2beta1 plus the v1beta1 task
 * table). Thin and typed: it sends what it is told and returns KFP's own shapes (`wire.ts`).
 */
import { staticToken, type TokenProvider } from './auth.js';
import { isForeignTaskApi404, isUiHealthz, uiGatewayError } from './endpoint-check.js';
import { KfpError } from './errors.js';
import { eq, filterJson, filterJsonV1, where } from './filter.js';
import { KfpHttp, type RetryEvent } from './http.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import type { Transport } from './transport.js';
import type {
  JsonObject,
  JsonValue,
  KfpExperiment,
  KfpHealthz,
  KfpListOptions,
  KfpPage,
  KfpPipeline,
  KfpPipelineVersion,
  KfpRun,
  KfpTask,
} from './wire.js';

export interface KfpClientOptions {
  /** The location's name, used in every error message. */
  location: string;
  /**
   * The KFP API server's own HTTP root, e.g. `http://ml-pipeline.kubeflow:8888`. Not the Kubeflow UI's
   * `/pipeline` path: it does not forward the task API (`healthz` and the task calls refuse it).
   */
  endpoint: string;
  /** Multi-user namespace; the default for experiments, runs and pipelines. */
  namespace?: string;
  /** A fixed bearer token (prefer `tokenProvider`, which says where the token comes from). */
  token?: string;
  tokenProvider?: TokenProvider;
  /**
   * A trusted identity header instead of a token. KFP trusts `kubeflow-userid` as set by Istio, but
   * Kubeflow's `ml-pipeline` AuthorizationPolicy admits direct callers only without it
   * (`2.17.0:manifests/kustomize/base/installs/multi-user/istio-authorization-config.yaml:46-49`).
   */
  userIdHeader?: { name: string; value: string };
  /** PEM CA certificates to trust for this endpoint. TLS verification is on unless disabled below. */
  caBundle?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 4. */
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  onRetry?: (e: RetryEvent) => void;
  /** Tests: replace the wait between attempts / the HTTP transport. */
  sleep?: (ms: number) => Promise<void>;
  transport?: Transport;
}

export interface KfpVersionInfo {
  /**
   * The API server's KFP release (its own healthz `tag_name`), e.g. `2.17.0`; `unknown` when it does not
   * say. Never taken from the Kubeflow UI's `apiServerTagName` (healthz() refuses the UI).
   */
  version: string;
  multiUser: boolean;
  commitSha?: string;
}

export interface CreateRunRequest {
  displayName: string;
  description?: string;
  experimentId?: string;
  /** Run a stored pipeline version ... */
  pipelineVersion?: { pipelineId: string; pipelineVersionId: string };
  /** ... or an inline spec: the PipelineSpec, or `{pipeline_spec, platform_spec}`. */
  pipelineSpec?: JsonObject;
  parameters?: Record<string, JsonValue>;
  pipelineRoot?: string;
  serviceAccount?: string;
}

export interface NewCacheRow {
  /** `pipeline/<pipelineInfo.name>` (or `namespace/<ns>/pipeline/<name>`). */
  pipelineName: string;
  runId: string;
  mlmdExecutionID: string;
  fingerprint: string;
  createdAt: Date;
  finishedAt?: Date;
  namespace?: string;
}

type ListQuery = Record<string, string | number | undefined>;

function listQuery(o: KfpListOptions, v1 = false): ListQuery {
  return {
    page_size: o.pageSize,
    page_token: o.pageToken,
    sort_by: o.sortBy,
    // The API server URL-decodes the already-decoded `filter` once more (list_request_util.go
    // parseAPIFilter), so the JSON is encoded twice to survive '%' and '+'.
    filter: o.filter ? encodeURIComponent(v1 ? filterJsonV1(o.filter) : filterJson(o.filter)) : undefined,
  };
}

function page<T>(body: unknown, field: string): KfpPage<T> {
  const b = (body ?? {}) as Record<string, unknown>;
  const items = Array.isArray(b[field]) ? (b[field] as T[]) : [];
  const token =
    typeof b['next_page_token'] === 'string' && b['next_page_token'] !== '' ? b['next_page_token'] : undefined;
  return {
    items,
    totalSize: typeof b['total_size'] === 'number' ? b['total_size'] : items.length,
    ...(token ? { nextPageToken: token } : {}),
  };
}

/** Every item of a paged list, following `next_page_token`. */
export async function collectAll<T>(list: (pageToken?: string) => Promise<KfpPage<T>>, maxPages = 1000): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const p = await list(token);
    out.push(...p.items);
    if (!p.nextPageToken) return out;
    token = p.nextPageToken;
  }
  throw new Error(`more than ${maxPages} pages`);
}

export class KfpClient {
  private readonly http: KfpHttp;
  readonly location: string;
  readonly namespace: string | undefined;
  private readonly endpoint: string;
  private readonly sendsUserIdHeader: boolean;

  constructor(opts: KfpClientOptions) {
    this.location = opts.location;
    this.namespace = opts.namespace;
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.sendsUserIdHeader = opts.userIdHeader !== undefined;
    const tokenProvider = opts.tokenProvider ?? (opts.token ? staticToken(opts.token) : undefined);
    this.http = new KfpHttp({
      location: opts.location,
      endpoint: opts.endpoint,
      timeoutMs: opts.timeoutMs ?? 30_000,
      retry: {
        retries: opts.retries ?? DEFAULT_RETRY_POLICY.retries,
        baseDelayMs: opts.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        maxDelayMs: opts.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      },
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(tokenProvider ? { tokenProvider } : {}),
      ...(opts.userIdHeader ? { userIdHeader: opts.userIdHeader } : {}),
      ...(opts.caBundle ? { caBundle: opts.caBundle } : {}),
      ...(opts.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
      ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
      ...(opts.transport ? { transport: opts.transport } : {}),
    });
  }

  private get(operation: string, path: string, query?: ListQuery): Promise<unknown> {
    return this.http.call({ operation, method: 'GET', path, ...(query ? { query } : {}), idempotent: true });
  }

  private post(
    operation: string,
    path: string,
    json: unknown,
    idempotent: boolean,
    query?: ListQuery,
  ): Promise<unknown> {
    return this.http.call({ operation, method: 'POST', path, json, idempotent, ...(query ? { query } : {}) });
  }

  /** The API server's healthz; refuses an endpoint that is the Kubeflow UI (see endpoint-check.ts). */
  async healthz(): Promise<KfpVersionInfo> {
    const answer = await this.get('healthz', '/apis/v2beta1/healthz');
    if (isUiHealthz(answer)) throw this.gatewayError('healthz', { healthz: true });
    const h = answer as KfpHealthz;
    return {
      version: h.tag_name || 'unknown',
      multiUser: h.multi_user === true,
      ...(h.commit_sha ? { commitSha: h.commit_sha } : {}),
    };
  }

  // Pipelines ---------------------------------------------------------------------------------

  private async upload(
    operation: string,
    path: string,
    packageText: string,
    fileName: string,
    query: ListQuery,
  ): Promise<unknown> {
    const form = new FormData();
    form.append('uploadfile', new Blob([packageText], { type: 'application/x-yaml' }), fileName);
    const encoded = new Request('http://multipart.invalid/', { method: 'POST', body: form });
    const multipart = {
      body: new Uint8Array(await encoded.arrayBuffer()),
      contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
    };
    // Not idempotent, but a repeat is harmless: the name is taken and the server answers 409.
    return this.http.call({ operation, method: 'POST', path, query, multipart, idempotent: false });
  }

  /** Uploads a compiled package as a new pipeline (and its first version). */
  async uploadPipeline(
    packageText: string,
    o: { name: string; displayName?: string; description?: string; namespace?: string; fileName?: string },
  ): Promise<KfpPipeline> {
    const namespace = o.namespace ?? this.namespace;
    return (await this.upload(
      `uploadPipeline ${o.name}`,
      '/apis/v2beta1/pipelines/upload',
      packageText,
      o.fileName ?? 'pipeline.yaml',
      {
        name: o.name,
        display_name: o.displayName,
        description: o.description,
        namespace,
      },
    )) as KfpPipeline;
  }

  async uploadPipelineVersion(
    packageText: string,
    o: { pipelineId: string; name: string; displayName?: string; description?: string; fileName?: string },
  ): Promise<KfpPipelineVersion> {
    return (await this.upload(
      `uploadPipelineVersion ${o.name}`,
      '/apis/v2beta1/pipelines/upload_version',
      packageText,
      o.fileName ?? 'pipeline.yaml',
      {
        pipelineid: o.pipelineId,
        name: o.name,
        display_name: o.displayName,
        description: o.description,
      },
    )) as KfpPipelineVersion;
  }

  async getPipeline(pipelineId: string): Promise<KfpPipeline> {
    return (await this.get(
      `getPipeline ${pipelineId}`,
      `/apis/v2beta1/pipelines/${encodeURIComponent(pipelineId)}`,
    )) as KfpPipeline;
  }

  /** The pipeline with this name in the namespace, or undefined. */
  async getPipelineByName(name: string, namespace = this.namespace): Promise<KfpPipeline | undefined> {
    try {
      return (await this.get(`getPipelineByName ${name}`, `/apis/v2beta1/pipelines/names/${encodeURIComponent(name)}`, {
        namespace,
      })) as KfpPipeline;
    } catch (e) {
      if (e instanceof KfpError && e.isNotFound) return undefined;
      throw e;
    }
  }

  async listPipelines(o: KfpListOptions & { namespace?: string } = {}): Promise<KfpPage<KfpPipeline>> {
    const body = await this.get('listPipelines', '/apis/v2beta1/pipelines', {
      ...listQuery(o),
      namespace: o.namespace ?? this.namespace,
    });
    return page<KfpPipeline>(body, 'pipelines');
  }

  async getPipelineVersion(pipelineId: string, versionId: string): Promise<KfpPipelineVersion> {
    const path = `/apis/v2beta1/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`;
    return (await this.get(`getPipelineVersion ${versionId}`, path)) as KfpPipelineVersion;
  }

  async listPipelineVersions(pipelineId: string, o: KfpListOptions = {}): Promise<KfpPage<KfpPipelineVersion>> {
    const body = await this.get(
      `listPipelineVersions ${pipelineId}`,
      `/apis/v2beta1/pipelines/${encodeURIComponent(pipelineId)}/versions`,
      listQuery(o),
    );
    return page<KfpPipelineVersion>(body, 'pipeline_versions');
  }

  // Experiments -------------------------------------------------------------------------------

  async createExperiment(o: { displayName: string; description?: string; namespace?: string }): Promise<KfpExperiment> {
    const namespace = o.namespace ?? this.namespace;
    const body = {
      display_name: o.displayName,
      ...(o.description ? { description: o.description } : {}),
      ...(namespace ? { namespace } : {}),
    };
    return (await this.post(
      `createExperiment ${o.displayName}`,
      '/apis/v2beta1/experiments',
      body,
      false,
    )) as KfpExperiment;
  }

  async getExperiment(experimentId: string): Promise<KfpExperiment> {
    return (await this.get(
      `getExperiment ${experimentId}`,
      `/apis/v2beta1/experiments/${encodeURIComponent(experimentId)}`,
    )) as KfpExperiment;
  }

  async listExperiments(o: KfpListOptions & { namespace?: string } = {}): Promise<KfpPage<KfpExperiment>> {
    const body = await this.get('listExperiments', '/apis/v2beta1/experiments', {
      ...listQuery(o),
      namespace: o.namespace ?? this.namespace,
    });
    return page<KfpExperiment>(body, 'experiments');
  }

  /** The experiment with this display name in the namespace, created when missing. */
  async getOrCreateExperiment(
    displayName: string,
    o: { description?: string; namespace?: string } = {},
  ): Promise<KfpExperiment> {
    const namespace = o.namespace ?? this.namespace;
    const find = async (): Promise<KfpExperiment | undefined> =>
      (
        await this.listExperiments({
          filter: where(eq('display_name', displayName)),
          pageSize: 1,
          ...(namespace ? { namespace } : {}),
        })
      ).items[0];
    const existing = await find();
    if (existing) return existing;
    try {
      return await this.createExperiment({
        displayName,
        ...(o.description ? { description: o.description } : {}),
        ...(namespace ? { namespace } : {}),
      });
    } catch (e) {
      // Another reconciler created it between the list and the create.
      const raced = e instanceof KfpError && e.isConflict ? await find() : undefined;
      if (raced) return raced;
      throw e;
    }
  }

  // Runs --------------------------------------------------------------------------------------

  async createRun(r: CreateRunRequest): Promise<KfpRun> {
    if ((r.pipelineVersion === undefined) === (r.pipelineSpec === undefined)) {
      throw new TypeError('createRun needs exactly one of pipelineVersion and pipelineSpec');
    }
    const runtimeConfig =
      r.parameters || r.pipelineRoot
        ? {
            ...(r.parameters ? { parameters: r.parameters } : {}),
            ...(r.pipelineRoot ? { pipeline_root: r.pipelineRoot } : {}),
          }
        : undefined;
    const body = {
      display_name: r.displayName,
      ...(r.description ? { description: r.description } : {}),
      ...(r.experimentId ? { experiment_id: r.experimentId } : {}),
      ...(r.pipelineVersion
        ? {
            pipeline_version_reference: {
              pipeline_id: r.pipelineVersion.pipelineId,
              pipeline_version_id: r.pipelineVersion.pipelineVersionId,
            },
          }
        : {}),
      ...(r.pipelineSpec ? { pipeline_spec: r.pipelineSpec } : {}),
      ...(runtimeConfig ? { runtime_config: runtimeConfig } : {}),
      ...(r.serviceAccount ? { service_account: r.serviceAccount } : {}),
    };
    try {
      return (await this.post(`createRun ${r.displayName}`, '/apis/v2beta1/runs', body, false)) as KfpRun;
    } catch (e) {
      if (!mayHaveActed(e)) throw e;
      // The request went out and no answer came back: KFP may have created the run. Never send it
      // again (a second run); look it up by name at once and adopt it.
      const adopted = await this.findCreatedRun(r).catch(() => undefined);
      if (adopted) return adopted;
      throw e;
    }
  }

  /**
   * The run a createRun whose answer was lost created: same display name and description (callers
   * make these unique per run: the product's stage runs carry a sequence number), in its experiment.
   */
  private async findCreatedRun(r: CreateRunRequest): Promise<KfpRun | undefined> {
    const found = await this.listRuns({
      filter: where(eq('display_name', r.displayName)),
      sortBy: 'created_at desc',
      pageSize: 20,
      ...(r.experimentId ? { experimentId: r.experimentId } : {}),
    });
    return found.items.find(
      (run) => run.display_name === r.displayName && (run.description ?? '') === (r.description ?? ''),
    );
  }

  async getRun(runId: string): Promise<KfpRun> {
    return (await this.get(`getRun ${runId}`, `/apis/v2beta1/runs/${encodeURIComponent(runId)}`)) as KfpRun;
  }

  async listRuns(o: KfpListOptions & { namespace?: string; experimentId?: string } = {}): Promise<KfpPage<KfpRun>> {
    const query = {
      ...listQuery(o),
      experiment_id: o.experimentId,
      namespace: o.experimentId ? undefined : (o.namespace ?? this.namespace),
    };
    return page<KfpRun>(await this.get('listRuns', '/apis/v2beta1/runs', query), 'runs');
  }

  async terminateRun(runId: string): Promise<void> {
    await this.post(`terminateRun ${runId}`, `/apis/v2beta1/runs/${encodeURIComponent(runId)}:terminate`, {}, true);
  }

  /** Deletes a run; KFP deletes its cache rows with it. */
  async deleteRun(runId: string): Promise<void> {
    await this.http.call({
      operation: `deleteRun ${runId}`,
      method: 'DELETE',
      path: `/apis/v2beta1/runs/${encodeURIComponent(runId)}`,
      idempotent: true,
    });
  }

  // Task table (cache rows) -------------------------------------------------------------------

  /** Writes a cache row, as the KFP launcher does after a step succeeds. */
  async createTask(t: NewCacheRow): Promise<KfpTask> {
    const body = {
      pipelineName: t.pipelineName,
      runId: t.runId,
      mlmdExecutionID: t.mlmdExecutionID,
      fingerprint: t.fingerprint,
      created_at: t.createdAt.toISOString(),
      ...(t.finishedAt ? { finished_at: t.finishedAt.toISOString() } : {}),
      ...((t.namespace ?? this.namespace) ? { namespace: t.namespace ?? this.namespace } : {}),
    };
    // A repeated row is harmless: lookups take the newest row, and both name the same execution.
    const operation = `createTask ${t.fingerprint.slice(0, 12)} for run ${t.runId}`;
    return (await this.taskApi(operation, () => this.post(operation, '/apis/v1alpha1/tasks', body, true))) as KfpTask;
  }

  /** Lists cache rows; filter keys are the v1 names (`fingerprint`, `pipelineName`, `namespace`, `runId`, `mlmdExecutionID`). */
  async listTasks(o: KfpListOptions = {}): Promise<KfpPage<KfpTask>> {
    return page<KfpTask>(
      await this.taskApi('listTasks', () => this.get('listTasks', '/apis/v1alpha1/tasks', listQuery(o, true))),
      'tasks',
    );
  }

  /** A task API call; a 404 that KFP's gateway did not write means the endpoint is not the API server. */
  private async taskApi(operation: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (e) {
      if (isForeignTaskApi404(e)) throw this.gatewayError(operation, { taskApi404: e.detail });
      throw e;
    }
  }

  private gatewayError(operation: string, evidence: { healthz: true } | { taskApi404: string }): KfpError {
    return uiGatewayError({
      location: this.location,
      operation,
      endpoint: this.endpoint,
      evidence,
      sendsUserIdHeader: this.sendsUserIdHeader,
    });
  }
}

/** A failure after which the server may have carried the request out: no answer, or a gateway's 502/504. */
function mayHaveActed(e: unknown): boolean {
  if (!(e instanceof KfpError)) return false;
  return e.kind === 'timeout' || e.kind === 'network' || (e.kind === 'http' && (e.status === 502 || e.status === 504));
}
