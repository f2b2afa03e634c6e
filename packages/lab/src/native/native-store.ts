/**
 * The next KFP's native task and artifact records (kubeflow/pipelines 6585b5143d, the API server that runs no
 * ML Metadata): run-scoped tasks, artifacts and artifact–task links, in the location's SQLite file so a
 * restarted lab keeps them. Messages are kept as their proto-JSON (proto names), as the API returns them.
 *
 * A task stores its parameters only: its input and output artifacts are the artifact–task links, and a task
 * is read back "hydrated" with them (`next:backend/src/apiserver/storage/task_store.go:372-385`, the links'
 * artifacts put in `inputs`/`outputs` by IO type, `iOTypeIsOutput` :391-397; grouped by key, type, producer
 * and, for ITERATOR_OUTPUT, iteration, `next:backend/src/apiserver/server/api_converter.go:3111-3190`).
 * Artifacts sent in a task's body are not stored, as there.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../kfp/db.js';
import { nowSeconds } from '../kfp/db.js';
import { internal } from '../kfp/api-error.js';
import { listRows, type Condition, type Listable, type ListRequest, type Page } from '../kfp/listing.js';
import { formatTimestamp, parseTimestamp, type JsonObject, type JsonValue } from '../kfp/proto-json.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS native_tasks (
  task_id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  namespace TEXT NOT NULL DEFAULT '',
  cache_fingerprint TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS native_tasks_cache ON native_tasks (cache_fingerprint, namespace, created_at);
CREATE TABLE IF NOT EXISTS native_artifacts (
  artifact_id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS native_artifact_tasks (
  id TEXT PRIMARY KEY,
  artifact_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS native_artifact_tasks_task ON native_artifact_tasks (task_id);
CREATE INDEX IF NOT EXISTS native_artifact_tasks_artifact ON native_artifact_tasks (artifact_id);
CREATE VIEW IF NOT EXISTS native_tasks_listed AS
  SELECT task_id AS uuid, run_id, namespace, cache_fingerprint, created_at,
    json_extract(body, '$.name') AS name, json_extract(body, '$.display_name') AS display_name,
    json_extract(body, '$.parent_task_id') AS parent_task_id, json_extract(body, '$.scope_path') AS scope_path, body
  FROM native_tasks;
CREATE VIEW IF NOT EXISTS native_artifacts_listed AS
  SELECT artifact_id AS uuid, namespace, created_at, json_extract(body, '$.name') AS name,
    json_extract(body, '$.uri') AS uri, json_extract(body, '$.description') AS description, body
  FROM native_artifacts;
CREATE VIEW IF NOT EXISTS native_artifact_tasks_listed AS
  SELECT id AS uuid, artifact_id, run_id, task_id, json_extract(body, '$.key') AS key,
    json_extract(body, '$.type') AS io_type, body
  FROM native_artifact_tasks;
`;

/**
 * What the list calls filter and sort on (`next:backend/src/apiserver/model/task.go:197-214`, `artifact.go:67-79`,
 * `artifact_task.go:66-74`: API field → column), and their default order: tasks and artifacts by creation second
 * then UUID, links by UUID alone (`DefaultSortField`, task.go:177, artifact.go:47, artifact_task.go:50) — so
 * rows created in one second come back in no particular order, as there. Fields KFP keeps as JSON or enum
 * numbers (state, type, pods, inputs, …) are not filterable here: such a filter is refused, not half-emulated.
 */
