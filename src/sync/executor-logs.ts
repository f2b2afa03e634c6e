// A task handed off from a location whose drivers do not publish logs (PUBLISH_LOGS false) has no
// `executor-logs` output. At a target whose drivers do, the driver provisions one for the task
// (`2.17.0:backend/src/v2/driver/driver.go:755-767`) and, on a cache hit, demands an OUTPUT event of
// every provisioned name on the cached execution ("unable to find artifact with name executor-logs",
// `2.17.0:backend/src/v2/driver/cache.go:41-51`), so the hit would fail the run. The import records
// that output as the target's launcher would have: a `system.Artifact` under the task's root, whose
// object says that no log was published where the task ran (KFP's launcher uploads the log there,
// `2.17.0:backend/src/v2/component/launcher_v2.go:778-800`). The other way round, an extra
// `executor-logs` output is harmless: the driver only collects the outputs it provisions.
import type { Artifact, Event, MlmdClient } from '../location/mlmd/index.js';
import { MlmdError, stringValue } from '../location/mlmd/index.js';
import type { ObjectStore } from '../location/objectstore/index.js';
import type { CacheWalkResult } from '../observe/cache-walk.js';
import { EXECUTOR_LOGS_OUTPUT, publishesLogs } from '../pipeline/fingerprint/index.js';
import { taskRecordKey } from '../pipeline/driver/index.js';
import type { BundleExecution } from './bundle.js';

export interface ExecutorLogsRequest {
  target: { name: string; mlmd: MlmdClient; store: ObjectStore; pipelineRoot: string };
  source: string;
  pipelineName: string;
  markerRunId: string;
  executions: readonly BundleExecution[];
  /** Global id → the target's execution id. */
  executionIds: ReadonlyMap<string, number>;
  /** The import's walk at the target: which tasks its drivers give an `executor-logs` output. */
  walk: CacheWalkResult;
  pipelineContextId: number;
}

/** Adds the missing `executor-logs` outputs; returns the number of OUTPUT events created. */
export async function recordMissingExecutorLogs(req: ExecutorLogsRequest): Promise<number> {
  const { target } = req;
  const wanted = req.executions.filter((be) => {
    const input = req.walk.entries.get(taskRecordKey(be.path, be.iteration))?.call.cacheKeyInput;
    return (
      input !== undefined &&
      publishesLogs({ ...input, publishLogs: req.walk.settings.publishLogs }) &&
      !be.outputs.some((o) => o.name === EXECUTOR_LOGS_OUTPUT)
    );
  });
  if (wanted.length === 0) return 0;
  const ids = wanted.map((be) => req.executionIds.get(be.globalId)!);
  const present = new Set(
    (await target.mlmd.getEventsByExecutionIDs(ids))
      .filter((e) => e.type === 'OUTPUT' && e.path?.steps?.[0]?.key === EXECUTOR_LOGS_OUTPUT)
      .map((e) => e.executionId),
  );
  const missing = wanted.filter((be) => !present.has(req.executionIds.get(be.globalId)));
  if (missing.length === 0) return 0;
  const typeId = await target.mlmd.putArtifactType(
    { name: 'system.Artifact' },
    { canAddFields: true, canOmitFields: true },
  );
  const runRoot = `${target.pipelineRoot.replace(/\/+$/, '')}/${req.pipelineName}/${req.markerRunId}`;
  const events: Event[] = [];
  for (const be of missing) {
    // Its own global id, derived from the execution's, so a second import finds it and it travels on.
    const externalId = `${be.globalId}/${EXECUTOR_LOGS_OUTPUT}`;
    const uri = `${runRoot}/${be.path.join('/')}${be.iteration.length > 0 ? `-${be.iteration.join('-')}` : ''}/${EXECUTOR_LOGS_OUTPUT}`;
    let [artifact] = await target.mlmd.getArtifactsByExternalIds([externalId]);
    if (artifact?.id === undefined) {
      const ref = target.store.resolve(uri);
      const text =
        `split-pipelines: ${be.path.join('/')} ran at ${req.source}, where KFP does not publish logs ` +
        `(PUBLISH_LOGS false); it was handed off to ${target.name}.\n`;
      await target.store.put(ref, text, { contentType: 'text/plain' });
      const created: Artifact = {
        typeId,
        uri,
        externalId,
        state: 'LIVE',
        customProperties: { display_name: stringValue(EXECUTOR_LOGS_OUTPUT) },
      };
      try {
        const [id] = await target.mlmd.putArtifacts([created]);
        artifact = { ...created, id: id! };
      } catch (e) {
        if (!(e instanceof MlmdError && e.code === 'ALREADY_EXISTS')) throw e;
        [artifact] = await target.mlmd.getArtifactsByExternalIds([externalId]);
        if (artifact?.id === undefined) throw e;
      }
      await target.mlmd
        .putAttributionsAndAssociations([{ artifactId: artifact.id!, contextId: req.pipelineContextId }], [])
        .catch((e: unknown) => {
          if (!(e instanceof MlmdError && e.code === 'ALREADY_EXISTS')) throw e;
        });
    }
    events.push({
      executionId: req.executionIds.get(be.globalId)!,
      artifactId: artifact.id!,
      type: 'OUTPUT',
      path: { steps: [{ key: EXECUTOR_LOGS_OUTPUT }] },
    });
  }
  await target.mlmd.putEvents(events);
  return events.length;
}
