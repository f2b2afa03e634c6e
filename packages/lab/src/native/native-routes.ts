/**
 * The native task and artifact API of the next KFP (kubeflow/pipelines 6585b5143d, PR #13986), served by a
 * lab location started with `--kfp-version <loc>=next`. Handlers follow, check for check,
 * `next:backend/src/apiserver/server/run_server.go` (CreateTask :696, UpdateTask :736, UpdateTasksBulk :795,
 * GetTask :879, ListTasks :913, FindCachedTask :975, canAccessRun :1075) and `artifact_server.go`
 * (CreateArtifact :41, CreateArtifactsBulk :116, validateArtifactOwnershipNoAuth :245, GetArtifact :321,
 * ListArtifacts :344, CreateArtifactTask :413, ListArtifactTasks :482, CreateArtifactTasksBulk :539,
 * validateCreateArtifactRequest :804), with what their resource manager and stores refuse. Bodies are read as
 * protojson with `DiscardUnknown: false` (`common/utils.go:154-167`) against every nested message
 * (`native-messages.ts`): an unknown field, enum name or a wrongly typed value is INVALID_ARGUMENT.
 * In multi-user mode every call is authorized on the namespace of the run, task or artifact it touches.
 */
import { internal, invalidArgument, notFound, wrapApi } from '../kfp/api-error.js';
import { ok, param, type RequestContext, type Reply, type Route } from '../kfp/context.js';
import { listRequest, parseJsonBody, queryString } from '../kfp/http-util.js';
import type { ListRequest } from '../kfp/listing.js';
import { decodeMessage, formatTimestamp, isJsonObject, type JsonObject, type JsonValue } from '../kfp/proto-json.js';
import {
  CreateArtifactRequestMsg,
  CreateArtifactsBulkRequestMsg,
  CreateArtifactTaskRequestMsg,
  CreateArtifactTasksBulkRequestMsg,
  FindCachedTaskRequestMsg,
  IOTypeEnum,
  PipelineTaskMsg,
  UpdateTasksBulkRequestMsg,
} from './native-messages.js';
import { nativeStoreOf, type NativePage, type NativeStore } from './native-store.js';

function native(ctx: RequestContext): NativeStore {
  return nativeStoreOf(ctx.lab.store.db);
}

function text(o: JsonObject | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === 'string' ? v : '';
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return isJsonObject(v);
}

async function rawBody(ctx: RequestContext): Promise<{ empty: boolean; value: unknown }> {
  const raw = await ctx.body();
  return { empty: raw.toString('utf8').trim() === '', value: parseJsonBody(raw) };
}

/** Timestamps decoded as seconds go back to their JSON text, truncated to the second as KFP stores them. */
function timestampsAsText(task: JsonObject): JsonObject {
  const out: JsonObject = { ...task };
  for (const k of ['create_time', 'end_time'] as const)
    if (typeof out[k] === 'number') out[k] = formatTimestamp(out[k]);
  if (Array.isArray(out.state_history))
    out.state_history = out.state_history.map((h) =>
      isObject(h) && typeof h.update_time === 'number' ? { ...h, update_time: formatTimestamp(h.update_time) } : h,
    );
  return out;
}

function taskMessage(v: unknown): JsonObject {
  return timestampsAsText(decodeMessage(PipelineTaskMsg, v));
}

/**
 * MySQL's column widths (`next:backend/src/apiserver/model/task.go:136-151`, `artifact.go:23-31`): a longer
 * value fails the insert or update in strict mode, and KFP answers INTERNAL with the driver's error.
 */
function checkWidths(table: 'tasks' | 'artifacts', o: JsonObject, widths: Record<string, [string, number]>): void {
  for (const [field, [column, max]] of Object.entries(widths)) {
    const v = o[field];
    if (typeof v === 'string' && [...v].length > max)
      throw internal(
        `Failed to add ${table === 'tasks' ? 'task to task' : 'artifact to artifact'} table: Error 1406 (22001): Data too long for column '${column}' at row 1`,
      );
  }
}
const TASK_WIDTHS: Record<string, [string, number]> = {
  name: ['Name', 128],
  display_name: ['DisplayName', 128],
  cache_fingerprint: ['Fingerprint', 255],
  parent_task_id: ['ParentTaskUUID', 191],
};
const ARTIFACT_WIDTHS: Record<string, [string, number]> = {
  name: ['Name', 128],
  uri: ['URI', 2048],
  namespace: ['Namespace', 63],
};

