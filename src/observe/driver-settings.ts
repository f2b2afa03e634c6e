// Two settings of a location's KFP drivers decide cache hits, and KFP's API reports neither:
// - `--publish_logs` (the API server's PUBLISH_LOGS env, `2.17.0:backend/src/v2/compiler/argocompiler/
//   container.go:238-239`; flag default "true", `2.17.0:backend/src/v2/cmd/driver/main.go:102`): when
//   "true", `provisionOutputs` adds an `executor-logs` output to every container task, so to its cache
//   key (`2.17.0:backend/src/v2/driver/driver.go:755`), and the launcher records it as an OUTPUT event;
// - the namespace the driver and launcher pods run in (`config.InPodNamespace()`, the service account's
//   namespace file, `2.17.0:backend/src/v2/config/env.go:95-98`, read at `cmd/driver/main.go:363` and
//   `cmd/launcher-v2/main.go:79`): the driver looks cache rows up with `namespace` = it
//   (`2.17.0:backend/src/v2/cacheutils/cache.go:116-121`) and the launcher writes them with it
//   (`2.17.0:backend/src/v2/component/launcher_v2.go:307-309`). In multi-user mode runs, and so their
//   pods, are in the profile namespace; in single-user mode every pod is in KFP's own namespace
//   (`kubeflow` in the stock manifests), never '' — while the API server fills a row's empty namespace
//   from the run's experiment, '' in single-user mode (`2.17.0:backend/src/apiserver/resource/
//   resource_manager.go:986-992`), so a row written with '' (or any other namespace) is never found.
// Both are read from the file when it sets them and otherwise learned from what KFP recorded there.
import { UserError } from '../errors/user-error.js';
import type { KfpClient } from '../location/kfp/index.js';
import type { Context, Execution, MlmdClient } from '../location/mlmd/index.js';

/** The location fields this needs (a LocationReaders has them). */
export interface DriverSettingsSource {
  name: string;
  kfp: KfpClient;
  mlmd: MlmdClient;
  /** The file's `kfp.namespace`. */
  namespace?: string;
  /** The file's `kfp.publishLogs`. */
  publishLogs?: boolean;
}

export interface DriverSettings {
  publishLogs: boolean;
  /** 'file': `kfp.publishLogs`; 'run': seen on an execution KFP ran there; 'default': nothing ran yet, KFP's default. */
  publishLogsFrom: 'file' | 'run' | 'default';
  /** The execution the setting was read from, when 'run'. */
  publishLogsExecutionId?: number;
  /** The namespace KFP's pods run in there, i.e. its cache rows' namespace; undefined until a run ran there. */
  podNamespace?: string;
  podNamespaceFrom?: 'kfp.namespace' | 'run';
  /** healthz's `multi_user`, when healthz answered. */
  multiUser?: boolean;
}

/** A location's file settings contradict what its KFP says about itself. */
export class LocationSettingError extends UserError {
  override readonly name = 'LocationSettingError';
  constructor(message: string, location: string) {
    super(message, { code: 'location-setting', location, operation: 'read-driver-settings' });
  }
}

/** The KFP default of `--publish_logs` (driver and launcher flags, and the stock manifests' PUBLISH_LOGS). */
export const KFP_DEFAULT_PUBLISH_LOGS = true;

const EXECUTOR_LOGS = 'executor-logs';
const SCAN_PAGES = 3;

export async function readDriverSettings(
  loc: DriverSettingsSource,
  hints: { runContext?: Context } = {},
): Promise<DriverSettings> {
  const [ns, logs] = await Promise.all([podNamespace(loc, hints.runContext), publishLogs(loc)]);
  return { ...ns, ...logs };
}

/**
 * The namespace to write a location's cache rows with, as KFP's launcher would (never '', which no
 * driver looks up): kfp.namespace in multi-user mode, else the pods' namespace recorded on `runContext`
 * (the run the rows belong to) or on the newest run there.
 */
export async function cacheRowNamespace(loc: DriverSettingsSource, runContext?: Context): Promise<string> {
  const s = await podNamespace(loc, runContext);
  if (s.podNamespace === undefined) {
    throw new LocationSettingError(
      `location ${loc.name}: cannot write cache rows where KFP's drivers look for them: ${describePodNamespace(loc.name, s)} ` +
        `(the run${runContext?.name ? ` ${runContext.name}` : ''} recorded none). Check that the run completed at ${loc.name}, then try again.`,
      loc.name,
    );
  }
  return s.podNamespace;
}

/** What to say about the namespace lookups use, for messages. */
export function describePodNamespace(
  loc: string,
  s: Pick<DriverSettings, 'podNamespace' | 'podNamespaceFrom'>,
): string {
  if (s.podNamespace === undefined)
    return `no run has run at ${loc} yet, so the namespace KFP's pods run in there (the namespace of its cache rows) is not known`;
  return `namespace ${s.podNamespace} (${s.podNamespaceFrom === 'kfp.namespace' ? 'kfp.namespace' : 'where KFP ran its pods'})`;
}

