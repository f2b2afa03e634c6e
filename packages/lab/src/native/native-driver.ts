/**
 * The next KFP's drivers and launcher at a lab location (kubeflow/pipelines 6585b5143d, written `next:` below):
 * the walk's visitor (order, conditions, loops and failures are `src/pipeline/driver`) recording what KFP's
 * root, DAG and container drivers and its launcher record in the API server's native task and artifact API.
 *
 * - Root driver: a `ROOT` task, RUNNING (next:backend/src/v2/driver/root_dag.go:55-71).
 * - DAG driver: a `DAG` (or `LOOP`) task, RUNNING, under its parent (next:backend/src/v2/driver/dag.go:70-85,
 *   type :412-421); settled SUCCEEDED/FAILED when its tasks are done, its outputs propagated up
 *   (next:backend/src/v2/component/launcher_v2.go:1154-1190, propagateOutputsUpDAG).
 * - Container driver (next:backend/src/v2/driver/container.go): the task `RUNTIME`, RUNNING, with a DRIVER pod
 *   (:83-98); inputs resolved through the artifact–task links of the producing task (or of the parent for a
 *   component input); output provisioning before the fingerprint (:246-265); with caching on, the fingerprint
 *   (`nextFingerprint`, src/pipeline/fingerprint/next-cache-key.ts) and `findCached` (driver/cache.go:105-123);
 *   on a hit a `CACHED` task with the cached task's outputs cloned and re-stamped (:350-385, :579-610), INPUT
 *   links (util.go:420-451) and one OUTPUT link per cached artifact to the same artifact id (:393-414), no
 *   launcher; on a miss the task (with `cache_fingerprint`) and its input links (:440-473), then the launcher.
 * - Launcher (next:backend/src/v2/component/launcher_v2.go): an EXECUTOR pod on the task (:219-223), the user
 *   code (executor/step-code.ts, shared with the 2.14–2.17 executor), every output uploaded then created as an
 *   artifact linked to the task (`CreateArtifact` with task_id and producer_key, :881-992; a declared output
 *   whose file is missing fails the task, :953-959; `system.Metrics` become one `Metric` artifact per value,
 *   :905-925), output parameters on the task (:437-457), then SUCCEEDED (:289) or FAILED with the error in
 *   `status_metadata.message` (:293-300).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { PipelineRoot } from '../../../../src/location/objectstore/index.js';
import {
  NotEmulatedError,
  type ArtifactRef,
  type DagCall,
  type DagExit,
  type DriverVisitor,
  type ExecutableCall,
  type ResolvedInputs,
  type SkippedCall,
  type TaskOutputs,
  type VisitResult,
} from '../../../../src/pipeline/driver/index.js';
import { nextFingerprint, NEXT_KFP_RELEASE, publishesLogs } from '../../../../src/pipeline/fingerprint/index.js';
import type { PipelineGraph, TaskNode } from '../../../../src/pipeline/graph.js';
import type { JsonObject, JsonValue } from '../../../../src/pipeline/ir.js';
import { METRICS_ARTIFACT_TYPES } from '../../../../src/pipeline/metrics-types.js';
import { LauncherError } from '../executor/artifact-io.js';
import { EXECUTOR_LOGS } from '../executor/behaviour.js';
import { ensureNotStopped, RunStopped } from '../executor/context.js';
import { provisionOutputs, type ProvisionedOutput } from '../executor/outputs.js';
import { runStepCode, uploadStepOutput, type StepEnv } from '../executor/step-code.js';
import type { StoredRun } from '../kfp/index.js';
import { formatTimestamp } from '../kfp/proto-json.js';
import { nowSeconds } from '../kfp/db.js';
import { isOutputLink, type NativeStore } from './native-store.js';

/** One run at a native location, as its drivers and launchers see it. */
export interface NativeRunEnv extends StepEnv {
  loc: StepEnv['loc'] & { cacheEnabled: boolean };
  /** The API server's native records. */
  store: NativeStore;
  run: StoredRun;
  graph: PipelineGraph;
  root: PipelineRoot;
  /** `<pipeline_root>/<pipeline>/<run id>`. */
  runRoot: string;
  /** The lookup's and the artifacts' namespace: the run's ('' in single-user mode). */
  namespace: string;
  jobResourceName: string;
  signal: AbortSignal;
}

