/**
 * The v1beta1 TaskService served at `/apis/v1alpha1/tasks` (`backend/api/v1beta1/task.proto`): the
 * cache rows the driver looks up and the launcher writes (`backend/src/v2/cacheutils/cache.go`).
 */
import { ApiError } from './api-error.js';
import { ok, type RequestContext, type Reply, type Route } from './context.js';
import { listRequest, parseJsonBody } from './http-util.js';
import { TaskMsg } from './messages.js';
import { decodeMessage, emit, num, str } from './proto-json.js';
import { taskJson, type TaskRequest } from './task-store.js';

async function createTask(ctx: RequestContext): Promise<Reply> {
  let request: TaskRequest;
  try {
    const t = decodeMessage(TaskMsg, parseJsonBody(await ctx.body()));
    const createdAt = num(t, 'created_at');
    const finishedAt = num(t, 'finished_at');
    request = {
      id: str(t, 'id'),
      namespace: str(t, 'namespace'),
      pipelineName: str(t, 'pipelineName'),
      runId: str(t, 'runId'),
      mlmdExecutionID: str(t, 'mlmdExecutionID'),
      fingerprint: str(t, 'fingerprint'),
      ...(createdAt !== undefined ? { createdAt } : {}),
      ...(finishedAt !== undefined ? { finishedAt } : {}),
    };
  } catch (e) {
    throw e instanceof ApiError ? e.wrap('Failed to create a new task') : e;
  }
  const { lab } = ctx;
  // KFP itself makes no per-user check here (task_server.go); the lab still keeps a caller out of
  // namespaces it may not use, since its REST surface is the only way in.
  if (lab.multiUser && request.namespace) lab.authorize(ctx.principal, request.namespace);
  return ok(taskJson(lab.store.tasks.create(request)));
}

function listTasks(ctx: RequestContext): Reply {
  try {
    const page = ctx.lab.store.tasks.list(listRequest(ctx.query));
    return ok(emit({ tasks: page.rows.map(taskJson), total_size: page.totalSize, next_page_token: page.nextPageToken }));
  } catch (e) {
    throw e instanceof ApiError ? e.wrap('Failed to create list options') : e;
  }
}

export const taskRoutes: Route[] = [
  { method: 'POST', pattern: /^\/apis\/v1alpha1\/tasks$/, handle: createTask },
  { method: 'GET', pattern: /^\/apis\/v1alpha1\/tasks$/, handle: listTasks },
];
