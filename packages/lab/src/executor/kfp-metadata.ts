// What KFP's driver and launchers write to ML Metadata, call for call, as
// `backend/src/v2/metadata/client.go` (KFP 2.17.0) writes it: schemaless types, get-or-insert
// contexts with a parent link, executions put with both contexts and their INPUT events,
// publication with OUTPUT events (path step key = the output name) and the `outputs` struct.
import { MlmdError, type MlmdClient } from '../../../../src/location/mlmd/index.js';
import {
  intValue,
  sameMlmdValue,
  stringValue,
  structValue,
  type JsonObject,
} from '../../../../src/location/mlmd/index.js';
import type { Artifact, Context, Execution, ExecutionState, Properties } from '../../../../src/location/mlmd/index.js';
import { withMlmdRetry } from './mlmd-retry.js';

export const PIPELINE_CONTEXT = 'system.Pipeline';
export const PIPELINE_RUN_CONTEXT = 'system.PipelineRun';
export const DAG_EXECUTION = 'system.DAGExecution';
export const CONTAINER_EXECUTION = 'system.ContainerExecution';
export const IMPORTER_EXECUTION = 'system.ImporterExecution';
export const IMPORTER_WORKSPACE_EXECUTION = 'system.ImporterWorkspaceExecution';

export interface PipelineHandle {
  pipelineCtx: Context;
  runCtx: Context;
}

/** An execution this process created, with the custom properties it holds (MLMD replaces them on update). */
export interface ExecHandle {
  id: number;
  typeId: number;
  type: string;
  name?: string;
  state: ExecutionState;
  customProperties: Properties;
}

/** `metadata.ExecutionConfig`: what CreateExecution records. */
export interface ExecutionConfig {
  type: string;
  /** Unique among executions (only the root DAG has one: `run/<runId>`). */
  name?: string;
  displayName: string;
  taskName: string;
  notTriggered?: boolean;
  parentDagId?: number;
  iterationIndex?: number;
  iterationCount?: number;
  totalDagTasks?: number;
  /** For container executions. */
  pod?: { podName: string; podUid: string; namespace: string; image: string };
  cachedExecutionId?: string;
  fingerprint?: string;
  inputs?: JsonObject;
  parameterProducerTask?: Record<string, string>;
  artifactProducerTask?: string;
  inputArtifactIds?: Record<string, number[]>;
}

/** An output for PublishExecution: an existing artifact (by id) or a new one. */
export interface OutputArtifact {
  name: string;
  artifact: Artifact;
}

const eventPath = (name: string) => ({ steps: [{ key: name }] });

export class KfpMetadata {
  private readonly typeIds = new Map<string, number>();

  constructor(
    private readonly client: MlmdClient,
    private readonly signal?: AbortSignal,
  ) {}

  private call<T>(f: () => Promise<T>): Promise<T> {
    return withMlmdRetry(f, this.signal);
  }

  private async executionTypeId(name: string): Promise<number> {
    const key = `execution:${name}`;
    const known = this.typeIds.get(key);
    if (known !== undefined) return known;
    const id = await this.call(() => this.client.putExecutionType({ name }));
    this.typeIds.set(key, id);
    return id;
  }

  async artifactTypeId(schemaTitle: string): Promise<number> {
    const key = `artifact:${schemaTitle}`;
    const known = this.typeIds.get(key);
    if (known !== undefined) return known;
    const id = await this.call(() => this.client.putArtifactType({ name: schemaTitle }));
    this.typeIds.set(key, id);
    return id;
  }

  private async contextTypeId(name: string): Promise<number> {
    const key = `context:${name}`;
    const known = this.typeIds.get(key);
    if (known !== undefined) return known;
    const id = await this.call(() => this.client.putContextType({ name }));
    this.typeIds.set(key, id);
    return id;
  }

  /** `getOrInsertContext`: an existing context is returned as it is, never overwritten. */
  private async getOrInsertContext(type: string, name: string, customProperties?: Properties): Promise<Context> {
    const existing = await this.call(() => this.client.getContextByTypeAndName(type, name));
    if (existing) return existing;
    const typeId = await this.contextTypeId(type);
    try {
      await this.call(() =>
        this.client.putContexts([{ name, typeId, ...(customProperties ? { customProperties } : {}) }]),
      );
    } catch (err) {
      // Another driver may create it at the same time.
      if (!(err instanceof MlmdError && err.code === 'ALREADY_EXISTS')) throw err;
    }
    const created = await this.call(() => this.client.getContextByTypeAndName(type, name));
    if (!created) throw new Error(`context ${type} "${name}" is missing right after it was created`);
    return created;
  }