/** A DAG as the walk carries it: its task, and for one iteration of a loop its index (no task of its own). */
export interface NativeFrame {
  taskId: string;
  name: string;
  iterationIndex?: number;
  /** An iteration of a loop: tasks inside have the LOOP task as parent and `iteration_index`. */
  iteration?: boolean;
}

const FINAL = new Set(['SUCCEEDED', 'CACHED', 'SKIPPED', 'FAILED']);
const now = (): string => formatTimestamp(nowSeconds());
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? (v as JsonObject[]) : []);

/** `artifactTypeSchemaToArtifactTypeMap` (next:backend/src/v2/component/util.go:113-122). */
const ARTIFACT_TYPES: Record<string, string> = {
  'system.Artifact': 'Artifact',
  'system.Dataset': 'Dataset',
  'system.Model': 'Model',
  'system.Metrics': 'Metric',
  'system.ClassificationMetrics': 'ClassificationMetric',
  'system.SlicedClassificationMetrics': 'SlicedClassificationMetric',
  'system.HTML': 'HTML',
  'system.Markdown': 'Markdown',
};
const SCHEMA_TITLE_KEY = '_kfp_schema_title';

/** `inferArtifactType` + `preserveArtifactSchemaTitle` (next:backend/src/v2/component/importer_launcher.go:410-431). */
function artifactType(schemaTitle: string, metadata: JsonObject): { type: string; metadata: JsonObject } {
  const type = ARTIFACT_TYPES[schemaTitle];
  if (type) return { type, metadata };
  return { type: 'Artifact', metadata: { ...metadata, [SCHEMA_TITLE_KEY]: schemaTitle } };
}

/** A native artifact as the driver hands it on (`convertArtifactToRuntimeArtifact`, container.go:750-770). */
export function toRuntimeRef(a: JsonObject): ArtifactRef {
  const { [SCHEMA_TITLE_KEY]: custom, ...metadata } = obj(a.metadata);
  const title =
    typeof custom === 'string'
      ? custom
      : (Object.entries(ARTIFACT_TYPES).find(([, t]) => t === a.type)?.[0] ?? 'system.Artifact');
  return { id: str(a.artifact_id), uri: str(a.uri), schemaTitle: title, metadata };
}

function podName(env: NativeRunEnv, kind: 'system-container-driver' | 'system-container-impl' | 'system-dag-driver') {
  return `${env.jobResourceName}-${kind}-${randomInt(1_000_000_000, 9_999_999_999)}`;
}

const scopePath = (path: readonly string[]): string => ['root', ...path].join('.');

/**
 * `inferArtifactName` (next:backend/src/v2/component/importer_launcher.go:457-475): Go's `path.Base` of the URL's
 * path (or of the URI without a trailing slash when it has no scheme): the last segment, `.` for nothing.
 */
