// Years of use at a location, inserted straight into its ML Metadata: executions as KFP's driver
// and launcher record them (system.ContainerExecution with the custom properties KFP sets,
// backend/src/v2/metadata/client.go), each with one output artifact and its OUTPUT event, in
// batches of 100 executions per PutExecutions call.
import { randomBytes } from 'node:crypto';
import type { Event } from '../../src/location/mlmd/index.js';
import { MlmdClient, stringValue } from '../../src/location/mlmd/index.js';

export const HISTORY_BATCH = 100;

export async function insertHistory(
  location: string,
  address: string,
  count: number,
  onProgress?: (done: number) => void,
): Promise<void> {
  if (count <= 0) return;
  const mlmd = new MlmdClient({ location, address });
  try {
    const executionType = await mlmd.putExecutionType(
      { name: 'system.ContainerExecution' },
      { canAddFields: true, canOmitFields: true },
    );
    const artifactType = await mlmd.putArtifactType(
      { name: 'system.Dataset' },
      { canAddFields: true, canOmitFields: true },
    );
    const run = randomBytes(8).toString('hex');
    for (let done = 0; done < count; done += HISTORY_BATCH) {
      const n = Math.min(HISTORY_BATCH, count - done);
      const executions = Array.from({ length: n }, (_, i) => ({
        typeId: executionType,
        lastKnownState: 'COMPLETE' as const,
        customProperties: {
          task_name: stringValue(`old-task-${(done + i) % 50}`),
          display_name: stringValue(`old-task-${(done + i) % 50}`),
          cache_fingerprint: stringValue(randomBytes(32).toString('hex')),
          pipeline_name: stringValue('old-pipeline'),
          run_id: stringValue(`${run}-${Math.floor((done + i) / 50)}`),
          image: stringValue('python:3.11'),
        },
      }));
      const executionIds = await mlmd.putExecutions(executions);
      const artifactIds = await mlmd.putArtifacts(
        executionIds.map((id) => ({
          typeId: artifactType,
          uri: `minio://mlpipeline/v2/artifacts/old-pipeline/${run}/old-task/${id}/data`,
          state: 'LIVE' as const,
          customProperties: { display_name: stringValue('data') },
        })),
      );
      const events: Event[] = executionIds.map((executionId, i) => ({
        executionId,
        artifactId: artifactIds[i]!,
        type: 'OUTPUT',
        path: { steps: [{ key: 'data' }] },
      }));
      await mlmd.putEvents(events);
      onProgress?.(done + n);
    }
  } finally {
    mlmd.close();
  }
}
