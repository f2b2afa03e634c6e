/**
 * The native task and artifact API of the next KFP (kubeflow/pipelines 6585b5143d, PR #13986), served by a
 * lab location started with `--kfp-version <loc>=next`. Handlers follow
 * `backend/src/apiserver/server/run_server.go` (CreateTask :696, UpdateTask :736, UpdateTasksBulk :795,
 * GetTask :879, FindCachedTask :975) and `artifact_server.go` (CreateArtifact :41, CreateArtifactTask :413,
 * ListArtifactTasks :482). Bodies are read as protojson with `DiscardUnknown: false`
 * (`backend/src/apiserver/common/utils.go:164`): an unknown field is INVALID_ARGUMENT.
 */
import { invalidArgument, notFound, wrapApi } from '../kfp/api-error.js';
import { ok, param, type RequestContext, type Reply, type Route } from '../kfp/context.js';
import { parseJsonBody } from '../kfp/http-util.js';
import { isJsonObject, jsonName, type JsonObject, type JsonValue } from '../kfp/proto-json.js';
import { nativeStoreOf, type NativeStore } from './native-store.js';

/** Fields of the messages the API reads (proto names, from the swagger of that commit). */
const FIELDS = {
  PipelineTask: [
    'name',
    'display_name',
    'task_id',
    'run_id',
    'pods',
    'cache_fingerprint',
    'create_time',
    'end_time',
    'state',
    'status_metadata',
    'state_history',
    'type',
    'type_attributes',
    'parent_task_id',
    'child_tasks',
    'inputs',
    'outputs',
    'scope_path',
  ],
  Artifact: [
    'artifact_id',
    'name',
    'description',
    'type',
    'uri',
    'metadata',
    'number_value',
    'created_at',
    'namespace',
  ],
  ArtifactTask: ['id', 'artifact_id', 'run_id', 'task_id', 'type', 'producer', 'key'],
  CreateArtifactRequest: ['artifact', 'run_id', 'task_id', 'producer_key', 'iteration_index', 'reuse_if_exists'],
  CreateArtifactsBulkRequest: ['artifacts'],
  CreateArtifactTaskRequest: ['artifact_task'],
  CreateArtifactTasksBulkRequest: ['artifact_tasks'],
  FindCachedTaskRequest: ['namespace', 'cache_fingerprint'],
  UpdateTasksBulkBody: ['tasks'],
} as const;
type MessageName = keyof typeof FIELDS;

const TASK_STATES = ['RUNTIME_STATE_UNSPECIFIED', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'CACHED'];

/**
 * Reads one message: proto or JSON names accepted, normalized to proto names; an unknown field fails as
 * protojson does (`unknown field "x"`).
 */
function message(name: MessageName, v: unknown): JsonObject {
  if (v === null || v === undefined) return {};
  if (!isJsonObject(v)) throw invalidArgument(`proto: syntax error: ${name} must be a JSON object`);
  const known: readonly string[] = FIELDS[name];
  const out: JsonObject = {};
  for (const [k, value] of Object.entries(v)) {
    const proto = known.find((f) => f === k || jsonName(f) === k);
    if (!proto) throw invalidArgument(`proto: unknown field "${k}"`);
    if (value !== null) out[proto] = value;
  }
  return out;
}

function list(v: JsonValue | undefined): JsonValue[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalidArgument('proto: syntax error: expected a list');
  return v;
}

function text(o: JsonObject, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : '';
}

function taskMessage(v: unknown): JsonObject {
  const t = message('PipelineTask', v);
  // Enums are written by name (protojson); a number is accepted on input as protojson does.
  if (typeof t.state === 'number') t.state = TASK_STATES[t.state] ?? String(t.state);
  if (t.state !== undefined && !(typeof t.state === 'string' && TASK_STATES.includes(t.state)))
    throw invalidArgument(`proto: invalid value for enum field state: ${JSON.stringify(t.state)}`);
  return t;
}

function native(ctx: RequestContext): NativeStore {
  return nativeStoreOf(ctx.lab.store.db);
}

async function body(ctx: RequestContext): Promise<unknown> {
  return parseJsonBody(await ctx.body());
}

/** The run must exist (`canAccessRun` → GetRun); its namespace scopes the tasks' cache lookups. */
function runNamespace(ctx: RequestContext, runId: string): string {
  const run = ctx.lab.store.runs.find(runId);
  if (!run) throw notFound(`Run ${runId} not found`);
  return run.namespace;
}

async function createTask(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create task', async () => {
    const runId = param(ctx, 0);
    const task = taskMessage(await body(ctx));
    if (!runId) throw invalidArgument('Run ID is required');
    // validateTaskRunIDInRequest: a run id in the body must be the path's (run_server.go:705).
    if (task.run_id !== undefined && task.run_id !== runId)
      throw invalidArgument(`Task run_id ${text(task, 'run_id')} does not match request run_id ${runId}`);
    return ok(native(ctx).createTask(runId, runNamespace(ctx, runId), task));
  });
}

async function updateTask(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to update task', async () => {
    const runId = param(ctx, 0);
    const taskId = param(ctx, 1);
    const patch = taskMessage(await body(ctx));
    const current = native(ctx).getTask(taskId);
    if (!current || current.run_id !== runId) throw notFound(`Task ${taskId} not found`);
    return ok(native(ctx).updateTask(taskId, patch) ?? {});
  });
}

