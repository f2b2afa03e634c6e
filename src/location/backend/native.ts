// The port over the next KFP's native task and artifact API (no ML Metadata; kubeflow/pipelines #13986 at
// 6585b5143d, "next:" below). Where the records keep what the product needs:
// - an artifact's global id: its `description`. The driver hands a downstream component only the artifact's
//   name, id, type, URI and metadata (`next:backend/src/v2/driver/container.go:750-770`,
//   convertArtifactToRuntimeArtifact), so unlike `metadata` the description reaches no user code;
// - a task's global id and the handoff's record of the objects it wrote: the task's
//   `status_metadata.custom_properties` (`split_pipelines_global_id`, `split_pipelines_objects`); a cache hit
//   reuses only the cached task's outputs (`container.go:579-610`, cloneCachedOutputsForTask);
// - a schema title outside the API's enum (`system.Dataset` → `Dataset`, …): metadata `_kfp_schema_title`,
//   as KFP's importer stores it (`next:backend/src/v2/component/importer_launcher.go:407-460`).
// The cache lookup is the driver's: `tasks:findCached` with the run's namespace and the fingerprint
// (`next:backend/src/v2/driver/cache.go:115-123`); the fingerprint is `nextFingerprint`. An imported task is
// created RUNNING under the marker run (never a hit: only SUCCEEDED tasks are, `task_store.go:895-932`), its
// artifacts linked, and only then set SUCCEEDED: that update is the commit point.
import type { CacheKeyInput } from '../../pipeline/fingerprint/index.js';
import { nextFingerprint } from '../../pipeline/fingerprint/index.js';
import type { JsonObject, JsonValue } from '../../pipeline/ir.js';
import type { NativeArtifact, NativeArtifactTask, NativeClient, NativeTask } from '../native/client.js';
import { BackendWriteError } from './errors.js';
import type { ImporterCall } from '../../pipeline/driver/types.js';
import { importerArtifactOf, NATIVE_TYPE_OF_TITLE, reusedByImporter, SCHEMA_TITLE_KEY } from './native-importer.js';
import {
  globalIdFor,
  parseAnyGlobalId,
  type ArtifactRecord,
  type BackendDescription,
  type CacheAnswer,
  type CacheScope,
  type ImportRequest,
  type OpenTask,
  type ProducedArtifact,
  type ImportResult,
  type LocationBackend,
  type RecordWriter,
  type RunRecord,
  type TaskOutcome,
  type TaskRecord,
} from './port.js';

export const GLOBAL_ID_KEY = 'split_pipelines_global_id';
/** KFP's own namespace, where its API server runs (`manifests/kustomize/base`): a single-user artifact's stand-in. */
const KFP_NAMESPACE = 'kubeflow';
export const OBJECTS_KEY = 'split_pipelines_objects';
export { SCHEMA_TITLE_KEY };

const TYPE_OF_TITLE = NATIVE_TYPE_OF_TITLE;
const TITLE_OF_TYPE = Object.fromEntries(Object.entries(TYPE_OF_TITLE).map(([t, e]) => [e, t]));

export interface NativeBackendSource {
  name: string;
  native: NativeClient;
  /** The file's `kfp.namespace` (multi-user: the profile namespace). */
  namespace?: string;
  /** The file's `kfp.publishLogs`. */
  publishLogs?: boolean;
}

function outcomeOf(state: string | undefined): TaskOutcome {
  switch (state) {
    case 'SUCCEEDED':
      return 'executed';
    case 'CACHED':
      return 'cached';
    case 'FAILED':
      return 'failed';
    case 'SKIPPED':
      return 'skipped';
    default:
      return 'running';
  }
}

function customOf(t: NativeTask): JsonObject {
  return t.status_metadata?.custom_properties ?? {};
}

export class NativeBackend implements LocationBackend, RecordWriter {
  readonly kind = 'native' as const;
  readonly location: string;

  constructor(private readonly src: NativeBackendSource) {
    this.location = src.name;
  }

  private get api(): NativeClient {
    return this.src.native;
  }

  describe(): BackendDescription {
    return { kind: 'native', detail: 'native task and artifact API (no ML Metadata)' };
  }

  /** Single-user: the API server drops the namespace (`resource_manager.go:2614-2620`); multi-user: the profile's. */
  async cacheScope(): Promise<CacheScope> {
    const { multiUser } = await this.api.healthz();
    const scope: CacheScope = {
      publishLogs: this.src.publishLogs ?? true,
      publishLogsFrom: this.src.publishLogs === undefined ? 'default' : 'file',
      namespace: multiUser ? (this.src.namespace ?? '') : '',
    };
    if (multiUser && !this.src.namespace) {
      delete scope.namespace;
      scope.unknownNamespace = `location ${this.location} is multi-user and the file sets no kfp.namespace`;
    }
    return scope;
  }