/**
 * `canAccessRun` (run_server.go:1075-1118, artifact_server.go:641-681): nothing in single-user mode; in
 * multi-user mode the run must exist and the caller may use its namespace.
 */
function canAccessRun(ctx: RequestContext, runId: string): void {
  if (!ctx.lab.multiUser || runId === '') return;
  const run = ctx.lab.store.runs.find(runId);
  if (!run) throw notFound(`Run ${runId} not found`).wrap(`Failed to authorize with the run ID ${runId}`);
  if (run.namespace === '' || run.namespace === '-')
    throw invalidArgument('A run cannot have an empty namespace in multi-user mode');
  ctx.lab.authorize(ctx.principal, run.namespace);
}

/** `canAccessArtifacts` (artifact_server.go:684-716): in multi-user mode, the namespace, which may not be empty. */
function canAccessNamespace(ctx: RequestContext, namespace: string): void {
  if (!ctx.lab.multiUser) return;
  if (namespace === '' || namespace === '-')
    throw invalidArgument('A resource cannot have an empty namespace in multi-user mode');
  ctx.lab.authorize(ctx.principal, namespace);
}

function existingRun(ctx: RequestContext, runId: string): { namespace: string } {
  const run = ctx.lab.store.runs.find(runId);
  if (!run) throw notFound(`Run ${runId} not found`);
  return run;
}

function existingTask(ctx: RequestContext, taskId: string): JsonObject {
  const t = native(ctx).getTask(taskId);
  if (!t) throw notFound(`task ${taskId} not found`).wrap(`Failed to fetch task ${taskId}`);
  return t;
}

function existingArtifact(ctx: RequestContext, artifactId: string): JsonObject {
  const a = native(ctx).getArtifact(artifactId);
  if (!a) throw notFound(`artifact ${artifactId} not found`).wrap(`Failed to fetch artifact ${artifactId}`);
  return a;
}

/** `validateParentTaskOwnership` (run_server.go:1042-1056): a parent must exist and be of the same run. */
function checkParent(ctx: RequestContext, task: JsonObject, runId: string): void {
  const parent = text(task, 'parent_task_id');
  if (!parent) return;
  if (existingTask(ctx, parent).run_id !== runId)
    throw invalidArgument('parent_task_id must belong to the same run as the task');
}

/** `validateTaskRunIDInRequest` (run_server.go:1058-1063). */
function checkBodyRun(task: JsonObject, runId: string, suffix = ''): void {
  if (text(task, 'run_id') !== '' && task.run_id !== runId)
    throw invalidArgument(`Task run_id in request body does not match run_id in path parameter${suffix}`);
}

/**
 * `toAPITask` (api_converter.go:3015-3247): `inputs` and `outputs` always set, `child_tasks` only where the
 * handler reads them (Get, List, Update; not Create or FindCached), unset scalars left out.
 */
function taskView(t: JsonObject, children?: JsonObject[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(t)) {
    if (v === '' || v === 'RUNTIME_STATE_UNSPECIFIED' || v === 'TASK_TYPE_UNSPECIFIED' || k === 'child_tasks') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  out.inputs = isObject(t.inputs) ? t.inputs : {};
  out.outputs = isObject(t.outputs) ? t.outputs : {};
  if (children && children.length > 0) out.child_tasks = children;
  return out;
}

function withChildren(ctx: RequestContext, t: JsonObject): JsonObject {
  return taskView(t, native(ctx).childTasks(text(t, 'task_id'), text(t, 'run_id')));
}

function listReply(key: string, page: NativePage, view: (o: JsonObject) => JsonObject = (o) => o): Reply {
  const out: JsonObject = {};
  if (page.items.length > 0) out[key] = page.items.map(view);
  if (page.totalSize > 0) out.total_size = page.totalSize;
  if (page.nextPageToken) out.next_page_token = page.nextPageToken;
  return ok(out);
}

async function createTask(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create task', async () => {
    const runId = param(ctx, 0);
    const b = await rawBody(ctx);
    // body: "task" — no body leaves the task unset (run_server.go:700-703).
    if (b.empty || b.value === null) throw invalidArgument('Task is required');
    const task = taskMessage(b.value);
    checkBodyRun(task, runId);
    canAccessRun(ctx, runId);
    checkParent(ctx, task, runId);
    // ResourceManager.CreateTask (resource_manager.go:985-1020): the run must exist; the task takes its namespace.
    const run = existingRun(ctx, runId);
    checkWidths('tasks', task, TASK_WIDTHS);
    if (ctx.lab.multiUser && run.namespace === '')
      throw internal('Task cannot have an empty namespace in multi-user mode');
    return ok(taskView(native(ctx).createTask(runId, run.namespace, task)));
  });
}

