// A REST client of the next KFP's native task and artifact API (kubeflow/pipelines #13986 at 6585b5143d; the
// swagger is in test/fixtures/kfp-next-api-swagger/): run-scoped tasks, artifacts, artifact–task links and
// `POST /apis/v2beta1/tasks:findCached`. Bodies use the swagger's proto names (protojson accepts both, and
// the API server refuses unknown fields). Requests go through KfpHttp: the same auth, TLS, retries and
// KfpError as the rest of the KFP client. PATCH is not needed: `tasks:batchUpdate` (POST) updates tasks.
import { KfpError } from '../kfp/errors.js';
import { KfpHttp, type KfpHttpOptions } from '../kfp/http.js';
import { DEFAULT_RETRY_POLICY } from '../kfp/retry.js';
import type { JsonObject, JsonValue } from '../../pipeline/ir.js';

/** `v2beta1IOProducer`. */
export interface NativeProducer {
  task_name?: string;
  iteration?: string;
}

/** `InputOutputsIOParameter`. */
export interface NativeIOParameter {
  value?: JsonValue;
  type?: string;
  parameter_key?: string;
  producer?: NativeProducer;
}

/** `v2beta1Artifact`. `type` is the enum name (`Artifact`, `Dataset`, …). */
export interface NativeArtifact {
  artifact_id?: string;
  name?: string;
  description?: string;
  type?: string;
  uri?: string;
  metadata?: JsonObject;
  number_value?: number;
  created_at?: string;
  namespace?: string;
}

/** `InputOutputsIOArtifact` (output only: the server fills it from the links). */
export interface NativeIOArtifact {
  artifacts?: NativeArtifact[];
  type?: string;
  artifact_key?: string;
  producer?: NativeProducer;
}

/** `v2beta1PipelineTask` (the fields the product reads or writes). */
export interface NativeTask {
  name?: string;
  display_name?: string;
  task_id?: string;
  run_id?: string;
  cache_fingerprint?: string;
  create_time?: string;
  end_time?: string;
  state?: string;
  status_metadata?: { message?: string; custom_properties?: JsonObject };
  type?: string;
  type_attributes?: { iteration_index?: string; iteration_count?: string };
  parent_task_id?: string;
  inputs?: { parameters?: NativeIOParameter[]; artifacts?: NativeIOArtifact[] };
  outputs?: { parameters?: NativeIOParameter[]; artifacts?: NativeIOArtifact[] };
  scope_path?: string;
}

/** `v2beta1ArtifactTask`. */
export interface NativeArtifactTask {
  id?: string;
  artifact_id: string;
  run_id: string;
  task_id: string;
  type: string;
  producer?: NativeProducer;
  key?: string;
}

export interface NativeClientOptions
  extends Omit<KfpHttpOptions, 'timeoutMs' | 'retry'>, Partial<Pick<KfpHttpOptions, 'timeoutMs' | 'retry'>> {}

const PAGE = 200;

export class NativeClient {
  private readonly http: KfpHttp;
  readonly location: string;

  constructor(opts: NativeClientOptions) {
    this.location = opts.location;
    this.http = new KfpHttp({
      ...opts,
      timeoutMs: opts.timeoutMs ?? 30_000,
      retry: opts.retry ?? DEFAULT_RETRY_POLICY,
    });
  }

  /**
   * Whether the API server serves the native task API: `tasks:findCached` with an empty fingerprint is refused
   * as invalid by the next KFP (`next:backend/src/apiserver/server/run_server.go:979-981`) and is an unknown
   * route (404) before it. Other answers (auth, 5xx) are thrown: they tell nothing.
   */
  async servesNativeApi(): Promise<boolean> {
    try {
      await this.http.call({
        operation: 'probe the native task API',
        method: 'POST',
        path: '/apis/v2beta1/tasks:findCached',
        json: { cache_fingerprint: '' },
        idempotent: true,
      });
      return true;
    } catch (e) {
      if (e instanceof KfpError && e.status === 404) return false;
      if (e instanceof KfpError && e.status === 400) return true;
      throw e;
    }
  }

  /** The API server's healthz (`tag_name`, `multi_user`): what the native backend needs of it. */
  async healthz(): Promise<{ version: string; multiUser: boolean }> {
    const h = (await this.http.call({
      operation: 'healthz',
      method: 'GET',
      path: '/apis/v2beta1/healthz',
      idempotent: true,
    })) as { tag_name?: string; multi_user?: boolean };
    return { version: h.tag_name || 'unknown', multiUser: h.multi_user === true };
  }

  async findCached(namespace: string, fingerprint: string): Promise<NativeTask | undefined> {
    const r = (await this.http.call({
      operation: 'find a cached task',
      method: 'POST',
      path: '/apis/v2beta1/tasks:findCached',
      json: { namespace, cache_fingerprint: fingerprint },
      idempotent: true,
    })) as { task?: NativeTask };
    return r.task;
  }

