import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { grpc, list, putBasicTypes, startRaw } from './raw-client.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mlmd-lab-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('a server restarted on the same database file still has every entity and link', async () => {
  const dbPath = path.join(dir, 'mlmd.sqlite');
  const first = await startRaw({ dbPath });
  const types = await putBasicTypes(first);
  const put = await first.call('PutExecution', {
    execution: { type_id: types.executionType, external_id: 'g:e', last_known_state: 'COMPLETE' },
    artifact_event_pairs: [
      { artifact: { type_id: types.artifactType, external_id: 'g:a', uri: 's3://x' }, event: { type: 'OUTPUT' } },
    ],
    contexts: [{ type_id: types.contextType, name: 'run-1' }],
  });
  await first.close();

  const second = await startRaw({ dbPath });
  try {
    const executions = await second.call('GetExecutionsByExternalIds', { external_ids: ['g:e'] });
    const events = await second.call('GetEventsByExecutionIDs', { execution_ids: [put.execution_id] });
    const contexts = await second.call('GetContextsByArtifact', { artifact_id: list(put.artifact_ids)[0] });
    expect(list(executions.executions).map((e) => e.last_known_state)).toEqual(['COMPLETE']);
    expect(list(events.events).map((e) => e.artifact_id)).toEqual(list(put.artifact_ids));
    expect(list(contexts.contexts).map((c) => c.name)).toEqual(['run-1']);
  } finally {
    await second.close();
  }
});

test('uniqueness still holds after a restart on the same data directory', async () => {
  const first = await startRaw({ dataDir: dir });
  const types = await putBasicTypes(first);
  await first.call('PutArtifacts', { artifacts: [{ type_id: types.artifactType, external_id: 'g:a' }] });
  await first.close();

  const second = await startRaw({ dataDir: dir });
  try {
    const code = await second.code('PutArtifacts', {
      artifacts: [{ type_id: types.artifactType, external_id: 'g:a' }],
    });
    expect(code).toBe(grpc.status.ALREADY_EXISTS);
  } finally {
    await second.close();
  }
});