  /**
   * `GetPipeline` (2.17.0:backend/src/v2/metadata/client.go:410-468, the same at 2.14.0:321-375): the
   * pipeline context, the run context, and the link between them. Every driver calls it (root
   * `driver/root_dag.go:125`, DAG `driver/dag.go:62`, container `driver/container.go:66`, importer
   * `component/importer_launcher.go:125`), so a run context that gained a second parent, or a parent
   * other than this pipeline's context, fails the next driver. Only the root driver passes the run's
   * properties; the others pass empty strings, used only if the run context were missing.
   */
  async getPipeline(
    pipelineName: string,
    runId: string,
    run: { namespace: string; resourceName: string; pipelineRoot: string; storeSessionInfo: string } = {
      namespace: '',
      resourceName: '',
      // GenerateOutputURI("", [pipelineName, runID]) (client.go:420).
      pipelineRoot: `/${pipelineName}/${runId}`,
      storeSessionInfo: '',
    },
  ): Promise<PipelineHandle> {
    const pipelineCtx = await this.getOrInsertContext(PIPELINE_CONTEXT, pipelineName);
    const props: Properties = {
      namespace: stringValue(run.namespace),
      resource_name: stringValue(run.resourceName),
      pipeline_root: stringValue(run.pipelineRoot),
      store_session_info: stringValue(run.storeSessionInfo),
    };
    const runCtx = await this.getOrInsertContext(PIPELINE_RUN_CONTEXT, runId, props);
    return this.checkParents({ pipelineCtx, runCtx });
  }

  /**
   * `GetPipeline` again for contexts already known: MLMD never deletes or renames contexts, so the
   * two lookups by name give the same ids, and only the parent check (one call) can change its
   * outcome; the lab's later drivers call this instead of the whole `getPipeline`.
   */
  async checkParents(pipeline: PipelineHandle): Promise<PipelineHandle> {
    const { pipelineCtx, runCtx } = pipeline;
    const parents = await this.call(() => this.client.getParentContextsByContext(runCtx.id!));
    // client.go:437-446: the messages KFP's drivers fail with.
    if (parents.length > 1) {
      throw new Error(
        `Current run context has more than 1 parent context: ${parents.map((p) => `${p.type ?? p.typeId}/${p.name} (id ${p.id})`).join(', ')}`,
      );
    }
    if (parents.length === 1) {
      if (parents[0]!.id !== pipelineCtx.id) {
        throw new Error(
          `Parent context ID ${parents[0]!.id} of current run is different from expected: ${pipelineCtx.id}`,
        );
      }
    } else {
      try {
        await this.call(() => this.client.putParentContexts([{ childId: runCtx.id!, parentId: pipelineCtx.id! }]));
      } catch (err) {
        if (!(err instanceof MlmdError && err.code === 'ALREADY_EXISTS')) throw err;
      }
    }
    return { pipelineCtx, runCtx };
  }

