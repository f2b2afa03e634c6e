// The cache lookup of the next KFP (no ML Metadata, kubeflow/pipelines #13986 at 6585b5143d): the request
// its driver sends and the rule its API server applies. Pure: the native backend sends the request and
// applies the rule to its own records. Sources and line numbers: docs/research/kfp-next-cache.md.

/** Task states of the native task API (`PipelineTask.TaskState` in backend/api/v2beta1/run.proto). */
export type NextTaskState = 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CACHED' | (string & {});

/** The body of `POST /apis/v2beta1/tasks:findCached` (JSON names as the swagger gives them). */
export interface FindCachedRequest {
  namespace: string;
  cache_fingerprint: string;
}

/** What the hit rule reads of a stored task. */
export interface CachedTaskCandidate {
  task_id: string;
  namespace: string;
  cache_fingerprint: string;
  state: NextTaskState;
  /** Seconds since the epoch, as the task table's `CreatedAtInSec`. */
  createdAtSeconds: number;
}

/**
 * The lookup the driver makes: the run's namespace (the location's namespace; empty in single-user mode)
 * and the fingerprint, nothing else. The pipeline name is inside the fingerprint, not in the request.
 */
export function findCachedRequest(namespace: string, fingerprint: string): FindCachedRequest {
  if (fingerprint === '') throw new Error('findCached needs a cache fingerprint: the API server refuses an empty one');
  return { namespace, cache_fingerprint: fingerprint };
}

/** The only state that is a cache hit: a `CACHED` task is never itself reused, nor a failed one. */
export const CACHE_HIT_STATE: NextTaskState = 'SUCCEEDED';

/** How the API server is deployed: in single-user mode it drops the request's namespace. */
export interface FindCachedMode {
  multiUser: boolean;
}

/**
 * The namespace the API server filters on: the request's in multi-user mode (where an empty one is refused),
 * none (`''`, every namespace) in single-user mode whatever the request says.
 */
export function lookupNamespace(request: FindCachedRequest, mode: FindCachedMode): string {
  if (!mode.multiUser) return '';
  if (request.namespace === '')
    throw new Error('findCached needs a namespace in multi-user mode: the API server refuses an empty one');
  return request.namespace;
}

/**
 * The API server's hit rule: tasks with this fingerprint in state SUCCEEDED, in the lookup namespace when
 * there is one (see {@link lookupNamespace}), newest `createdAtSeconds` first, ties broken by the larger
 * task id; the first one, or `undefined` when none (the response then has no `task`).
 */
export function selectCachedTask<T extends CachedTaskCandidate>(
  request: FindCachedRequest,
  tasks: Iterable<T>,
  mode: FindCachedMode = { multiUser: true },
): T | undefined {
  const namespace = lookupNamespace(request, mode);
  let best: T | undefined;
  for (const task of tasks) {
    if (task.cache_fingerprint !== request.cache_fingerprint || task.state !== CACHE_HIT_STATE) continue;
    if (namespace !== '' && task.namespace !== namespace) continue;
    if (best === undefined || newer(task, best)) best = task;
  }
  return best;
}

function newer(a: CachedTaskCandidate, b: CachedTaskCandidate): boolean {
  if (a.createdAtSeconds !== b.createdAtSeconds) return a.createdAtSeconds > b.createdAtSeconds;
  return a.task_id > b.task_id;
}