  fingerprint(input: CacheKeyInput, pipelineName: string): string {
    return nextFingerprint({ ...input, pipelineName });
  }

  artifactRecord(a: NativeArtifact): ArtifactRecord {
    const metadata: JsonObject = { ...(a.metadata ?? {}) };
    const stored = metadata[SCHEMA_TITLE_KEY];
    delete metadata[SCHEMA_TITLE_KEY];
    const id = a.artifact_id ?? '';
    const gid =
      a.description && parseAnyGlobalId(a.description) ? a.description : globalIdFor(this.location, 'artifact', id);
    return {
      id,
      globalId: gid,
      type: typeof stored === 'string' && stored ? stored : (TITLE_OF_TYPE[a.type ?? ''] ?? 'system.Artifact'),
      uri: a.uri ?? '',
      metadata,
    };
  }

  private taskGlobalId(t: NativeTask): string {
    const g = customOf(t)[GLOBAL_ID_KEY];
    return typeof g === 'string' && g ? g : globalIdFor(this.location, 'execution', t.task_id ?? '');
  }

  /** One findCached per fingerprint (the API has no batch form), then the hit's output artifacts. */
  async lookupCache(
    _pipelineName: string,
    fingerprints: readonly string[],
    scope: CacheScope,
  ): Promise<Map<string, CacheAnswer>> {
    const out = new Map<string, CacheAnswer>();
    for (const fp of new Set(fingerprints)) {
      const short = fp.slice(0, 12);
      if (scope.namespace === undefined) {
        out.set(fp, {
          hit: false,
          fingerprint: fp,
          reason: `no cached task for fingerprint ${short}: ${scope.unknownNamespace ?? ''}`,
        });
        continue;
      }
      const task = await this.api.findCached(scope.namespace, fp);
      if (!task?.task_id) {
        out.set(fp, { hit: false, fingerprint: fp, reason: `no cached task for fingerprint ${short}` });
        continue;
      }
      const parameters: Record<string, JsonValue> = {};
      for (const p of task.outputs?.parameters ?? [])
        if (p.parameter_key) parameters[p.parameter_key] = p.value ?? null;
      const artifacts = await this.outputArtifacts(task);
      const recorded = customOf(task)[OBJECTS_KEY];
      out.set(fp, {
        hit: true,
        fingerprint: fp,
        task: { id: task.task_id, globalId: this.taskGlobalId(task) },
        parameters,
        artifacts,
        ...(typeof recorded === 'string' ? { recordedObjects: recorded } : {}),
        ...(task.create_time ? { createdAt: task.create_time } : {}),
      });
    }
    return out;
  }

  /** A task's outputs as the server hydrates them, or, when it does not, from its OUTPUT links. */
  private async outputArtifacts(task: NativeTask): Promise<{ output: string; artifact: ArtifactRecord }[]> {
    const hydrated = (task.outputs?.artifacts ?? []).flatMap((io) =>
      (io.artifacts ?? []).map((a) => ({ output: io.artifact_key ?? '', artifact: this.artifactRecord(a) })),
    );
    if (hydrated.length > 0) return hydrated;
    const links = (await this.api.listArtifactTasks({ taskId: task.task_id! })).filter(
      (l) => l.task_id === task.task_id && (l.type === 'OUTPUT' || l.type === 'ITERATOR_OUTPUT'),
    );
    const records = await this.artifacts(links.map((l) => l.artifact_id));
    return links.flatMap((l) => {
      const r = records.get(l.artifact_id);
      return r ? [{ output: l.key ?? '', artifact: r }] : [];
    });
  }