  /** `CreateExecution`. */
  async createExecution(pipeline: PipelineHandle, cfg: ExecutionConfig): Promise<ExecHandle> {
    const typeId = await this.executionTypeId(cfg.type);
    const props: Properties = { display_name: stringValue(cfg.displayName), task_name: stringValue(cfg.taskName) };
    if (cfg.parentDagId) props.parent_dag_id = intValue(cfg.parentDagId);
    if (cfg.iterationIndex !== undefined) props.iteration_index = intValue(cfg.iterationIndex);
    if (cfg.iterationCount !== undefined) props.iteration_count = intValue(cfg.iterationCount);
    if (cfg.type === CONTAINER_EXECUTION) {
      const pod = cfg.pod ?? { podName: '', podUid: '', namespace: '', image: '' };
      props.pod_name = stringValue(pod.podName);
      props.pod_uid = stringValue(pod.podUid);
      props.namespace = stringValue(pod.namespace);
      props.image = stringValue(pod.image);
      if (cfg.cachedExecutionId) props.cached_execution_id = stringValue(cfg.cachedExecutionId);
      if (cfg.fingerprint) props.cache_fingerprint = stringValue(cfg.fingerprint);
    }
    if (cfg.inputs) props.inputs = structValue(cfg.inputs);
    if (cfg.parameterProducerTask) props.parameter_producer_task = structValue(cfg.parameterProducerTask);
    if (cfg.artifactProducerTask !== undefined) props.artifact_producer_task = stringValue(cfg.artifactProducerTask);
    if (cfg.totalDagTasks !== undefined) props.total_dag_tasks = intValue(cfg.totalDagTasks);
    // "in MLMD, CANCELED state means exactly as what we call not triggered".
    const state: ExecutionState = cfg.notTriggered ? 'CANCELED' : 'RUNNING';
    const execution: Execution = {
      typeId,
      lastKnownState: state,
      customProperties: props,
      ...(cfg.name ? { name: cfg.name } : {}),
    };
    const artifactEventPairs = Object.entries(cfg.inputArtifactIds ?? {}).flatMap(([name, ids]) =>
      ids.map((artifactId) => ({ event: { artifactId, type: 'INPUT' as const, path: eventPath(name) } })),
    );
    const result = await this.call(() =>
      this.client.putExecution({ execution, artifactEventPairs, contexts: [pipeline.pipelineCtx, pipeline.runCtx] }),
    );
    return {
      id: result.executionId,
      typeId,
      type: cfg.type,
      ...(cfg.name ? { name: cfg.name } : {}),
      state,
      customProperties: props,
    };
  }

  /** The root DAG's execution when a restarted driver finds it already created. */
  async executionByName(type: string, name: string): Promise<ExecHandle | undefined> {
    const e = await this.call(() => this.client.getExecutionByTypeAndName(type, name));
    if (!e?.id) return undefined;
    return {
      id: e.id,
      typeId: e.typeId!,
      type,
      name,
      state: e.lastKnownState ?? 'UNKNOWN',
      customProperties: { ...(e.customProperties ?? {}) },
    };
  }

  private toExecution(e: ExecHandle): Execution {
    return {
      id: e.id,
      typeId: e.typeId,
      lastKnownState: e.state,
      customProperties: e.customProperties,
      ...(e.name ? { name: e.name } : {}),
    };
  }

  /** `PrePublishExecution`: the launcher's pod details, and RUNNING. */
  async prePublish(e: ExecHandle, pod: { podName: string; podUid: string; namespace: string }): Promise<void> {
    e.customProperties.pod_name = stringValue(pod.podName);
    e.customProperties.pod_uid = stringValue(pod.podUid);
    e.customProperties.namespace = stringValue(pod.namespace);
    e.state = 'RUNNING';
    await this.call(() => this.client.putExecution({ execution: this.toExecution(e) }));
  }

  /** `PublishExecution`: state, `outputs`, OUTPUT events (creating artifacts that have no id yet). */
  async publish(
    pipeline: PipelineHandle,
    e: ExecHandle,
    outputParameters: JsonObject | undefined,
    outputArtifacts: OutputArtifact[],
    state: ExecutionState,
  ): Promise<number[]> {
    e.state = state;
    if (outputParameters) e.customProperties.outputs = structValue(outputParameters);
    const artifactEventPairs = outputArtifacts.map((oa) =>
      oa.artifact.id
        ? { event: { type: 'OUTPUT' as const, path: eventPath(oa.name), artifactId: oa.artifact.id } }
        : { artifact: oa.artifact, event: { type: 'OUTPUT' as const, path: eventPath(oa.name) } },
    );
    const result = await this.call(() =>
      this.client.putExecution({
        execution: this.toExecution(e),
        artifactEventPairs,
        contexts: [pipeline.pipelineCtx, pipeline.runCtx],
      }),
    );
    return result.artifactIds;
  }

  /** `PutDAGExecutionState`. */
  async putState(e: ExecHandle, state: ExecutionState): Promise<void> {
    e.state = state;
    await this.call(() => this.client.putExecution({ execution: this.toExecution(e) }));
  }

  /**
   * `GetExecution` (2.17.0:backend/src/v2/metadata/client.go:929-946; 2.14.0:773-790): the execution,
   * "execution ID=N not found" when there is none, then `GetPipelineFromExecution`'s checks on it.
   */
  async getExecution(id: number): Promise<Execution> {
    const found = await this.call(() => this.client.getExecutionsByID([id]));
    if (found.length === 0) throw new Error(`execution ID=${id} not found`);
    await this.getPipelineFromExecution(id);
    return found[0]!;
  }

