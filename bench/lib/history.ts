// Years of use at a location, inserted straight into its ML Metadata: executions as KFP's driver
// and launcher record them (system.ContainerExecution with the custom properties KFP sets,
// backend/src/v2/metadata/client.go), each with one output artifact and, as the launcher of a KFP
// that publishes logs (the lab's default) records it, an `executor-logs` artifact, with their
// OUTPUT events (uploadOutputArtifacts, 2.17.0:backend/src/v2/component/launcher_v2.go:778-800),
// in batches of 100 executions per PutExecutions call. Without `executor-logs` the newest
// execution would tell the observer that logs are not published there (driver-settings.ts), and
// every cache key would change with the history.
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
    const logsType = await mlmd.putArtifactType(
      { name: 'system.Artifact' },
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
      const outputs = ['data', 'executor-logs'];
      const artifactIds = await mlmd.putArtifacts(
        executionIds.flatMap((id) =>
          outputs.map((output) => ({
            typeId: output === 'data' ? artifactType : logsType,
            uri: `minio://mlpipeline/v2/artifacts/old-pipeline/${run}/old-task/${id}/${output}`,
            state: 'LIVE' as const,
            customProperties: { display_name: stringValue(output) },
          })),
        ),
      );
      const events: Event[] = executionIds.flatMap((executionId, i) =>
        outputs.map((output, j) => ({
          executionId,
          artifactId: artifactIds[i * outputs.length + j]!,
          type: 'OUTPUT' as const,
          path: { steps: [{ key: output }] },
        })),
      );
      await mlmd.putEvents(events);
      onProgress?.(done + n);
    }
  } finally {
    mlmd.close();
  }
}