async function updateTasksBulk(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to update tasks', async () => {
    const runId = param(ctx, 0);
    const b = message('UpdateTasksBulkBody', await body(ctx));
    const tasks = b.tasks;
    // map<string, PipelineTask> keyed by task id.
    if (tasks !== undefined && !isJsonObject(tasks)) throw invalidArgument('proto: syntax error: tasks must be a map');
    const updated: JsonObject = {};
    for (const [id, t] of Object.entries(tasks ?? {})) {
      const current = native(ctx).getTask(id);
      if (!current || current.run_id !== runId) throw notFound(`Task ${id} not found`);
      updated[id] = native(ctx).updateTask(id, taskMessage(t)) ?? {};
    }
    return ok({ tasks: updated });
  });
}

function getTask(ctx: RequestContext): Reply {
  return wrapApi('Failed to get task', () => {
    const t = native(ctx).getTask(param(ctx, 1));
    if (!t || t.run_id !== param(ctx, 0)) throw notFound(`Task ${param(ctx, 1)} not found`);
    return ok(t);
  });
}

function listTasks(ctx: RequestContext): Reply {
  return wrapApi('Failed to list tasks', () => {
    const runId = param(ctx, 0);
    runNamespace(ctx, runId);
    const tasks = native(ctx).listTasks(runId);
    return ok(tasks.length ? { tasks, total_size: tasks.length } : {});
  });
}

async function findCached(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to find cached task', async () => {
    const r = message('FindCachedTaskRequest', await body(ctx));
    const fingerprint = text(r, 'cache_fingerprint');
    if (!fingerprint) throw invalidArgument('cache_fingerprint is required');
    // ReplaceNamespace: '' in single-user mode (run_server.go:983).
    const namespace = ctx.lab.namespaceOf(text(r, 'namespace'));
    if (ctx.lab.multiUser && namespace === '') throw invalidArgument('namespace is required in multi-user mode');
    const hit = native(ctx).cachedCandidates(namespace, fingerprint)[0];
    return ok(hit ? { task: hit } : {});
  });
}

function newArtifact(ctx: RequestContext, req: JsonObject): JsonObject {
  const a = message('Artifact', req.artifact);
  if (!text(a, 'name') && a.type === undefined) throw invalidArgument('Artifact is required');
  const runId = text(req, 'run_id');
  const namespace = runId ? runNamespace(ctx, runId) : ctx.lab.namespaceOf(text(a, 'namespace'));
  const taskId = text(req, 'task_id');
  // With a task, the artifact is linked to it as its OUTPUT under producer_key.
  if (!taskId) return native(ctx).createArtifact(namespace, a);
  const iteration = req.iteration_index;
  return native(ctx).createTaskArtifact(namespace, a, {
    runId,
    taskId,
    producerKey: text(req, 'producer_key'),
    ...(iteration !== undefined ? { iterationIndex: Number(iteration) } : {}),
  });
}

async function createArtifact(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifact', async () =>
    ok(newArtifact(ctx, message('CreateArtifactRequest', await body(ctx)))),
  );
}

async function createArtifactsBulk(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifacts', async () => {
    const b = message('CreateArtifactsBulkRequest', await body(ctx));
    const artifacts = list(b.artifacts).map((r) => newArtifact(ctx, message('CreateArtifactRequest', r)));
    return ok({ artifacts });
  });
}

function getArtifact(ctx: RequestContext): Reply {
  return wrapApi('Failed to get artifact', () => {
    const a = native(ctx).getArtifact(param(ctx, 0));
    if (!a) throw notFound(`Artifact ${param(ctx, 0)} not found`);
    return ok(a);
  });
}

function listArtifacts(ctx: RequestContext): Reply {
  const artifacts = native(ctx).listArtifacts(ctx.lab.namespaceOf(ctx.query.get('namespace') ?? ''));
  return ok(artifacts.length ? { artifacts, total_size: artifacts.length } : {});
}

function newLink(ctx: RequestContext, v: unknown): JsonObject {
  const l = message('ArtifactTask', v);
  if (!native(ctx).getArtifact(text(l, 'artifact_id'))) throw notFound(`Artifact ${text(l, 'artifact_id')} not found`);
  if (!native(ctx).getTask(text(l, 'task_id'))) throw notFound(`Task ${text(l, 'task_id')} not found`);
  return native(ctx).createArtifactTask(l);
}

async function createArtifactTask(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifact task', async () => {
    const r = message('CreateArtifactTaskRequest', await body(ctx));
    return ok(newLink(ctx, r.artifact_task));
  });
}

async function createArtifactTasksBulk(ctx: RequestContext): Promise<Reply> {
  return wrapApi('Failed to create artifact tasks', async () => {
    const r = message('CreateArtifactTasksBulkRequest', await body(ctx));
    return ok({ artifact_tasks: list(r.artifact_tasks).map((l) => newLink(ctx, l)) });
  });
}

function listArtifactTasks(ctx: RequestContext): Reply {
  return wrapApi('Failed to list artifact tasks', () => {
    const q = ctx.query;
    const filter = {
      taskIds: q.getAll('task_ids'),
      runIds: q.getAll('run_ids'),
      artifactIds: q.getAll('artifact_ids'),
      ...(q.get('type') ? { type: q.get('type') ?? '' } : {}),
    };
    if (!filter.taskIds.length && !filter.runIds.length && !filter.artifactIds.length)
      throw invalidArgument('At least one of task_ids, run_ids, or artifact_ids is required');
    const links = native(ctx).listArtifactTasks(filter);
    return ok(links.length ? { artifact_tasks: links, total_size: links.length } : {});
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
