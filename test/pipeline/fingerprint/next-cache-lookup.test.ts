// The next KFP's findCached lookup and hit rule (kubeflow/pipelines #13986 at 6585b5143d, "next"):
// next:backend/src/apiserver/server/run_server.go:975-1040 and next:backend/src/apiserver/storage/task_store.go:895-932.
import { describe, expect, it } from 'vitest';

import {
  findCachedRequest,
  lookupNamespace,
  selectCachedTask,
  type CachedTaskCandidate,
} from '../../../src/pipeline/fingerprint/next-cache-lookup.js';

function task(task_id: string, extra: Partial<CachedTaskCandidate>): CachedTaskCandidate {
  return { task_id, namespace: 'ns', cache_fingerprint: 'cache-fp', state: 'SUCCEEDED', createdAtSeconds: 0, ...extra };
}

describe('findCachedRequest (next:backend/src/v2/driver/cache.go:120-123)', () => {
  it('carries the namespace and the fingerprint only', () => {
    expect(findCachedRequest('default', 'abc')).toEqual({ namespace: 'default', cache_fingerprint: 'abc' });
  });
  it('refuses an empty fingerprint as the API server does (run_server.go:979-981)', () => {
    expect(() => findCachedRequest('default', '')).toThrow(/fingerprint/);
  });
});

describe('selectCachedTask', () => {
  it('TestFindCachedTask_ReturnsLatestSucceededMatch (run_server_tasks_test.go:295-342)', () => {
    const tasks = [
      task('older-match', { createdAtSeconds: 100 }),
      task('failed-match', { createdAtSeconds: 150, state: 'FAILED' }),
      task('latest-match', { createdAtSeconds: 200 }),
    ];
    expect(selectCachedTask(findCachedRequest('ns', 'cache-fp'), tasks)?.task_id).toBe('latest-match');
  });
  it('never takes a CACHED, RUNNING or SKIPPED task, nor another fingerprint', () => {
    const tasks = [
      task('cached', { createdAtSeconds: 9, state: 'CACHED' }),
      task('running', { createdAtSeconds: 9, state: 'RUNNING' }),
      task('skipped', { createdAtSeconds: 9, state: 'SKIPPED' }),
      task('other', { createdAtSeconds: 9, cache_fingerprint: 'other-fp' }),
    ];
    expect(selectCachedTask(findCachedRequest('ns', 'cache-fp'), tasks)).toBeUndefined();
  });
  it('breaks a tie on creation second by the larger task id (ORDER BY CreatedAtInSec DESC, UUID DESC)', () => {
    const tasks = [
      task('a', { createdAtSeconds: 5 }),
      task('c', { createdAtSeconds: 5 }),
      task('b', { createdAtSeconds: 5 }),
    ];
    expect(selectCachedTask(findCachedRequest('ns', 'cache-fp'), tasks)?.task_id).toBe('c');
  });
  it('filters by namespace in multi-user mode and ignores it in single-user mode (resource_manager.go:2614-2620)', () => {
    const tasks = [
      task('elsewhere', { namespace: 'other', createdAtSeconds: 7 }),
      task('here', { createdAtSeconds: 1 }),
    ];
    const request = findCachedRequest('ns', 'cache-fp');
    expect(selectCachedTask(request, tasks, { multiUser: true })?.task_id).toBe('here');
    expect(selectCachedTask(request, tasks, { multiUser: false })?.task_id).toBe('elsewhere');
  });
  it('refuses an empty namespace in multi-user mode (run_server.go:983-986)', () => {
    expect(() => lookupNamespace(findCachedRequest('', 'fp'), { multiUser: true })).toThrow(/namespace/);
    expect(lookupNamespace(findCachedRequest('', 'fp'), { multiUser: false })).toBe('');
  });
});