async function podNamespace(
  loc: DriverSettingsSource,
  runContext: Context | undefined,
): Promise<Pick<DriverSettings, 'podNamespace' | 'podNamespaceFrom' | 'multiUser'>> {
  let multiUser: boolean | undefined;
  try {
    multiUser = (await loc.kfp.healthz()).multiUser;
  } catch {
    // healthz unreachable (the file may override the version for that reason): trust the file.
  }
  const out: Pick<DriverSettings, 'podNamespace' | 'podNamespaceFrom' | 'multiUser'> =
    multiUser === undefined ? {} : { multiUser };
  const configured = loc.namespace || undefined;
  if (multiUser === false && configured !== undefined) {
    throw new LocationSettingError(
      `location ${loc.name}: kfp.namespace is "${configured}" but this KFP is single-user (healthz multi_user false): ` +
        'KFP ignores the namespace of runs there, and its drivers keep cache rows under the namespace their pods run in, ' +
        'which split-pipelines learns from a run at the location. Remove kfp.namespace from this location.',
      loc.name,
    );
  }
  if (multiUser === true && configured === undefined) {
    throw new LocationSettingError(
      `location ${loc.name}: this KFP is multi-user (healthz multi_user true) and kfp.namespace is not set: ` +
        'set it to the Kubeflow profile namespace the runs go to (their pods run there, and KFP keeps cache rows per namespace).',
      loc.name,
    );
  }
  if (configured !== undefined) return { ...out, podNamespace: configured, podNamespaceFrom: 'kfp.namespace' };
  const fromRun =
    nonEmpty(runContext?.customProperties?.['namespace']?.stringValue) ?? (await newestRunNamespace(loc.mlmd));
  return fromRun === undefined ? out : { ...out, podNamespace: fromRun, podNamespaceFrom: 'run' };
}

/** The root driver records the pod namespace on every run context (`2.17.0:backend/src/v2/metadata/client.go:410-417`). */
async function newestRunNamespace(mlmd: MlmdClient): Promise<string | undefined> {
  const page = await mlmd.getContextsByType('system.PipelineRun', {
    maxResultSize: 20,
    orderBy: { field: 'CREATE_TIME', isAsc: false },
  });
  for (const c of page.items) {
    const ns = nonEmpty(c.customProperties?.['namespace']?.stringValue);
    if (ns !== undefined) return ns;
  }
  return undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * The newest container execution KFP's launcher finished there tells: its launcher records every
 * output the driver provisioned, `executor-logs` included when logs are published
 * (uploadOutputArtifacts, `2.17.0:backend/src/v2/component/launcher_v2.go:778-800`). An execution with
 * no OUTPUT event at all tells "off" only when a launcher pod ran it: its pod name (recorded by the
 * launcher, `2.17.0:backend/src/v2/metadata/client.go:784`) holds the Argo template name
 * `system-container-impl` (`2.17.0:backend/src/v2/compiler/argocompiler/container.go:365`), whereas
 * a platform op, which never publishes logs, is published by its driver pod (`system-container-driver`).
 * A marker run's task, which declares no output, is such an execution. Skipped: executions a handoff
 * imported (they have an external id and carry the source's outputs), and CACHED ones (their OUTPUT
 * events are the cached execution's).
 */
async function publishLogs(
  loc: DriverSettingsSource,
): Promise<Pick<DriverSettings, 'publishLogs' | 'publishLogsFrom' | 'publishLogsExecutionId'>> {
  const seen = await publishLogsSeen(loc.mlmd);
  if (loc.publishLogs === undefined)
    return seen ?? { publishLogs: KFP_DEFAULT_PUBLISH_LOGS, publishLogsFrom: 'default' };
  // A file that contradicts what KFP did there would give every key the wrong shape: no handoff into
  // the location would ever be a cache hit, and nothing from it would be found.
  if (seen && seen.publishLogs !== loc.publishLogs) {
    throw new LocationSettingError(
      `location ${loc.name}: kfp.publishLogs is ${loc.publishLogs}, but execution ${seen.publishLogsExecutionId}, which KFP ran there, ` +
        `${seen.publishLogs ? 'published its logs (an executor-logs output)' : 'published no logs (no executor-logs output)'}: ` +
        `set kfp.publishLogs to ${seen.publishLogs} (the API server's PUBLISH_LOGS) or remove it to use what KFP does there. ` +
        'If PUBLISH_LOGS was changed since, run any pipeline there once first.',
      loc.name,
    );
  }
  return { publishLogs: loc.publishLogs, publishLogsFrom: 'file' };
}

async function publishLogsSeen(
  mlmd: MlmdClient,
): Promise<{ publishLogs: boolean; publishLogsFrom: 'run'; publishLogsExecutionId: number } | undefined> {
  let pageToken: string | undefined;
  for (let page = 0; page < SCAN_PAGES; page++) {
    const executions = await mlmd.getExecutionsByType('system.ContainerExecution', {
      maxResultSize: 100,
      orderBy: { field: 'CREATE_TIME', isAsc: false },
      ...(pageToken ? { nextPageToken: pageToken } : {}),
    });
    const launched = executions.items.filter(launchedHere);
    if (launched.length > 0) {
      const events = await mlmd.getEventsByExecutionIDs(launched.map((e) => e.id!));
      const outputs = new Map<number, Set<string>>();
      for (const ev of events) {
        if (ev.type !== 'OUTPUT' || ev.executionId === undefined) continue;
        const key = ev.path?.steps?.[0]?.key;
        if (key !== undefined)
          (outputs.get(ev.executionId) ?? outputs.set(ev.executionId, new Set()).get(ev.executionId)!).add(key);
      }
      for (const e of launched) {
        const keys = outputs.get(e.id!) ?? new Set<string>();
        if (keys.size === 0 && !ranInLauncherPod(e)) continue;
        return { publishLogs: keys.has(EXECUTOR_LOGS), publishLogsFrom: 'run', publishLogsExecutionId: e.id! };
      }
    }
    pageToken = executions.nextPageToken;
    if (!pageToken) break;
  }
  return undefined;
}

function ranInLauncherPod(e: Execution): boolean {
  return (e.customProperties?.['pod_name']?.stringValue ?? '').includes('-system-container-impl-');
}

function launchedHere(e: Execution): boolean {
  return e.id !== undefined && e.lastKnownState === 'COMPLETE' && !e.externalId;
}