  /**
   * `GetPipelineFromExecution` (2.17.0:backend/src/v2/metadata/client.go:948-979; 2.14.0:792-822): an
   * execution associated with more than one `system.Pipeline` or more than one `system.PipelineRun`
   * context is refused; none of either is accepted (the handle is then left empty in KFP).
   */
  async getPipelineFromExecution(id: number): Promise<Partial<PipelineHandle>> {
    const pipelineTypeId = await this.contextTypeId(PIPELINE_CONTEXT);
    const runTypeId = await this.contextTypeId(PIPELINE_RUN_CONTEXT);
    const contexts = await this.call(() => this.client.getContextsByExecution(id));
    const handle: Partial<PipelineHandle> = {};
    for (const ctx of contexts) {
      if (ctx.typeId === pipelineTypeId) {
        if (handle.pipelineCtx) throw new Error('multiple pipeline contexts found');
        handle.pipelineCtx = ctx;
      }
      if (ctx.typeId === runTypeId) {
        if (handle.runCtx) throw new Error('multiple run contexts found');
        handle.runCtx = ctx;
      }
    }
    return handle;
  }

  /** `GetOutputArtifactsByExecutionId` (2.17.0:backend/src/v2/metadata/client.go:1113-1148): OUTPUT events, artifacts keyed by the event path's name. */
  async outputArtifactsOf(executionId: number): Promise<Map<string, Artifact>> {
    const events = await this.call(() => this.client.getEventsByExecutionIDs([executionId]));
    const nameById = new Map<number, string>();
    for (const ev of events) {
      if (ev.type !== 'OUTPUT' || ev.artifactId === undefined) continue;
      // getArtifactName (2.17.0:backend/src/v2/metadata/client.go:549-554): the first step's key.
      const steps = ev.path?.steps ?? [];
      if (steps.length === 0) throw new Error('failed to get artifact name from eventPath');
      nameById.set(ev.artifactId, steps[0]!.key ?? '');
    }
    const artifacts =
      nameById.size > 0 ? await this.call(() => this.client.getArtifactsByID([...nameById.keys()])) : [];
    return new Map(artifacts.map((a) => [nameById.get(a.id!)!, a]));
  }

  /** `RecordArtifact`: a LIVE artifact with `display_name` and `store_session_info`. */
  async recordArtifact(
    outputName: string,
    schemaTitle: string,
    uri: string,
    metadata: Properties,
    sessionInfo: string,
  ): Promise<Artifact> {
    const typeId = await this.artifactTypeId(schemaTitle);
    const customProperties: Properties = { ...metadata };
    if (!('display_name' in customProperties)) customProperties.display_name = stringValue(outputName);
    if (!('store_session_info' in customProperties)) customProperties.store_session_info = stringValue(sessionInfo);
    const artifact: Artifact = { typeId, uri, state: 'LIVE', customProperties };
    const [id] = await this.call(() => this.client.putArtifacts([artifact]));
    const [stored] = await this.call(() => this.client.getArtifactsByID([id!]));
    if (!stored) throw new Error(`artifact ${id} is missing right after it was recorded`);
    return stored;
  }

  /**
   * `FindMatchedArtifact` (2.17.0:backend/src/v2/metadata/client.go:1303-1347, the same at 2.14.0:
   * 1147-1191): among the artifacts with the target's URI, the first with the same type, state and
   * URI, holding every custom property of the target with an equal value (extra ones allowed), and
   * attributed to the pipeline's `system.Pipeline` context.
   */
  async findMatchedArtifact(target: Artifact, pipelineContextId: number): Promise<Artifact | undefined> {
    const candidates = await this.call(() => this.client.getArtifactsByURI([target.uri ?? '']));
    for (const c of candidates) {
      if (c.typeId !== target.typeId || c.state !== target.state || c.uri !== target.uri) continue;
      const props = c.customProperties ?? {};
      const same = Object.entries(target.customProperties ?? {}).every(
        ([k, v]) => k in props && sameMlmdValue(v, props[k]!),
      );
      if (!same) continue;
      const contexts = await this.call(() => this.client.getContextsByArtifact(c.id!));
      if (contexts.some((ctx) => ctx.id === pipelineContextId)) return c;
    }
    return undefined;
  }
}