  async runRecord(runId: string): Promise<RunRecord> {
    const all = await this.api.listTasks(runId);
    if (all.length === 0) return { runId, found: false, tasks: [], rootTasksSeen: [] };
    const byId = new Map(all.map((t) => [t.task_id ?? '', t]));
    const root = all.find((t) => t.type === 'ROOT');
    // The root task of a task: the ancestor whose parent is the run's ROOT task (or has none).
    const rootTaskOf = (t: NativeTask): string | undefined => {
      let cur: NativeTask | undefined = t;
      for (let guard = 0; cur && guard < 64; guard++) {
        const parent: string | undefined = cur.parent_task_id;
        if (!parent || (root && parent === root.task_id)) return cur === root ? undefined : cur.name;
        cur = byId.get(parent);
      }
      return undefined;
    };
    const tasks: TaskRecord[] = [];
    const seen = new Set<string>();
    for (const t of all) {
      if (t !== root && t.name) seen.add(t.name);
      const kind = t.type === 'IMPORTER' ? 'importer' : t.type === 'RUNTIME' ? 'container' : undefined;
      if (!kind) continue;
      const r: TaskRecord = { id: t.task_id ?? '', globalId: this.taskGlobalId(t), kind, outcome: outcomeOf(t.state) };
      const rootTask = rootTaskOf(t);
      if (rootTask) r.rootTask = rootTask;
      if (t.cache_fingerprint) r.fingerprint = t.cache_fingerprint;
      tasks.push(r);
    }
    return { runId, found: true, tasks, rootTasksSeen: [...seen] };
  }

  async artifacts(ids: readonly string[]): Promise<Map<string, ArtifactRecord>> {
    const out = new Map<string, ArtifactRecord>();
    for (const id of new Set(ids)) {
      const a = await this.api.getArtifact(id);
      if (a) out.set(id, this.artifactRecord(a));
    }
    return out;
  }

  /**
   * Records whose origin is this location are read by their id; imported ones are found by the global id in
   * their description, in one listing of the namespace's artifacts (the API filters by nothing else).
   */
  async findArtifacts(globalIds: readonly string[]): Promise<Map<string, ArtifactRecord>> {
    const out = new Map<string, ArtifactRecord>();
    const wanted = new Set(globalIds);
    const here: string[] = [];
    for (const g of wanted) {
      const p = parseAnyGlobalId(g);
      if (p?.origin === this.location && p.kind === 'artifact') here.push(p.localId);
    }
    for (const r of (await this.artifacts(here)).values()) out.set(r.globalId, r);
    const scope = await this.cacheScope();
    // Multi-user without a namespace: the API refuses to list (artifact_server.go:697-699); nothing is found.
    if ([...wanted].some((g) => !out.has(g)) && scope.namespace !== undefined) {
      for (const a of await this.api.listArtifacts(scope.namespace)) {
        if (a.description && wanted.has(a.description) && !out.has(a.description))
          out.set(a.description, this.artifactRecord(a));
      }
    }
    return out;
  }

  /**
   * The namespace an artifact is created in. The API requires one on every artifact
   * (`next:backend/src/apiserver/server/artifact_server.go:815-817`) and then keeps it only in multi-user mode
   * (`ReplaceNamespace`, `resource_manager.go:2614-2620`): the profile's there; in single-user mode any
   * non-empty name, and the file's or KFP's own deployment namespace says least that is untrue.
   */
  private async artifactNamespace(): Promise<string> {
    const scope = await this.cacheScope();
    // Multi-user without kfp.namespace: no namespace the API would accept for the marker run's artifacts.
    if (scope.namespace === undefined)
      throw new BackendWriteError(
        this.location,
        `${scope.unknownNamespace ?? `location ${this.location} has no namespace`}: set kfp.namespace to the profile namespace of its runs`,
      );
    return scope.namespace || this.src.namespace || KFP_NAMESPACE;
  }

  async openTasks(
    markerRunId: string,
    tasks: readonly OpenTask[],
  ): Promise<{ taskIds: Map<string, string>; created: number }> {
    const existing = new Map<string, NativeTask>();
    for (const t of await this.api.listTasks(markerRunId)) existing.set(this.taskGlobalId(t), t);
    const taskIds = new Map<string, string>();
    let created = 0;
    for (const t of tasks) {
      let task = existing.get(t.globalId);
      if (!task) {
        const custom: JsonObject = { ...t.properties, [GLOBAL_ID_KEY]: t.globalId };
        if (t.recordedObjects) custom[OBJECTS_KEY] = t.recordedObjects;
        const name = t.path[t.path.length - 1] ?? t.globalId;
        // RUNNING and without a fingerprint: no lookup finds it until the commit (writeTasks).
        task = await this.api.createTask(markerRunId, {
          name,
          display_name: name,
          type: t.kind === 'importer' ? 'IMPORTER' : 'RUNTIME',
          state: 'RUNNING',
          ...(t.iteration.length > 0
            ? { type_attributes: { iteration_index: String(t.iteration[t.iteration.length - 1]) } }
            : {}),
          outputs: {
            parameters: Object.entries(t.parameters).map(([k, value]) => ({ parameter_key: k, value, type: 'OUTPUT' })),
          },
          status_metadata: {
            message: `imported by split-pipelines (${t.globalId})`,
            custom_properties: custom,
          },
        });
        existing.set(t.globalId, task);
        created++;
      }
      taskIds.set(t.globalId, task.task_id!);
    }
    return { taskIds, created };
  }