async function updateTask(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to update task', async () => {
    const runId = param(ctx, 0);
    const taskId = param(ctx, 1);
    const b = await rawBody(ctx);
    if (b.empty || b.value === null) throw invalidArgument('Task is required');
    const patch = taskMessage(b.value);
    if (text(patch, 'task_id') !== '' && patch.task_id !== taskId)
      throw invalidArgument('Task ID in path parameter does not match task ID in request body');
    checkBodyRun(patch, runId);
    const current = existingTask(ctx, taskId);
    if (current.run_id !== runId)
      throw invalidArgument('Task run_id in path parameter does not match the existing task run_id');
    canAccessRun(ctx, runId);
    checkParent(ctx, patch, runId);
    checkWidths('tasks', patch, TASK_WIDTHS);
    return ok(withChildren(ctx, native(ctx).updateTask(taskId, patch) ?? current));
  });
}

/**
 * `UpdateTasksBulk` (run_server.go:795-877): every task is checked (map key = body task id, body run id = path
 * run id, the task exists and is the run's) before any is updated, in task id order.
 */
async function updateTasksBulk(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to update tasks', async () => {
    const runId = param(ctx, 0);
    const b = decodeMessage(UpdateTasksBulkRequestMsg, (await rawBody(ctx)).value);
    const sent = isObject(b.tasks) ? b.tasks : {};
    if (Object.keys(sent).length === 0) throw invalidArgument('UpdateTasksBulkRequest must contain at least one task');
    const ids = Object.keys(sent).sort();
    const patches = new Map<string, JsonObject>();
    for (const id of ids) {
      if (id === '') throw invalidArgument('Task ID is required');
      const patch = timestampsAsText(sent[id] as JsonObject);
      if (text(patch, 'task_id') !== '' && patch.task_id !== id)
        throw invalidArgument(`Task ID in map key does not match task ID in task detail for task ${id}`);
      checkBodyRun(patch, runId, ` for task ${id}`);
      patches.set(id, patch);
    }
    canAccessRun(ctx, runId);
    for (const id of ids) {
      const current = native(ctx).getTask(id);
      if (!current) throw notFound(`task ${id} not found`).wrap(`Failed to get existing task ${id} for authorization`);
      if (current.run_id !== runId) throw invalidArgument(`Task ${id} does not belong to run ${runId}`);
    }
    const updated: JsonObject = {};
    for (const id of ids) {
      const patch = patches.get(id) ?? {};
      checkParent(ctx, patch, runId);
      checkWidths('tasks', patch, TASK_WIDTHS);
      updated[id] = withChildren(ctx, native(ctx).updateTask(id, patch) ?? {});
    }
    return ok({ tasks: updated });
  });
}

function getTask(ctx: RequestContext): Reply {
  return wrapApi('Failed to get task', () => {
    const runId = param(ctx, 0);
    const t = existingTask(ctx, param(ctx, 1));
    if (t.run_id !== runId)
      throw invalidArgument('Task run_id in path parameter does not match the existing task run_id');
    canAccessRun(ctx, runId);
    return ok(withChildren(ctx, t));
  });
}

/** `order_by`, not `sort_by`, is ListTasksRequest's sort field (run.proto ListTasksRequest :718-731). */
function tasksListRequest(q: URLSearchParams): ListRequest {
  const r = listRequest(q);
  return { ...r, sortBy: queryString(q, 'order_by') };
}

/**
 * `ListTasks` (run_server.go:913-967): a run id but, in single-user mode, no check that the run exists (an
 * unknown run has no tasks); pages of 20 by default, at most 200.
 */