export function importedArtifactName(uri: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(uri);
  let p = uri;
  if (scheme) {
    const rest = uri.slice(scheme[0].length);
    p = rest.startsWith('//') ? rest.slice(2).replace(/^[^/?#]*/, '') : rest;
    p = p.replace(/[?#].*$/, '');
  }
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return p.startsWith('/') ? '/' : '.';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** How an input reached the task (IOType), from its IR spec. */
function parameterInputType(node: TaskNode, name: string): { type: string; producer?: JsonObject } {
  const spec = node.task.inputs?.parameters?.[name];
  if (spec?.taskOutputParameter)
    return { type: 'TASK_OUTPUT_INPUT', producer: { task_name: spec.taskOutputParameter.producerTask } };
  if (spec?.componentInputParameter !== undefined) return { type: 'COMPONENT_INPUT' };
  if (spec?.runtimeValue) return { type: 'RUNTIME_VALUE_INPUT' };
  if (node.task.parameterIterator?.itemInput === name) return { type: 'ITERATOR_INPUT' };
  return { type: 'COMPONENT_DEFAULT_INPUT' };
}

function ioParameters(node: TaskNode | undefined, values: Record<string, JsonValue>): JsonObject[] {
  return Object.entries(values).map(([key, value]) => {
    const how = node ? parameterInputType(node, key) : { type: 'RUNTIME_VALUE_INPUT' };
    return { parameter_key: key, value, type: how.type, ...(how.producer ? { producer: how.producer } : {}) };
  });
}

/** Output parameters as the launcher records them: OUTPUT, or ITERATOR_OUTPUT with the iteration in a loop. */
function outputParameters(name: string, values: JsonObject, iteration?: number): JsonObject[] {
  return Object.entries(values).map(([key, value]) => ({
    parameter_key: key,
    value,
    type: iteration === undefined ? 'OUTPUT' : 'ITERATOR_OUTPUT',
    producer: { task_name: name, ...(iteration === undefined ? {} : { iteration: String(iteration) }) },
  }));
}

/** `cloneCachedOutputsForTask` (next:backend/src/v2/driver/container.go:579-610). */
function cloneCachedOutputs(outputs: unknown, taskName: string, iteration?: number): JsonObject {
  const o = obj(outputs);
  const restamp = (io: JsonObject): JsonObject => ({
    ...io,
    type: iteration === undefined ? 'OUTPUT' : 'ITERATOR_OUTPUT',
    producer: { task_name: taskName, ...(iteration === undefined ? {} : { iteration: String(iteration) }) },
  });
  return {
    ...(o.parameters ? { parameters: list(o.parameters).map(restamp) } : {}),
    ...(o.artifacts ? { artifacts: list(o.artifacts).map(restamp) } : {}),
  };
}

/** The walk's outputs of a finished task read back from its native record (parameters, linked artifacts). */
function outputsOf(task: JsonObject): TaskOutputs {
  const o = obj(task.outputs);
  const result: TaskOutputs = { parameters: {}, artifacts: {} };
  for (const p of list(o.parameters)) result.parameters[str(p.parameter_key)] = p.value ?? null;
  for (const a of list(o.artifacts)) {
    const key = str(a.artifact_key);
    if (key === EXECUTOR_LOGS) continue;
    result.artifacts[key] = [...(result.artifacts[key] ?? []), ...list(a.artifacts).map(toRuntimeRef)];
  }
  return result;
}

export class NativeVisitor implements DriverVisitor<NativeFrame> {
  constructor(private readonly env: NativeRunEnv) {}

  private get runId(): string {
    return this.env.run.runId;
  }

  /**
   * `CreateTask`; a task of the same name, parent and iteration already in the run (a run resumed after a lab
   * restart) is returned as it is, as KFP's CreateTask returns the existing row on a retried driver
   * (next:backend/src/v2/driver/container.go:155-156).
   */
  private createTask(task: JsonObject): { task: JsonObject; existed: boolean } {
    const iteration = obj(task.type_attributes).iteration_index;
    const existing = this.env.store
      .listTasks(this.runId, { hydrate: false })
      .find(
        (t) =>
          t.name === task.name &&
          str(t.parent_task_id) === str(task.parent_task_id) &&
          str(obj(t.type_attributes).iteration_index) === str(iteration),
      );
    if (existing) return { task: this.env.store.getTask(str(existing.task_id)) ?? existing, existed: true };
    return { task: this.env.store.createTask(this.runId, this.env.namespace, task), existed: false };
  }

  private update(taskId: string, patch: JsonObject): JsonObject {
    return this.env.store.updateTask(taskId, patch) ?? {};
  }

  /** One link, unless the same one is there already (a resumed run). */
  private link(l: JsonObject): void {
    const same = this.env.store
      .listArtifactTasks({ taskIds: [str(l.task_id)], runIds: [], artifactIds: [str(l.artifact_id)] })
      .some((x) => x.type === l.type && x.key === l.key);
    if (!same) this.env.store.createArtifactTask({ ...l, run_id: this.runId });
  }

  /** A task of the run by name under a parent (and iteration): where an input's producer is looked up. */
  private sibling(parent: NativeFrame, name: string): JsonObject | undefined {
    return this.env.store
      .listTasks(this.runId, { hydrate: false })
      .find(
        (t) =>
          t.name === name &&
          str(t.parent_task_id) === parent.taskId &&
          (parent.iterationIndex === undefined ||
            str(obj(t.type_attributes).iteration_index) === String(parent.iterationIndex)),
      );
  }

  /**
   * Input artifacts resolved through the artifact–task links, as the next driver's resolver reads them from
   * the API server: a producing task's OUTPUT links of the output key, or the parent DAG's INPUT links of the
   * input name. Inputs the IR feeds otherwise (iterator items, collected loop outputs) keep the walk's ids,
   * each checked to be an artifact of the location. An input that cannot be resolved fails the task.
   */
  private resolveArtifacts(node: TaskNode, parent: NativeFrame, walk: ResolvedInputs): Record<string, ArtifactRef[]> {
    const out: Record<string, ArtifactRef[]> = {};
    for (const [name, refs] of Object.entries(walk.artifacts)) {
      const spec = node.task.inputs?.artifacts?.[name];
      let ids: string[] | undefined;
      if (spec?.taskOutputArtifact) {
        const { producerTask, outputArtifactKey } = spec.taskOutputArtifact;
        const producer = this.sibling(parent, producerTask);
        if (!producer)
          throw new LauncherError(
            `failed to resolve input artifact "${name}": producer task ${producerTask} not found`,
          );
        ids = this.env.store
          .listArtifactTasks({ taskIds: [str(producer.task_id)], runIds: [this.runId], artifactIds: [] })
          .filter((l) => isOutputLink(l.type) && l.key === outputArtifactKey)
          .map((l) => str(l.artifact_id));
      } else if (spec?.componentInputArtifact !== undefined) {
        ids = this.env.store
          .listArtifactTasks({ taskIds: [parent.taskId], runIds: [this.runId], artifactIds: [] })
          .filter((l) => !isOutputLink(l.type) && l.key === spec.componentInputArtifact)
          .map((l) => str(l.artifact_id));
      } else ids = refs.map((r) => r.id);
      if (ids.length === 0 && refs.length > 0)
        throw new LauncherError(`failed to resolve input artifact "${name}": no artifact linked to its producer`);
      out[name] = ids.map((id) => {
        const a = this.env.store.getArtifact(id);
        if (!a) throw new LauncherError(`failed to resolve input artifact "${name}": artifact ${id} not found`);
        return toRuntimeRef(a);
      });
    }
    return out;
  }

  /** `handleInputTaskArtifactsCreation` (next:backend/src/v2/driver/util.go:420-451): one INPUT link per artifact. */
  private linkInputs(node: TaskNode | undefined, task: JsonObject, artifacts: Record<string, ArtifactRef[]>): void {
    for (const [name, refs] of Object.entries(artifacts)) {
      const spec = node?.task.inputs?.artifacts?.[name];
      const type = spec?.taskOutputArtifact
        ? 'TASK_OUTPUT_INPUT'
        : spec?.componentInputArtifact !== undefined
          ? 'COMPONENT_INPUT'
          : node?.task.artifactIterator?.itemInput === name
            ? 'ITERATOR_INPUT'
            : 'COLLECTED_INPUTS';
      for (const ref of refs) {
        if (!ref.id) throw new LauncherError('artifact id is required');
        this.link({
          artifact_id: ref.id,
          task_id: str(task.task_id),
          type,
          key: name,
          ...(spec?.taskOutputArtifact ? { producer: { task_name: spec.taskOutputArtifact.producerTask } } : {}),
        });
      }
    }
  }

  async enterDag(call: DagCall<NativeFrame>): Promise<NativeFrame> {
    ensureNotStopped(this.env);
    if (!call.node) {
      const { task } = this.createTask({
        name: 'ROOT',
        display_name: this.env.run.displayName,
        type: 'ROOT',
        state: 'RUNNING',
        scope_path: 'root',
        inputs: { parameters: ioParameters(undefined, call.inputs.parameters) },
        type_attributes: {},
        pods: [{ name: podName(this.env, 'system-dag-driver'), uid: randomUUID(), type: 'DRIVER' }],
      });
      return { taskId: str(task.task_id), name: 'ROOT' };
    }
    const parent = call.parent!;
    // One iteration of a ParallelFor: its tasks sit under the LOOP task with their iteration index.
    if (call.iterationIndex !== undefined)
      return { taskId: parent.taskId, name: parent.name, iterationIndex: call.iterationIndex, iteration: true };
    const inLoop = parent.iterationIndex;
    const { task } = this.createTask({
      name: call.node.key,
      display_name: call.node.displayName,
      type: call.iterationCount !== undefined ? 'LOOP' : 'DAG',
      state: 'RUNNING',
      parent_task_id: parent.taskId,
      scope_path: scopePath(call.path),
      create_time: now(),
      inputs: { parameters: ioParameters(call.node, call.inputs.parameters) },
      type_attributes: {
        ...(inLoop !== undefined ? { iteration_index: String(inLoop) } : {}),
        ...(call.iterationCount !== undefined ? { iteration_count: String(call.iterationCount) } : {}),
      },
      pods: [{ name: podName(this.env, 'system-dag-driver'), uid: randomUUID(), type: 'DRIVER' }],
    });
    this.linkInputs(call.node, task, this.resolveArtifacts(call.node, parent, call.inputs));
    return { taskId: str(task.task_id), name: call.node.key };
  }

  async exitDag(frame: NativeFrame, result: DagExit): Promise<void> {
    if (frame.iteration) return;
    const state = result.state === 'succeeded' ? 'SUCCEEDED' : 'FAILED';
    // propagateOutputsUpDAG: the DAG's outputs are its producers' (next:launcher_v2.go:1164-1190).
    for (const [key, refs] of Object.entries(result.outputs.artifacts))
      for (const ref of refs)
        this.link({
          artifact_id: ref.id,
          task_id: frame.taskId,
          type: 'OUTPUT',
          key,
          producer: { task_name: frame.name },
        });
    const params = outputParameters(frame.name, result.outputs.parameters);
    this.update(frame.taskId, {
      state,
      end_time: now(),
      ...(params.length ? { outputs: { parameters: params } } : {}),
    });
  }

  async skipped(call: SkippedCall, parent: NativeFrame): Promise<void> {
    // Only a task whose condition is false gets a driver, which records it SKIPPED (container.go:460-462);
    // Argo never starts the drivers of tasks after a failed or skipped upstream.
    if (call.reason !== 'condition false' || !call.inputs) return;
    this.createTask({
      name: call.node.key,
      display_name: call.node.displayName,
      type: call.node.kind === 'dag' ? 'DAG' : 'RUNTIME',
      state: 'SKIPPED',
      parent_task_id: parent.taskId,
      scope_path: scopePath(call.path),
      create_time: now(),
      end_time: now(),
      inputs: { parameters: ioParameters(call.node, call.inputs.parameters) },
      ...(parent.iterationIndex !== undefined
        ? { type_attributes: { iteration_index: String(parent.iterationIndex) } }
        : {}),
    });
  }

  async executable(call: ExecutableCall<NativeFrame>): Promise<VisitResult> {
    ensureNotStopped(this.env);
    if (call.node.kind === 'importer' && call.importer) return this.importer(call);
    if (call.node.kind !== 'container')
      throw new NotEmulatedError(
        `task ${call.path.join('/')} is a ${call.node.kind} task; the lab's next-KFP location executes container and importer tasks only`,
      );
    return this.container(call);
  }

  /**
   * The importer launcher (next:backend/src/v2/component/importer_launcher.go): an `IMPORTER` task, RUNNING,
   * with an EXECUTOR pod and `download_to_workspace` (:80-112); the artifact built from the spec
   * (`ImportSpecToArtifact`, :296-395: name from the URI's last segment, empty description, the type, the
   * spec's metadata with a schema title outside the enum kept under `_kfp_schema_title`); created with the
   * task, and with `reuse_if_exists` unless `reimport` (:232-244), so an equal artifact of the namespace is
   * linked instead (artifact_store.go:254-304); then SUCCEEDED (:122-139). Importers are never cached.
   */
  private async importer(call: ExecutableCall<NativeFrame>): Promise<VisitResult> {
    const imp = call.importer!;
    const parent = call.parentDag;
    const iteration = parent.iterationIndex;
    const { task, existed } = this.createTask({
      name: call.node.key,
      display_name: call.node.displayName,
      type: 'IMPORTER',
      state: 'RUNNING',
      parent_task_id: parent.taskId,
      scope_path: scopePath(call.path),
      create_time: now(),
      type_attributes: {
        download_to_workspace: imp.downloadToWorkspace,
        ...(iteration !== undefined ? { iteration_index: String(iteration) } : {}),
      },
      pods: [{ name: podName(this.env, 'system-container-impl'), uid: randomUUID(), type: 'EXECUTOR' }],
    });
    if (existed && FINAL.has(str(task.state))) return this.finished(task);
    const taskId = str(task.task_id);
    if (!imp.artifactUri) {
      const message = 'failed to create Artifact from ImporterSpec: artifact uri not provided';
      this.update(taskId, { state: 'FAILED', end_time: now(), status_metadata: { message } });
      return { state: 'failed', error: message };
    }
    const { type, metadata } = artifactType(imp.typeSchema.schemaTitle ?? 'system.Artifact', imp.metadata ?? {});
    const artifact: JsonObject = {
      name: importedArtifactName(imp.artifactUri),
      description: '',
      type,
      uri: imp.artifactUri,
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    };
    const link = {
      runId: this.runId,
      taskId,
      producerKey: imp.outputName,
      ...(iteration !== undefined ? { iterationIndex: iteration } : {}),
    };
    if (imp.reimport) this.env.store.createTaskArtifact(this.env.namespace, artifact, link);
    else this.env.store.findOrCreateTaskArtifact(this.env.namespace, artifact, link);
    const done = this.update(taskId, { state: 'SUCCEEDED', end_time: now() });
    return { state: 'succeeded', outputs: outputsOf(this.env.store.getTask(taskId) ?? done) };
  }

  private async container(call: ExecutableCall<NativeFrame>): Promise<VisitResult> {
    const { node } = call;
    const parent = call.parentDag;
    const iteration = parent.iterationIndex;
    const base: JsonObject = {
      name: node.key,
      display_name: node.displayName,
      type: 'RUNTIME',
      state: 'RUNNING',
      parent_task_id: parent.taskId,
      scope_path: scopePath(call.path),
      create_time: now(),
      pods: [{ name: podName(this.env, 'system-container-driver'), uid: randomUUID(), type: 'DRIVER' }],
      ...(iteration !== undefined ? { type_attributes: { iteration_index: String(iteration) } } : {}),
      inputs: { parameters: ioParameters(node, call.inputs.parameters) },
    };
    let artifacts: Record<string, ArtifactRef[]>;
    try {
      artifacts = this.resolveArtifacts(node, parent, call.inputs);
    } catch (err) {
      // The driver's deferred failure path creates the task FAILED (container.go:108-150).
      const message = err instanceof Error ? err.message : String(err);
      const { task } = this.createTask({ ...base, state: 'FAILED', end_time: now(), status_metadata: { message } });
      if (str(task.state) !== 'FAILED') this.update(str(task.task_id), { state: 'FAILED', end_time: now() });
      return { state: 'failed', error: message };
    }
    const keyInput = call.cacheKeyInput!;
    // Provisioned before the fingerprint (container.go:246-265); `executor-logs` when logs are published.
    const outputs = provisionOutputs(this.env.runRoot, node, publishesLogs(keyInput), NEXT_KFP_RELEASE);
    let cached: JsonObject | undefined;
    if (this.env.loc.cacheEnabled && call.cachingEnabled) {
      const fp = nextFingerprint({
        ...keyInput,
        inputArtifactIds: Object.fromEntries(Object.entries(artifacts).map(([n, refs]) => [n, refs.map((r) => r.id)])),
        pipelineName: this.env.graph.name,
      });
      base.cache_fingerprint = fp;
      // findCached (driver/cache.go:120-123; the hit rule is the store's, task_store.go:895-932).
      cached = this.env.store.cachedCandidates(this.env.namespace, fp)[0];
    }
    if (cached) return this.cacheHit(call, base, artifacts, cached, iteration);
    const { task, existed } = this.createTask(base);
    if (existed && FINAL.has(str(task.state))) return this.finished(task);
    this.linkInputs(node, task, artifacts);
    return this.launch({ ...call, inputs: { ...call.inputs, artifacts } }, task, outputs, iteration);
  }

  /** A task this run already finished before the lab restarted: its outputs as recorded. */
  private finished(task: JsonObject): VisitResult {
    const state = str(task.state);
    if (state === 'FAILED')
      return { state: 'failed', error: str(obj(task.status_metadata).message) || `task ${str(task.name)} failed` };
    return { state: state === 'CACHED' ? 'cached' : 'succeeded', outputs: outputsOf(task) };
  }

  /** A findCached hit (container.go:350-432): a CACHED task with the cached task's outputs, no launcher. */
  private cacheHit(
    call: ExecutableCall<NativeFrame>,
    base: JsonObject,
    artifacts: Record<string, ArtifactRef[]>,
    cached: JsonObject,
    iteration: number | undefined,
  ): VisitResult {
    const cloned = cloneCachedOutputs(cached.outputs, call.node.key, iteration);
    const { task, existed } = this.createTask({ ...base, state: 'CACHED', outputs: cloned, end_time: now() });
    if (existed && FINAL.has(str(task.state))) return this.finished(task);
    const taskId = str(task.task_id);
    this.update(taskId, { state: 'CACHED', outputs: cloned, end_time: now() });
    this.linkInputs(call.node, task, artifacts);
    // Artifacts are links: one per cached output artifact, the same artifact id (no copy of records or bytes).
    for (const io of list(cloned.artifacts))
      for (const a of list(io.artifacts))
        this.link({
          artifact_id: str(a.artifact_id),
          task_id: taskId,
          type: io.type ?? 'OUTPUT',
          key: str(io.artifact_key),
          ...(io.producer ? { producer: io.producer } : {}),
        });
    return { state: 'cached', outputs: outputsOf(this.env.store.getTask(taskId) ?? task) };
  }

  /** The launcher (launcher_v2.go Execute). */
  private async launch(
    call: ExecutableCall<NativeFrame>,
    task: JsonObject,
    outputs: ProvisionedOutput[],
    iteration: number | undefined,
  ): Promise<VisitResult> {
    const env = this.env;
    const taskId = str(task.task_id);
    const pods = [
      ...list(task.pods),
      { name: podName(env, 'system-container-impl'), uid: randomUUID(), type: 'EXECUTOR' },
    ];
    this.update(taskId, { pods });
    const record = async (
      out: ProvisionedOutput,
      seed: string,
      size: number,
      written: boolean,
      set?: JsonObject,
    ): Promise<JsonObject[]> => {
      const metric = METRICS_ARTIFACT_TYPES.has(out.schemaTitle);
      if (!written && !metric) {
        const local = out.uri.replace(/^([a-z0-9]+):\/\//i, '/$1/');
        throw new LauncherError(
          `declared output artifact "${out.name}" is missing at "${local}": stat ${local}: no such file or directory`,
        );
      }
      if (written) await uploadStepOutput(env, out, seed, size);
      const link = {
        runId: env.run.runId,
        taskId,
        producerKey: out.name,
        ...(iteration !== undefined ? { iterationIndex: iteration } : {}),
      };
      const metadata = { ...out.metadata, ...set };
      const { type, metadata: stored } = artifactType(out.schemaTitle, metadata);
      if (type === 'Metric') {
        // One Metric artifact per logged value, its number in number_value (launcher_v2.go:905-925).
        return Object.entries(metadata)
          .filter(([, v]) => typeof v === 'number')
          .map(([key, value]) =>
            env.store.createTaskArtifact(
              env.namespace,
              { name: key, type, number_value: value, metadata: { [key]: value } },
              link,
            ),
          );
      }
      const artifact: JsonObject = {
        name: out.name,
        type,
        ...(metric ? {} : { uri: out.uri }),
        ...(Object.keys(stored).length ? { metadata: stored } : {}),
      };
      return [env.store.createTaskArtifact(env.namespace, artifact, link)];
    };
    const failed: JsonObject[][] = [];
    try {
      // The artifacts are linked to the task as they are created; the task's outputs are read back hydrated.
      const { parameters } = await runStepCode(env, call, outputs, record, failed);
      const params = outputParameters(call.node.key, parameters, iteration);
      const done = this.update(taskId, {
        state: 'SUCCEEDED',
        end_time: now(),
        ...(params.length ? { outputs: { parameters: params } } : {}),
      });
      return { state: 'succeeded', outputs: outputsOf(done) };
    } catch (err) {
      if (err instanceof RunStopped || err instanceof NotEmulatedError) throw err;
      const message = `failed to execute component: ${err instanceof Error ? err.message : String(err)}`;
      this.update(taskId, { state: 'FAILED', end_time: now(), status_metadata: { message } });
      return { state: 'failed', error: message };
    }
  }
}