const TASK_LISTABLE: Listable = {
  table: 'native_tasks_listed',
  model: 'Task',
  fields: {
    name: 'name',
    display_name: 'display_name',
    task_id: 'uuid',
    run_id: 'run_id',
    cache_fingerprint: 'cache_fingerprint',
    create_time: 'created_at',
    parent_task_id: 'parent_task_id',
    scope_path: 'scope_path',
  },
  defaultSortColumn: 'created_at',
};
const ARTIFACT_LISTABLE: Listable = {
  table: 'native_artifacts_listed',
  model: 'Artifact',
  fields: {
    artifact_id: 'uuid',
    id: 'uuid',
    namespace: 'namespace',
    uri: 'uri',
    name: 'name',
    description: 'description',
    created_at: 'created_at',
  },
  defaultSortColumn: 'created_at',
};
const ARTIFACT_TASK_LISTABLE: Listable = {
  table: 'native_artifact_tasks_listed',
  model: 'ArtifactTask',
  fields: { id: 'uuid', artifact_id: 'artifact_id', task_id: 'task_id', run_id: 'run_id', key: 'key' },
  defaultSortColumn: 'uuid',
};

interface ListedRow {
  uuid: string;
  body: string;
}
/** One page of a list call: the rows' messages, the total and the next page's token. */
export interface NativePage {
  items: JsonObject[];
  totalSize: number;
  nextPageToken: string;
}
function pageOf(p: Page<ListedRow>, read: (row: JsonObject) => JsonObject): NativePage {
  return {
    items: p.rows.map((r) => read(JSON.parse(r.body) as JsonObject)),
    totalSize: p.totalSize,
    nextPageToken: p.nextPageToken,
  };
}

interface BodyRow {
  body: string;
}

/** IOType values in enum order (`next:backend/api/v2beta1/artifact.proto:271-311`), for the hydration's sort. */
const IO_TYPES = [
  'UNSPECIFIED',
  'COMPONENT_DEFAULT_INPUT',
  'TASK_OUTPUT_INPUT',
  'COMPONENT_INPUT',
  'RUNTIME_VALUE_INPUT',
  'COLLECTED_INPUTS',
  'ITERATOR_INPUT',
  'ITERATOR_INPUT_RAW',
  'ITERATOR_OUTPUT',
  'OUTPUT',
  'ONE_OF_OUTPUT',
  'TASK_FINAL_STATUS_OUTPUT',
];
const OUTPUT_TYPES = new Set(['OUTPUT', 'ITERATOR_OUTPUT', 'ONE_OF_OUTPUT', 'TASK_FINAL_STATUS_OUTPUT']);
export const isOutputLink = (type: unknown): boolean => OUTPUT_TYPES.has(str(type));

function withoutArtifacts(io: unknown): JsonObject | undefined {
  if (io === null || typeof io !== 'object' || Array.isArray(io)) return undefined;
  const { artifacts: _artifacts, ...rest } = io as JsonObject;
  return rest;
}

/** The task as stored: its inputs and outputs without artifacts (those are links). */
function storedBody(task: JsonObject): JsonObject {
  const out: JsonObject = { ...task };
  for (const k of ['inputs', 'outputs'] as const) {
    const io = withoutArtifacts(task[k]);
    if (io) out[k] = io;
  }
  return out;
}

const stores = new WeakMap<Db, NativeStore>();
/** The one native store of a location's database (shared by the API routes and the native executor). */
export function nativeStoreOf(db: Db): NativeStore {
  let s = stores.get(db);
  if (!s) {
    s = new NativeStore(db);
    stores.set(db, s);
  }
  return s;
}

export class NativeStore {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  /** Runs `f` in one transaction: KFP's bulk creates are all-or-nothing (artifact_store.go:212-252). */
  transaction<T>(f: () => T): T {
    return this.db.transaction(f)();
  }