function listTasks(ctx: RequestContext): Reply {
  return wrapApi('Failed to list tasks', () => {
    const runId = param(ctx, 0);
    canAccessRun(ctx, runId);
    const parentId = queryString(ctx.query, 'parent_id');
    if (parentId && existingTask(ctx, parentId).run_id !== runId)
      throw invalidArgument('parent_task_id must belong to the same run as run_id');
    const page = native(ctx).pageTasks(runId, tasksListRequest(ctx.query), parentId || undefined);
    // GetTaskChildrenByParentIDs (run_server.go:947-951): the page's children read once, not per task.
    const children = new Map<string, JsonObject[]>();
    for (const t of native(ctx).listTasks(runId, { hydrate: false })) {
      const parent = text(t, 'parent_task_id');
      if (!parent) continue;
      const list = children.get(parent) ?? [];
      list.push({ task_id: text(t, 'task_id'), ...(text(t, 'name') ? { name: text(t, 'name') } : {}) });
      children.set(parent, list);
    }
    return listReply('tasks', page, (t) => taskView(t, children.get(text(t, 'task_id'))));
  });
}

async function findCached(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to find cached task', async () => {
    const r = decodeMessage(FindCachedTaskRequestMsg, (await rawBody(ctx)).value);
    const fingerprint = text(r, 'cache_fingerprint');
    if (!fingerprint) throw invalidArgument('cache_fingerprint is required');
    // ReplaceNamespace: '' in single-user mode (run_server.go:983).
    const namespace = ctx.lab.namespaceOf(text(r, 'namespace'));
    if (ctx.lab.multiUser && namespace === '') throw invalidArgument('namespace is required in multi-user mode');
    canAccessNamespace(ctx, namespace);
    const hit = native(ctx).cachedCandidates(namespace, fingerprint)[0];
    return ok(hit ? { task: taskView(hit) } : {});
  });
}

/** A protojson `double`: a number, or a numeric string, "NaN", "Infinity" or "-Infinity". */
function checkDouble(v: JsonValue | undefined, field: string): void {
  if (v === undefined || typeof v === 'number') return;
  if (typeof v === 'string' && (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) || /^-?Infinity$|^NaN$/.test(v))) return;
  throw invalidArgument(`proto: invalid value for double field ${field}: ${JSON.stringify(v)}`);
}

/**
 * `CreateArtifact` (next:backend/src/apiserver/server/artifact_server.go:41-113): the request is validated as
 * `validateCreateArtifactRequest` does (:804-846) — a namespace, a type, a name, the run, the task and the
 * producer key are all required, so every artifact is created as some task's output — then the task must be
 * the run's (`validateArtifactOwnershipNoAuth`, :245-276; in multi-user mode artifact, task and run share one
 * namespace). The namespace is then `ReplaceNamespace`d ('' in single-user mode). With `reuse_if_exists` an
 * equal artifact is linked instead of a new one (FindOrCreateArtifactWithTask); the bulk form refuses it (:173-177).
 */
function validateCreateArtifact(req: JsonObject): JsonObject {
  const a = isObject(req.artifact) ? req.artifact : undefined;
  if (!a) throw invalidArgument('Artifact is required');
  if (text(a, 'artifact_id')) throw invalidArgument('Artifact ID should not be set on create');
  if (!text(a, 'namespace')) throw invalidArgument('Artifact namespace is required');
  if (a.type === undefined || a.type === 'TYPE_UNSPECIFIED') throw invalidArgument('Artifact type is required');
  if (!text(a, 'name')) throw invalidArgument('Artifact name is required');
  if (!text(req, 'run_id')) throw invalidArgument('Run ID is required');
  if (!text(req, 'task_id')) throw invalidArgument('Task ID is required');
  if (!text(req, 'producer_key')) throw invalidArgument('Producer key is required');
  checkDouble(a.number_value, 'number_value');
  if (a.type === 'Metric' && a.number_value === undefined)
    throw invalidArgument('number_value is required for a Metric artifact');
  if ((a.type === 'ClassificationMetric' || a.type === 'SlicedClassificationMetric') && a.metadata === undefined)
    throw invalidArgument(`No metric or metadata was found for ${text(a, 'type')} artifact`);
  return a;
}