  async createTask(runId: string, task: NativeTask): Promise<NativeTask> {
    return (await this.http.call({
      operation: 'create a task',
      method: 'POST',
      path: `/apis/v2beta1/runs/${encodeURIComponent(runId)}/tasks`,
      json: task,
      idempotent: false,
    })) as NativeTask;
  }

  async updateTasks(runId: string, tasks: Record<string, NativeTask>): Promise<Record<string, NativeTask>> {
    const r = (await this.http.call({
      operation: 'update tasks',
      method: 'POST',
      path: `/apis/v2beta1/runs/${encodeURIComponent(runId)}/tasks:batchUpdate`,
      json: { tasks },
      idempotent: true,
    })) as { tasks?: Record<string, NativeTask> };
    return r.tasks ?? {};
  }

  async listTasks(runId: string): Promise<NativeTask[]> {
    const out: NativeTask[] = [];
    let token: string | undefined;
    do {
      const r = (await this.http.call({
        operation: 'list tasks',
        method: 'GET',
        path: `/apis/v2beta1/runs/${encodeURIComponent(runId)}/tasks`,
        query: { page_size: PAGE, page_token: token },
        idempotent: true,
      })) as { tasks?: NativeTask[]; next_page_token?: string };
      out.push(...(r.tasks ?? []));
      token = r.next_page_token || undefined;
    } while (token);
    return out;
  }

  /** `CreateArtifact`: one artifact, created as a task's output; with `reuse_if_exists` an equal one is linked instead. */
  async createArtifact(request: {
    artifact: NativeArtifact;
    run_id: string;
    task_id: string;
    producer_key: string;
    iteration_index?: string;
    reuse_if_exists?: boolean;
  }): Promise<NativeArtifact> {
    // Not retried blindly: only a find-or-create is idempotent.
    return (await this.http.call({
      operation: 'create an artifact',
      method: 'POST',
      path: '/apis/v2beta1/artifacts',
      json: request,
      idempotent: request.reuse_if_exists === true,
    })) as NativeArtifact;
  }

  async createArtifacts(
    requests: { artifact: NativeArtifact; run_id?: string; task_id?: string; producer_key?: string }[],
  ): Promise<NativeArtifact[]> {
    const r = (await this.http.call({
      operation: 'create artifacts',
      method: 'POST',
      path: '/apis/v2beta1/artifacts:batchCreate',
      json: { artifacts: requests },
      idempotent: false,
    })) as { artifacts?: NativeArtifact[] };
    return r.artifacts ?? [];
  }

  async getArtifact(id: string): Promise<NativeArtifact | undefined> {
    try {
      return (await this.http.call({
        operation: 'get an artifact',
        method: 'GET',
        path: `/apis/v2beta1/artifacts/${encodeURIComponent(id)}`,
        idempotent: true,
      })) as NativeArtifact;
    } catch (e) {
      if (e instanceof KfpError && e.status === 404) return undefined;
      throw e;
    }
  }

  async listArtifacts(namespace: string): Promise<NativeArtifact[]> {
    const out: NativeArtifact[] = [];
    let token: string | undefined;
    do {
      const r = (await this.http.call({
        operation: 'list artifacts',
        method: 'GET',
        path: '/apis/v2beta1/artifacts',
        query: { namespace, page_size: PAGE, page_token: token },
        idempotent: true,
      })) as { artifacts?: NativeArtifact[]; next_page_token?: string };
      out.push(...(r.artifacts ?? []));
      token = r.next_page_token || undefined;
    } while (token);
    return out;
  }

  async createArtifactTasks(links: NativeArtifactTask[]): Promise<NativeArtifactTask[]> {
    const r = (await this.http.call({
      operation: 'link artifacts to tasks',
      method: 'POST',
      path: '/apis/v2beta1/artifact_tasks:batchCreate',
      json: { artifact_tasks: links },
      idempotent: false,
    })) as { artifact_tasks?: NativeArtifactTask[] };
    return r.artifact_tasks ?? [];
  }

  /** Links of one run, or of one task (one filter at a time: the query takes repeated values the client sends once). */
  async listArtifactTasks(filter: { runId?: string; taskId?: string; type?: string }): Promise<NativeArtifactTask[]> {
    const out: NativeArtifactTask[] = [];
    let token: string | undefined;
    do {
      const r = (await this.http.call({
        operation: 'list artifact links',
        method: 'GET',
        path: '/apis/v2beta1/artifact_tasks',
        query: {
          run_ids: filter.runId,
          task_ids: filter.taskId,
          type: filter.type,
          page_size: PAGE,
          page_token: token,
        },
        idempotent: true,
      })) as { artifact_tasks?: NativeArtifactTask[]; next_page_token?: string };
      out.push(...(r.artifact_tasks ?? []));
      token = r.next_page_token || undefined;
    } while (token);
    return out;
  }
}