  /**
   * Each artifact is created as the output of its task, as KFP's launcher creates one (`CreateArtifact` with the
   * run, the task and the producer key, which also links it: artifact_server.go:41-113), in one bulk request.
   */
  /** The artifact of the namespace the importer would reuse (`native-importer.ts`). */
  async importerArtifact(call: ImporterCall, _pipelineName: string): Promise<ArtifactRecord | undefined> {
    if (call.reimport || !call.artifactUri) return undefined;
    const scope = await this.cacheScope();
    if (scope.namespace === undefined) return undefined;
    const wanted = importerArtifactOf(call);
    const found = (await this.api.listArtifacts(scope.namespace)).find((a) => reusedByImporter(a, wanted));
    return found ? this.artifactRecord(found) : undefined;
  }

  /**
   * The artifact the importer would reuse, created as the output of an IMPORTER task of the marker run (the API
   * creates no artifact without its task) with `reuse_if_exists`, as the importer creates it: an equal one is
   * linked instead of a second one. Its global id cannot be in its description (the importer's is empty and
   * would then not match): it is found again as the importer finds it.
   */
  async createImporterArtifact(markerRunId: string, call: ImporterCall, taskId: string): Promise<ArtifactRecord> {
    const artifact: NativeArtifact = { ...importerArtifactOf(call), namespace: await this.artifactNamespace() };
    const created = await this.api.createArtifact({
      artifact,
      run_id: markerRunId,
      task_id: taskId,
      producer_key: call.outputName,
      reuse_if_exists: true,
    });
    return this.artifactRecord(created);
  }

  async createArtifacts(
    markerRunId: string,
    artifacts: readonly ProducedArtifact[],
  ): Promise<Map<string, ArtifactRecord>> {
    const out = new Map<string, ArtifactRecord>();
    if (artifacts.length === 0) return out;
    const namespace = await this.artifactNamespace();
    type CreateRequest = Parameters<NativeClient['createArtifacts']>[0][number];
    const requests = artifacts.flatMap((a): CreateRequest[] => {
      const link = {
        run_id: markerRunId,
        task_id: a.producer.taskId,
        producer_key: a.producer.output,
        ...(a.producer.iteration !== undefined ? { iteration_index: String(a.producer.iteration) } : {}),
      };
      // `system.Metrics` is one `Metric` artifact per logged value, its number in number_value and no URI
      // (`next:backend/src/v2/component/launcher_v2.go:905-925`), all linked under the output's key. Other keys
      // (ML Metadata's own `display_name`) are no logged value.
      if (TYPE_OF_TITLE[a.type] === 'Metric')
        return Object.entries(a.metadata).flatMap(([key, value]) =>
          typeof value === 'number'
            ? [
                {
                  artifact: {
                    name: key,
                    description: a.globalId,
                    type: 'Metric',
                    number_value: value,
                    metadata: { [key]: value },
                    namespace,
                  },
                  ...link,
                },
              ]
            : [],
        );
      return [{ artifact: this.nativeArtifactOf(a, namespace), ...link }];
    });
    if (requests.length === 0) return out;
    const created = await this.api.createArtifacts(requests);
    for (const c of created) {
      const r = this.artifactRecord(c);
      if (!out.has(r.globalId)) out.set(r.globalId, r);
    }
    return out;
  }

  /** The artifact record of an imported (non-metric) artifact, as the launcher would create it plus its global id. */
  private nativeArtifactOf(a: ProducedArtifact, namespace: string): NativeArtifact {
    const metadata: JsonObject = { ...a.metadata };
    const type = TYPE_OF_TITLE[a.type];
    if (!type) metadata[SCHEMA_TITLE_KEY] = a.type;
    const name = typeof a.metadata['display_name'] === 'string' ? a.metadata['display_name'] : a.uri.split('/').pop();
    return {
      name: name || a.producer.output,
      description: a.globalId,
      type: type ?? 'Artifact',
      uri: a.uri,
      metadata,
      namespace,
    };
  }