function newArtifact(ctx: RequestContext, req: JsonObject, a: JsonObject): () => JsonObject {
  const runId = text(req, 'run_id');
  const taskId = text(req, 'task_id');
  const namespace = ctx.lab.namespaceOf(text(a, 'namespace'));
  const task = existingTask(ctx, taskId);
  if (task.run_id !== runId) throw invalidArgument('Task ID does not belong to this Run ID');
  if (ctx.lab.multiUser) {
    const runNs = existingRun(ctx, runId).namespace;
    const taskNs = text(task, 'namespace') || runNs;
    if (runNs !== namespace || taskNs !== namespace)
      throw invalidArgument(
        `artifact, task, and run must be in the same namespace: artifact=${namespace} task=${taskNs} run=${runNs}`,
      );
  }
  canAccessRun(ctx, runId);
  checkWidths('artifacts', { ...a, namespace }, ARTIFACT_WIDTHS);
  const iteration = req.iteration_index;
  const link = {
    runId,
    taskId,
    producerKey: text(req, 'producer_key'),
    ...(iteration !== undefined ? { iterationIndex: Number(iteration) } : {}),
  };
  // The server sets the id and creation time (artifact_store.go:117-130) and keeps the namespace it resolved.
  const { namespace: _requested, created_at: _created, ...artifact } = a;
  return () =>
    req.reuse_if_exists === true
      ? native(ctx).findOrCreateTaskArtifact(namespace, artifact, link)
      : native(ctx).createTaskArtifact(namespace, artifact, link);
}

async function createArtifact(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifact', async () => {
    const req = decodeMessage(CreateArtifactRequestMsg, (await rawBody(ctx)).value);
    const a = validateCreateArtifact(req);
    canAccessNamespace(ctx, ctx.lab.namespaceOf(text(a, 'namespace')));
    return ok(newArtifact(ctx, req, a)());
  });
}

async function createArtifactsBulk(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifacts', async () => {
    const b = decodeMessage(CreateArtifactsBulkRequestMsg, (await rawBody(ctx)).value);
    const requests = (Array.isArray(b.artifacts) ? b.artifacts : []) as JsonObject[];
    if (requests.length === 0) throw invalidArgument('CreateArtifactsBulkRequest must contain at least one artifact');
    // Every request validated, in one namespace (artifact_server.go:121-143), before any ownership check.
    let bulkNamespace = '';
    const validated = requests.map((r, i) => {
      const a = wrapApi(`Failed to create artifact ${i} due to validation error`, () => validateCreateArtifact(r));
      const namespace = ctx.lab.namespaceOf(text(a, 'namespace'));
      if (bulkNamespace === '') bulkNamespace = namespace;
      else if (namespace !== bulkNamespace)
        throw invalidArgument(
          `CreateArtifactsBulkRequest must use a single namespace: expected ${bulkNamespace}, got ${namespace}`,
        );
      return a;
    });
    canAccessNamespace(ctx, bulkNamespace);
    const creates = requests.map((r, i) => {
      if (r.reuse_if_exists === true)
        throw invalidArgument(
          'CreateArtifactsBulk does not support reuse_if_exists; use CreateArtifact for find-or-create',
        );
      return wrapApi(`Failed to validate ownership for artifact ${i}`, () => newArtifact(ctx, r, validated[i]!));
    });
    // One transaction: all or none (CreateArtifactsWithTasks, artifact_store.go:212-252).
    const artifacts = native(ctx).transaction(() => creates.map((create) => create()));
    return ok({ artifacts });
  });
}

function getArtifact(ctx: RequestContext): Reply {
  return wrapApi('Failed to get artifact', () => {
    const id = param(ctx, 0);
    const a = existingArtifact(ctx, id);
    if (ctx.lab.multiUser && !text(a, 'namespace'))
      throw invalidArgument(`artifact ${id} has an empty namespace`).wrap('Failed to authorize the request');
    canAccessNamespace(ctx, text(a, 'namespace'));
    return ok(a);
  });
}

