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
  // No authorization, as in KFP: CreateTaskV1 validates, then ResourceManager.CreateTask checks only that
  // the run exists, fills an empty namespace from its experiment and CheckExperimentBelongsToNamespace
  // (2.17.0:backend/src/apiserver/server/task_server.go:36-53, resource/resource_manager.go:971-1003);
  // the gRPC interceptor only logs (2.17.0:backend/src/apiserver/interceptor.go:28-39).
  return ok(taskJson(ctx.lab.store.tasks.create(request)));
}

function listTasks(ctx: RequestContext): Reply {
  try {
    const page = ctx.lab.store.tasks.list(listRequest(ctx.query));
    return ok(
      emit({ tasks: page.rows.map(taskJson), total_size: page.totalSize, next_page_token: page.nextPageToken }),
    );
  } catch (e) {
    throw e instanceof ApiError ? e.wrap('Failed to create list options') : e;
  }
}

/**
 * Served by the API server's own HTTP gateway (port 8888: `2.17.0:backend/src/apiserver/main.go:417`,
 * route in `backend/api/v1beta1/task.proto:55-67`), never by the UI (see ui-gateway.ts). Neither call
 * authenticates the caller, in multi-user mode too.
 */
export const taskRoutes: Route[] = [
  { method: 'POST', pattern: /^\/apis\/v1alpha1\/tasks$/, anonymous: true, handle: createTask },
  { method: 'GET', pattern: /^\/apis\/v1alpha1\/tasks$/, anonymous: true, handle: listTasks },
];