  async writeTasks(
    req: ImportRequest,
    artifactIds: ReadonlyMap<string, string>,
    taskIds: ReadonlyMap<string, string>,
  ): Promise<ImportResult> {
    const scope = await this.cacheScope();
    const run = req.markerRunId;
    const result: ImportResult = {
      artifactIds: new Map(artifactIds),
      taskIds: new Map(taskIds),
      artifactsCreated: 0,
      tasksCreated: 0,
      cacheEntriesCreated: 0,
    };
    const current = new Map((await this.api.listTasks(run)).map((t) => [t.task_id ?? '', t]));
    // Links: outputs (what a cache hit reuses; those created with their artifact are there) and inputs.
    const have = new Set(
      (await this.api.listArtifactTasks({ runId: run })).map(
        (l) => `${l.task_id}|${l.artifact_id}|${l.type}|${l.key ?? ''}`,
      ),
    );
    const links: NativeArtifactTask[] = [];
    const add = (l: NativeArtifactTask) => {
      const k = `${l.task_id}|${l.artifact_id}|${l.type}|${l.key ?? ''}`;
      if (!have.has(k)) {
        have.add(k);
        links.push(l);
      }
    };
    const idOf = (gid: string): string => {
      const id = artifactIds.get(gid);
      if (id === undefined)
        throw new BackendWriteError(this.location, `artifact ${gid} has no record at ${this.location}`);
      return id;
    };
    const taskIdOf = (gid: string): string => {
      const id = taskIds.get(gid);
      if (id === undefined)
        throw new BackendWriteError(this.location, `task ${gid} was not opened at ${this.location}`);
      return id;
    };
    const noValueMetrics = new Set(
      req.artifacts
        .filter(
          (a) => TYPE_OF_TITLE[a.type] === 'Metric' && !Object.values(a.metadata).some((v) => typeof v === 'number'),
        )
        .map((a) => a.globalId),
    );
    for (const t of req.tasks) {
      const taskId = taskIdOf(t.globalId);
      const name = t.path[t.path.length - 1] ?? '';
      const iteration = t.iteration.length > 0 ? String(t.iteration[t.iteration.length - 1]) : undefined;
      for (const o of t.outputs) {
        // A metrics output that logged no value has no artifact here (one Metric per value).
        if (!artifactIds.has(o.artifact) && noValueMetrics.has(o.artifact)) continue;
        add({
          artifact_id: idOf(o.artifact),
          run_id: run,
          task_id: taskId,
          type: iteration === undefined ? 'OUTPUT' : 'ITERATOR_OUTPUT',
          producer: { task_name: name, ...(iteration === undefined ? {} : { iteration }) },
          key: o.name,
        });
      }
      // Every link names its producer (`next:backend/src/apiserver/server/artifact_server.go:431-433`), as the
      // driver's input links do (`driver/util.go:416-447`).
      for (const i of t.inputs)
        for (const a of i.artifacts)
          add({
            artifact_id: idOf(a),
            run_id: run,
            task_id: taskId,
            type: i.type ?? 'TASK_OUTPUT_INPUT',
            key: i.name,
            producer: {
              task_name: i.producer?.taskName ?? '',
              ...(i.producer?.iteration !== undefined ? { iteration: String(i.producer.iteration) } : {}),
            },
          });
    }
    if (links.length > 0) await this.api.createArtifactTasks(links);
    // Commit: the fingerprint and SUCCEEDED together make each task the answer for its fingerprint.
    const commit: Record<string, NativeTask> = {};
    for (const t of req.tasks) {
      const taskId = taskIdOf(t.globalId);
      const task = current.get(taskId);
      if (task?.state === 'SUCCEEDED' && (task.cache_fingerprint ?? '') === (t.fingerprint ?? '')) continue;
      commit[taskId] = {
        state: 'SUCCEEDED',
        end_time: new Date().toISOString(),
        ...(t.fingerprint ? { cache_fingerprint: t.fingerprint } : {}),
      };
    }
    if (Object.keys(commit).length > 0) await this.api.updateTasks(run, commit);
    for (const t of req.tasks) {
      if (!t.fingerprint) continue;
      const taskId = taskIdOf(t.globalId);
      if (commit[taskId]) result.cacheEntriesCreated++;
      if (scope.namespace === undefined) continue;
      // A newer SUCCEEDED task with the same fingerprint (a run there meanwhile) is as good an answer.
      const answer = await this.api.findCached(scope.namespace, t.fingerprint);
      if (!answer?.task_id)
        throw new BackendWriteError(
          this.location,
          `no cached task answers fingerprint ${t.fingerprint.slice(0, 12)} at ${this.location} after the import set ` +
            `task ${taskId} SUCCEEDED: check the location's API server, then apply again`,
        );
    }
    return result;
  }
}

export function nativeBackend(src: NativeBackendSource): NativeBackend {
  return new NativeBackend(src);
}