/** `ListArtifacts` (artifact_server.go:344-388): the namespace's artifacts (all of them in single-user mode). */
function listArtifacts(ctx: RequestContext): Reply {
  return wrapApi('Failed to list artifacts', () => {
    const namespace = ctx.lab.namespaceOf(queryString(ctx.query, 'namespace'));
    wrapApi('Failed to authorize the request', () => canAccessNamespace(ctx, namespace));
    return listReply('artifacts', native(ctx).pageArtifacts(namespace, listRequest(ctx.query)));
  });
}

/**
 * One link of `CreateArtifactTask` / `CreateArtifactTasksBulk` (artifact_server.go:413-479, :539-630): artifact,
 * task, run, an IO type, a producer and a key are all required; the task must exist and be the run's, the
 * artifact must exist; in multi-user mode artifact, task and run share one non-empty namespace
 * (`validateArtifactTaskNamespaceOwnership`, :283-318). Returns the link and the task's namespace.
 */
function checkLink(ctx: RequestContext, l: JsonObject): { link: JsonObject; namespace: string } {
  if (!text(l, 'artifact_id')) throw invalidArgument('artifact_task.artifact_id is required');
  if (!text(l, 'task_id')) throw invalidArgument('artifact_task.task_id is required');
  if (!text(l, 'run_id')) throw invalidArgument('artifact_task.run_id is required');
  if (l.type === undefined || l.type === 'UNSPECIFIED') throw invalidArgument('artifact_task.type is required');
  if (!isObject(l.producer)) throw invalidArgument('artifact_task.producer is required');
  if (!text(l, 'key')) throw invalidArgument('artifact_task.key is required');
  const task = existingTask(ctx, text(l, 'task_id'));
  if (task.run_id !== l.run_id) throw invalidArgument("artifact_task.run_id must match the task's run_id");
  const artifact = existingArtifact(ctx, text(l, 'artifact_id'));
  let namespace = text(task, 'namespace');
  if (ctx.lab.multiUser) {
    const runNs = existingRun(ctx, text(task, 'run_id')).namespace;
    const taskNs = namespace || runNs;
    const artifactNs = text(artifact, 'namespace');
    if (!artifactNs || !taskNs || !runNs || taskNs !== artifactNs || runNs !== artifactNs)
      throw invalidArgument(
        `artifact, task, and run must be in the same namespace: artifact=${artifactNs} task=${taskNs} run=${runNs}`,
      );
    namespace = taskNs;
  }
  const { id: _id, ...link } = l;
  return { link: { ...link, run_id: text(task, 'run_id') }, namespace };
}

async function createArtifactTask(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifact task', async () => {
    const r = decodeMessage(CreateArtifactTaskRequestMsg, (await rawBody(ctx)).value);
    if (!isObject(r.artifact_task)) throw invalidArgument('CreateArtifactTaskRequest and artifact_task are required');
    const { link, namespace } = checkLink(ctx, r.artifact_task);
    canAccessNamespace(ctx, namespace);
    canAccessRun(ctx, text(link, 'run_id'));
    return ok(native(ctx).createArtifactTask(link));
  });
}

async function createArtifactTasksBulk(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifact tasks', async () => {
    const r = decodeMessage(CreateArtifactTasksBulkRequestMsg, (await rawBody(ctx)).value);
    const sent = (Array.isArray(r.artifact_tasks) ? r.artifact_tasks : []) as JsonObject[];
    if (sent.length === 0)
      throw invalidArgument('CreateArtifactTasksBulkRequest must contain at least one artifact task');
    let bulkRun = '';
    let bulkNamespace = '';
    const links = sent.map((l) => {
      const checked = checkLink(ctx, l);
      const run = text(checked.link, 'run_id');
      if (bulkRun === '') bulkRun = run;
      else if (run !== bulkRun) throw invalidArgument('CreateArtifactTasksBulkRequest must use a single run_id');
      if (bulkNamespace === '') bulkNamespace = checked.namespace;
      else if (checked.namespace !== bulkNamespace)
        throw invalidArgument('CreateArtifactTasksBulkRequest must use a single namespace');
      return checked.link;
    });
    canAccessNamespace(ctx, bulkNamespace);
    canAccessRun(ctx, bulkRun);
    // One transaction (artifact_task_store.go:142-197): a duplicate link fails them all.
    const created = native(ctx).transaction(() => links.map((l) => native(ctx).createArtifactTask(l)));
    return ok({ artifact_tasks: created });
  });
}