  /**
   * `TaskStore.CreateTask` (next:backend/src/apiserver/storage/task_store.go:538-674). A task with the logical
   * identity of one already in the run (run, parent, scope path, name, type and iteration index, `taskLogicalKey`
   * :460-488, only when run, scope path, name and type are all set) is that task, returned as stored, not
   * hydrated (:539-545). Else a new row: its creation time the request's `create_time` when set (:569-577), its
   * state appended to `state_history` (:580-594), only the parameters of its inputs and outputs kept
   * (`toModelTask`, api_converter.go:2916-3012: never `child_tasks` or artifacts).
   */
  createTask(runId: string, namespace: string, task: JsonObject): JsonObject {
    const key = logicalKey({ ...task, run_id: runId });
    if (key !== undefined) {
      const existing = this.listTasks(runId, { hydrate: false }).find((t) => logicalKey(t) === key);
      if (existing) return existing;
    }
    const requested = typeof task.create_time === 'string' ? parseTimestamp(task.create_time) : 0;
    const created = requested > 0 ? requested : nowSeconds();
    const { child_tasks: _children, ...rest } = task;
    const stored: JsonObject = storedBody({
      ...rest,
      task_id: randomUUID(),
      run_id: runId,
      create_time: formatTimestamp(created),
    });
    const history = historyWith(stored.state_history, stored.state);
    if (history) stored.state_history = history;
    this.db
      .prepare(
        'INSERT INTO native_tasks (task_id, run_id, namespace, cache_fingerprint, state, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        stored.task_id,
        runId,
        namespace,
        typeof stored.cache_fingerprint === 'string' ? stored.cache_fingerprint : '',
        typeof stored.state === 'string' ? stored.state : '',
        created,
        JSON.stringify(stored),
      );
    return stored;
  }

  private rawTask(taskId: string): JsonObject | undefined {
    const row = this.db.prepare('SELECT body FROM native_tasks WHERE task_id = ?').get(taskId) as BodyRow | undefined;
    return row ? (JSON.parse(row.body) as JsonObject) : undefined;
  }

  getTask(taskId: string): JsonObject | undefined {
    const t = this.rawTask(taskId);
    return t ? this.hydrate(t) : undefined;
  }