/** A query enum as grpc-gateway parses it: a name or a number of the enum. */
function queryIOType(q: URLSearchParams): string | undefined {
  const v = q.get('type');
  if (v === null || v === '') return undefined;
  const byNumber = /^\d+$/.test(v) ? Object.entries(IOTypeEnum.values).find(([, n]) => String(n) === v)?.[0] : v;
  if (byNumber === undefined || !(byNumber in IOTypeEnum.values))
    throw invalidArgument(`parsing field "type": ${JSON.stringify(v)} is not a valid value`);
  return byNumber === 'UNSPECIFIED' ? undefined : byNumber;
}

/**
 * `ListArtifactTasks` (artifact_server.go:482-536): no empty id, at least one filter; every task and artifact
 * named must exist (`authorizeArtifactTaskAccess` reads them even in single-user mode, :745-802).
 */
function listArtifactTasks(ctx: RequestContext): Reply {
  return wrapApi('Failed to list artifact tasks', () => {
    const q = ctx.query;
    const filter = {
      taskIds: q.getAll('task_ids'),
      runIds: q.getAll('run_ids'),
      artifactIds: q.getAll('artifact_ids'),
    };
    for (const [name, ids] of [
      ['task_ids', filter.taskIds],
      ['run_ids', filter.runIds],
      ['artifact_ids', filter.artifactIds],
    ] as const)
      if (ids.some((id) => id === '')) throw invalidArgument(`${name} must not contain empty values`);
    if (!filter.taskIds.length && !filter.runIds.length && !filter.artifactIds.length)
      throw invalidArgument('At least one filter (task_ids, run_ids, or artifact_ids) is required');
    const type = queryIOType(q);
    wrapApi('Failed to authorize the request', () => {
      for (const runId of filter.runIds) canAccessRun(ctx, runId);
      for (const taskId of filter.taskIds)
        canAccessRun(
          ctx,
          text(
            wrapApi('Failed to get task for authorization', () => existingTask(ctx, taskId)),
            'run_id',
          ),
        );
      for (const artifactId of filter.artifactIds) {
        const a = wrapApi('Failed to get artifact for authorization', () => existingArtifact(ctx, artifactId));
        if (text(a, 'namespace')) canAccessNamespace(ctx, text(a, 'namespace'));
      }
    });
    const page = native(ctx).pageArtifactTasks({ ...filter, ...(type ? { type } : {}) }, listRequest(q));
    return listReply('artifact_tasks', page);
  });
}

const ID = '([^/:]+)';
export const nativeRoutes: Route[] = [
  { method: 'POST', pattern: new RegExp(`^/apis/v2beta1/runs/${ID}/tasks$`), handle: createTask },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/runs/${ID}/tasks$`), handle: listTasks },
  { method: 'POST', pattern: new RegExp(`^/apis/v2beta1/runs/${ID}/tasks:batchUpdate$`), handle: updateTasksBulk },
  { method: 'PATCH', pattern: new RegExp(`^/apis/v2beta1/runs/${ID}/tasks/${ID}$`), handle: updateTask },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/runs/${ID}/tasks/${ID}$`), handle: getTask },
  { method: 'POST', pattern: /^\/apis\/v2beta1\/tasks:findCached$/, handle: findCached },
  { method: 'POST', pattern: /^\/apis\/v2beta1\/artifacts$/, handle: createArtifact },
  { method: 'GET', pattern: /^\/apis\/v2beta1\/artifacts$/, handle: listArtifacts },
  { method: 'POST', pattern: /^\/apis\/v2beta1\/artifacts:batchCreate$/, handle: createArtifactsBulk },
  { method: 'GET', pattern: new RegExp(`^/apis/v2beta1/artifacts/${ID}$`), handle: getArtifact },
  { method: 'POST', pattern: /^\/apis\/v2beta1\/artifact_tasks$/, handle: createArtifactTask },
  { method: 'GET', pattern: /^\/apis\/v2beta1\/artifact_tasks$/, handle: listArtifactTasks },
  { method: 'POST', pattern: /^\/apis\/v2beta1\/artifact_tasks:batchCreate$/, handle: createArtifactTasksBulk },
];