  /** The task with its artifacts from its links, inputs and outputs apart. */
  hydrate(task: JsonObject): JsonObject {
    const links = this.listArtifactTasks({ taskIds: [str(task.task_id)], runIds: [], artifactIds: [] });
    if (links.length === 0) return task;
    const out: JsonObject = { ...task };
    for (const [field, output] of [
      ['inputs', false],
      ['outputs', true],
    ] as const) {
      const mine = links.filter((l) => isOutputLink(l.type) === output);
      if (mine.length === 0) continue;
      const groups = new Map<string, { link: JsonObject; artifacts: JsonObject[] }>();
      for (const l of mine) {
        const producer = (l.producer ?? {}) as JsonObject;
        const iteration =
          l.type === 'ITERATOR_OUTPUT' && producer.iteration !== undefined
            ? JSON.stringify(producer.iteration).replace(/"/g, '')
            : '';
        const key = JSON.stringify([str(l.key), IO_TYPES.indexOf(str(l.type)), str(producer.task_name), iteration]);
        const g = groups.get(key) ?? { link: l, artifacts: [] };
        const a = this.getArtifact(str(l.artifact_id));
        if (a) g.artifacts.push(a);
        groups.set(key, g);
      }
      // Within a group the rows come ordered by artifact id (task_store.go:271-277), not by when they were linked.
      for (const g of groups.values()) g.artifacts.sort((x, y) => (str(x.artifact_id) < str(y.artifact_id) ? -1 : 1));
      const sorted = [...groups.entries()].sort(([a], [b]) => compareGroup(a, b)).map(([, g]) => g);
      const io = { ...((task[field] ?? {}) as JsonObject) };
      io.artifacts = sorted.map(({ link, artifacts }) => ({
        artifacts,
        type: link.type ?? 'UNSPECIFIED',
        artifact_key: str(link.key),
        ...(link.producer ? { producer: link.producer } : {}),
      }));
      out[field] = io;
    }
    return out;
  }

  /**
   * `TaskStore.UpdateTask` (next:backend/src/apiserver/storage/task_store.go:1018-1210): only what the update
   * carries changes — strings when non-empty, `state` and `type` when not UNSPECIFIED (a new state appended to
   * `state_history`), `end_time` when set, `status_metadata`, `pods` and `type_attributes` replaced when given,
   * `parent_task_id` set (or cleared with ""), input and output parameters MERGED into the stored ones by type,
   * key and producer (`mergeParameters`, :1309-1369). `scope_path`, `create_time` and a sent `state_history`
   * are never updated.
   */
  updateTask(taskId: string, patch: JsonObject): JsonObject | undefined {
    const current = this.rawTask(taskId);
    if (!current) return undefined;
    const next: JsonObject = { ...current };
    for (const k of ['name', 'display_name', 'cache_fingerprint'] as const)
      if (typeof patch[k] === 'string' && patch[k] !== '') next[k] = patch[k];
    if (typeof patch.parent_task_id === 'string') {
      if (patch.parent_task_id === '') delete next.parent_task_id;
      else next.parent_task_id = patch.parent_task_id;
    }
    if (typeof patch.state === 'string' && patch.state !== 'RUNTIME_STATE_UNSPECIFIED') {
      next.state = patch.state;
      const history = historyWith(current.state_history, patch.state);
      if (history) next.state_history = history;
    }
    if (typeof patch.type === 'string' && patch.type !== 'TASK_TYPE_UNSPECIFIED') next.type = patch.type;
    if (typeof patch.end_time === 'string') next.end_time = patch.end_time;
    if (isObject(patch.status_metadata)) next.status_metadata = patch.status_metadata;
    if (Array.isArray(patch.pods) && patch.pods.length > 0) next.pods = patch.pods;
    if (isObject(patch.type_attributes)) next.type_attributes = patch.type_attributes;
    for (const io of ['inputs', 'outputs'] as const) {
      const sent = isObject(patch[io]) ? patch[io].parameters : undefined;
      if (!Array.isArray(sent) || sent.length === 0) continue;
      const had = isObject(current[io]) && Array.isArray(current[io].parameters) ? current[io].parameters : [];
      next[io] = { ...(isObject(current[io]) ? current[io] : {}), parameters: mergeParameters(had, sent) };
    }
    this.db
      .prepare('UPDATE native_tasks SET cache_fingerprint = ?, state = ?, body = ? WHERE task_id = ?')
      .run(
        typeof next.cache_fingerprint === 'string' ? next.cache_fingerprint : '',
        typeof next.state === 'string' ? next.state : '',
        JSON.stringify(next),
        taskId,
      );
    return this.hydrate(next);
  }

  /** The run's tasks in KFP's order (creation second, then task id), hydrated unless `hydrate: false`. */
  listTasks(runId: string, options: { hydrate?: boolean } = {}): JsonObject[] {
    const rows = this.db
      .prepare('SELECT body FROM native_tasks WHERE run_id = ? ORDER BY created_at, task_id')
      .all(runId) as BodyRow[];
    const tasks = rows.map((r) => JSON.parse(r.body) as JsonObject);
    return options.hydrate === false ? tasks : tasks.map((t) => this.hydrate(t));
  }

  /** `ListTasks` (task_store.go:676-782, :784-864 under a parent): one page of the run's tasks, hydrated. */
  pageTasks(runId: string, req: ListRequest, parentId?: string): NativePage {
    const extra: Condition[] = [{ sql: 'run_id = ?', params: [runId] }];
    if (parentId !== undefined) extra.push({ sql: 'parent_task_id = ?', params: [parentId] });
    return pageOf(listRows<ListedRow>(this.db, TASK_LISTABLE, req, 'v2beta1', extra), (t) => this.hydrate(t));
  }

  /** A task's children (`GetChildTasks`, task_store.go:1386-1405): the run's tasks whose parent it is. */
  childTasks(taskId: string, runId: string): JsonObject[] {
    return this.listTasks(runId, { hydrate: false })
      .filter((t) => t.parent_task_id === taskId)
      .map((t) => ({ task_id: str(t.task_id), ...(str(t.name) ? { name: str(t.name) } : {}) }));
  }

  /**
   * SUCCEEDED tasks with the fingerprint, newest first (CACHED tasks are never hits): in the namespace, or in
   * any when it is '' (single-user mode; `FindLatestCachedTask`, task_store.go:895-932).
   */
  cachedCandidates(namespace: string, fingerprint: string): JsonObject[] {
    const rows = this.db
      .prepare(
        "SELECT body FROM native_tasks WHERE cache_fingerprint = ? AND (? = '' OR namespace = ?) AND state = 'SUCCEEDED' " +
          'ORDER BY created_at DESC, task_id DESC',
      )
      .all(fingerprint, namespace, namespace) as BodyRow[];
    return rows.map((r) => this.hydrate(JSON.parse(r.body) as JsonObject));
  }

  createArtifact(namespace: string, artifact: JsonObject): JsonObject {
    const created = nowSeconds();
    const stored: JsonObject = { ...artifact, artifact_id: randomUUID(), created_at: formatTimestamp(created) };
    if (namespace) stored.namespace = namespace;
    this.db
      .prepare('INSERT INTO native_artifacts (artifact_id, namespace, created_at, body) VALUES (?, ?, ?, ?)')
      .run(stored.artifact_id, namespace, created, JSON.stringify(stored));
    return stored;
  }

  /**
   * `CreateArtifact` with a task: the artifact, linked to the task as its OUTPUT under `producer_key`
   * (`next:backend/src/apiserver/server/artifact_server.go:41`), ITERATOR_OUTPUT with the iteration when
   * the request names one.
   */
  createTaskArtifact(
    namespace: string,
    artifact: JsonObject,
    link: { runId: string; taskId: string; producerKey: string; iterationIndex?: number },
  ): JsonObject {
    const created = this.createArtifact(namespace, artifact);
    this.linkOutput(str(created.artifact_id), link);
    return created;
  }

  /** The OUTPUT (ITERATOR_OUTPUT for an iteration) link of an artifact to the task that created it. */
  private linkOutput(
    artifactId: string,
    link: { runId: string; taskId: string; producerKey: string; iterationIndex?: number },
  ): void {
    const task = this.rawTask(link.taskId);
    const iterated = link.iterationIndex !== undefined;
    const type = iterated ? 'ITERATOR_OUTPUT' : 'OUTPUT';
    // A duplicate delivery of the same link is a success (artifact_store.go:306-330, linkExistingArtifact).
    const same = this.listArtifactTasks({ taskIds: [link.taskId], runIds: [], artifactIds: [artifactId] }).some(
      (l) => l.type === type && l.key === link.producerKey,
    );
    if (same) return;
    this.createArtifactTask({
      artifact_id: artifactId,
      run_id: link.runId,
      task_id: link.taskId,
      type,
      producer: {
        task_name: task ? str(task.name) : '',
        ...(iterated ? { iteration: String(link.iterationIndex) } : {}),
      },
      key: link.producerKey,
    });
  }

  /**
   * `FindOrCreateArtifactWithTask` (next:backend/src/apiserver/storage/artifact_store.go:254-304): an artifact of
   * the namespace with the same type, URI, name, description and metadata (`computeArtifactIdentityKey`,
   * :400-427; `modelArtifactsEqualForReuse`, :445-475) is linked to the task instead of a new one.
   */
  findOrCreateTaskArtifact(
    namespace: string,
    artifact: JsonObject,
    link: { runId: string; taskId: string; producerKey: string; iterationIndex?: number },
  ): JsonObject {
    const key = reuseIdentity(artifact);
    const existing = this.listArtifacts(namespace).find((a) => reuseIdentity(a) === key);
    if (!existing) return this.createTaskArtifact(namespace, artifact, link);
    this.linkOutput(str(existing.artifact_id), link);
    return existing;
  }

  getArtifact(id: string): JsonObject | undefined {
    const row = this.db.prepare('SELECT body FROM native_artifacts WHERE artifact_id = ?').get(id) as
      BodyRow | undefined;
    return row ? (JSON.parse(row.body) as JsonObject) : undefined;
  }

  listArtifacts(namespace: string): JsonObject[] {
    const rows = this.db
      .prepare('SELECT body FROM native_artifacts WHERE namespace = ? ORDER BY created_at, artifact_id')
      .all(namespace) as BodyRow[];
    return rows.map((r) => JSON.parse(r.body) as JsonObject);
  }

  /**
   * `ListArtifacts` (artifact_store.go:571-666): one page, of the namespace's artifacts, or of all when it is ''
   * (`validateFilterV2Beta1Artifact` adds no namespace filter then, list_request_util.go:237-246).
   */
  pageArtifacts(namespace: string, req: ListRequest): NativePage {
    const extra: Condition[] = namespace ? [{ sql: 'namespace = ?', params: [namespace] }] : [];
    return pageOf(listRows<ListedRow>(this.db, ARTIFACT_LISTABLE, req, 'v2beta1', extra), (a) => a);
  }

  /**
   * Stores a link. Two links of one artifact, task, IO type, iteration and key are refused as the MySQL unique
   * index `UniqueLink` refuses them (next:backend/src/apiserver/model/artifact_task.go:28-33): INTERNAL.
   */
  createArtifactTask(link: JsonObject): JsonObject {
    const taken = this.listArtifactTasks({
      taskIds: [str(link.task_id)],
      runIds: [],
      artifactIds: [str(link.artifact_id)],
    }).some((l) => l.type === link.type && str(l.key) === str(link.key) && iterationOf(l) === iterationOf(link));
    if (taken)
      throw internal(
        `Failed to add artifact-task to artifact_tasks table: Error 1062 (23000): Duplicate entry for key 'artifact_tasks.UniqueLink'`,
      );
    const stored: JsonObject = { ...link, id: randomUUID() };
    this.db
      .prepare('INSERT INTO native_artifact_tasks (id, artifact_id, run_id, task_id, body) VALUES (?, ?, ?, ?, ?)')
      .run(stored.id, str(link.artifact_id), str(link.run_id), str(link.task_id), JSON.stringify(stored));
    return stored;
  }

  /** Links filtered by any of the task, run and artifact ids given (each list empty = no filter), and the IO type. */
  listArtifactTasks(filter: {
    taskIds: string[];
    runIds: string[];
    artifactIds: string[];
    type?: string;
  }): JsonObject[] {
    const where: string[] = [];
    const args: string[] = [];
    for (const [column, ids] of [
      ['task_id', filter.taskIds],
      ['run_id', filter.runIds],
      ['artifact_id', filter.artifactIds],
    ] as const) {
      if (ids.length === 0) continue;
      where.push(`${column} IN (${ids.map(() => '?').join(', ')})`);
      args.push(...ids);
    }
    const sql = `SELECT body FROM native_artifact_tasks${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    const rows = this.db.prepare(sql).all(...args) as BodyRow[];
    return rows
      .map((r) => JSON.parse(r.body) as JsonObject)
      .filter((l) => filter.type === undefined || l.type === filter.type);
  }

  /**
   * `ListArtifactTasks` (artifact_task_store.go:292-379): one page of the links matching every kind of id given
   * (any of the ids of one kind) and the IO type, in UUID order.
   */
  pageArtifactTasks(
    filter: { taskIds: string[]; runIds: string[]; artifactIds: string[]; type?: string },
    req: ListRequest,
  ): NativePage {
    const extra: Condition[] = [];
    for (const [column, ids] of [
      ['task_id', filter.taskIds],
      ['run_id', filter.runIds],
      ['artifact_id', filter.artifactIds],
    ] as const)
      if (ids.length > 0) extra.push({ sql: `${column} IN (${ids.map(() => '?').join(', ')})`, params: ids });
    if (filter.type !== undefined) extra.push({ sql: 'io_type = ?', params: [filter.type] });
    return pageOf(listRows<ListedRow>(this.db, ARTIFACT_TASK_LISTABLE, req, 'v2beta1', extra), (l) => l);
  }
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `taskLogicalKey` (task_store.go:460-488): undefined when the run, scope path, name or type is missing. */
function logicalKey(t: JsonObject): string | undefined {
  const type = str(t.type);
  if (!str(t.run_id) || !str(t.scope_path) || !str(t.name) || !type || type === 'TASK_TYPE_UNSPECIFIED')
    return undefined;
  const attrs = isObject(t.type_attributes) ? t.type_attributes : {};
  const iteration = int64Text(attrs.iteration_index);
  return JSON.stringify([str(t.run_id), str(t.parent_task_id), str(t.scope_path), str(t.name), type, iteration]);
}

/** The state history with `state` appended when it is not its last entry (task_store.go:580-594, :1063-1085). */
function historyWith(history: JsonValue | undefined, state: JsonValue | undefined): JsonValue[] | undefined {
  if (typeof state !== 'string' || state === '' || state === 'RUNTIME_STATE_UNSPECIFIED') return undefined;
  const had = Array.isArray(history) ? history : [];
  const last = had[had.length - 1];
  if (isObject(last) && last.state === state) return undefined;
  return [...had, { update_time: formatTimestamp(nowSeconds()), state }];
}

const HASHED_PARAMETER_TYPES = new Set(['COLLECTED_INPUTS', 'ITERATOR_INPUT', 'ITERATOR_INPUT_RAW', 'ITERATOR_OUTPUT']);

/**
 * `mergeParameters` (task_store.go:1309-1384): a parameter replaces the stored one of the same type, key and
 * producer (task name, iteration); collected and iterator values without an iteration also keep their value in
 * the key, so they add up. KFP returns the merged set in Go map order (unspecified); here the stored order,
 * new ones last.
 */
function mergeParameters(had: JsonValue[], sent: JsonValue[]): JsonValue[] {
  const keyOf = (p: JsonValue): string => {
    const o = isObject(p) ? p : {};
    const type = str(o.type) || 'UNSPECIFIED';
    let key = `${type}-${str(o.parameter_key)}`;
    const producer = isObject(o.producer) ? o.producer : undefined;
    if (producer) {
      key += `-${str(producer.task_name)}`;
      if (int64Text(producer.iteration) !== '') key += `-${int64Text(producer.iteration)}`;
    }
    if (HASHED_PARAMETER_TYPES.has(type) && int64Text(producer?.iteration) === '')
      key += `-${JSON.stringify(o.value ?? null)}`;
    return key;
  };
  const merged = new Map<string, JsonValue>();
  for (const p of had) merged.set(keyOf(p), p);
  for (const p of sent) merged.set(keyOf(p), p);
  return [...merged.values()];
}

/** A link's iteration as the `Iteration` column keeps it: the producer's, else -1 (artifact_task.go:107-128). */
function iterationOf(l: JsonObject): string {
  const producer = isObject(l.producer) ? l.producer : {};
  return int64Text(producer.iteration) || '-1';
}

/** An int64 as protojson carries it (a string or a number); '' when unset. */
function int64Text(v: JsonValue | undefined): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function compareGroup(a: string, b: string): number {
  const [ka, ta, pa, ia] = JSON.parse(a) as [string, number, string, string];
  const [kb, tb, pb, ib] = JSON.parse(b) as [string, number, string, string];
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (ta !== tb) return ta - tb;
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (ia !== ib) return ia === '' ? -1 : ib === '' ? 1 : Number(ia) - Number(ib);
  return 0;
}

/** JSON with object keys sorted at every level (Go's encoding/json of a map, canonicalArtifactMetadataBytes). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** What makes two artifacts the same for importer reuse: type, URI, name, description, metadata. */
function reuseIdentity(a: JsonObject): string {
  return JSON.stringify([str(a.type), str(a.uri), str(a.name), str(a.description), canonicalJson(a.metadata ?? {})]);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
