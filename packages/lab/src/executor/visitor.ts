// The driver walk's visitor for a lab location: what each DAG, task and skipped task records, as
// KFP's DAG driver (`backend/src/v2/driver/dag.go`, `root_dag.go`), container driver and launchers
// would. The walk itself (order, conditions, loops, failures) is `src/pipeline/driver`.
import { MlmdError } from '../../../../src/location/mlmd/index.js';
import {
  NotEmulatedError,
  taskRecordKey,
  type DagCall,
  type DagExit,
  type DriverVisitor,
  type ExecutableCall,
  type SkippedCall,
  type VisitResult,
} from '../../../../src/pipeline/driver/index.js';
import type { TaskNode } from '../../../../src/pipeline/graph.js';
import type { IrComponent } from '../../../../src/pipeline/ir.js';
import type { RuntimeState } from '../kfp/index.js';
import { runContainerTask } from './container-task.js';
import { ensureNotStopped, RunStopped, type RunEnv } from './context.js';
import { dagDriverPipeline, driverInfo, DriverFailure, pipelineForDriver } from './driver-pipeline.js';
import { runImporterTask } from './importer-task.js';
import { CONTAINER_EXECUTION, DAG_EXECUTION, type ExecHandle, type ExecutionConfig } from './kfp-metadata.js';
import { runPlatformOpTask } from './platform-op-task.js';

export interface Frame {
  exec: ExecHandle;
  /** Its task_details key; undefined for the root DAG. */
  key?: string;
}

/** Go's encoding/json of `map[string]*DagOutputsSpec_DagOutputArtifactSpec` (snake_case json tags, sorted keys). */
function artifactProducerTask(component: IrComponent): string | undefined {
  const artifacts = component.dag?.outputs?.artifacts;
  if (!artifacts || Object.keys(artifacts).length === 0) return undefined;
  const sorted = Object.keys(artifacts).sort();
  return JSON.stringify(
    Object.fromEntries(
      sorted.map((name) => [
        name,
        {
          artifact_selectors: (artifacts[name]!.artifactSelectors ?? []).map((s) => ({
            producer_subtask: s.producerSubtask,
            output_artifact_key: s.outputArtifactKey,
          })),
        },
      ]),
    ),
  );
}

/** Each output parameter's spec as protojson text (`CreateExecution`, keyParameterProducerTask). */
function parameterProducerTask(component: IrComponent): Record<string, string> | undefined {
  const parameters = component.dag?.outputs?.parameters;
  if (!parameters || Object.keys(parameters).length === 0) return undefined;
  return Object.fromEntries(Object.entries(parameters).map(([name, spec]) => [name, JSON.stringify(spec)]));
}

function dagConfig(
  node: TaskNode,
  call: { inputs: DagCall<Frame>['inputs']; parent?: Frame; iterationIndex?: number; iterationCount?: number },
): ExecutionConfig {
  const cfg: ExecutionConfig = {
    type: DAG_EXECUTION,
    displayName: node.displayName,
    taskName: node.key,
    totalDagTasks: Object.keys(node.component.dag?.tasks ?? {}).length,
    inputs: call.inputs.parameters,
    inputArtifactIds: Object.fromEntries(
      Object.entries(call.inputs.artifacts).map(([n, refs]) => [n, refs.map((r) => Number(r.id))]),
    ),
  };
  if (call.parent) cfg.parentDagId = call.parent.exec.id;
  if (call.iterationIndex !== undefined) cfg.iterationIndex = call.iterationIndex;
  if (call.iterationCount !== undefined) cfg.iterationCount = call.iterationCount;
  const params = parameterProducerTask(node.component);
  if (params) cfg.parameterProducerTask = params;
  const artifacts = artifactProducerTask(node.component);
  if (artifacts !== undefined) cfg.artifactProducerTask = artifacts;
  return cfg;
}

const DETAIL_STATE: Record<VisitResult['state'], RuntimeState> = {
  succeeded: 'SUCCEEDED',
  cached: 'SKIPPED',
  failed: 'FAILED',
  unavailable: 'FAILED',
};

export class LabVisitor implements DriverVisitor<Frame> {
  constructor(private readonly env: RunEnv) {}

  private displayName(node: TaskNode, iteration: readonly number[], ownIteration: boolean): string {
    return ownIteration && iteration.length > 0
      ? `${node.displayName}(${iteration[iteration.length - 1]})`
      : node.displayName;
  }

  async enterDag(call: DagCall<Frame>): Promise<Frame> {
    ensureNotStopped(this.env);
    if (!call.node) return { exec: await this.rootExecution() };
    const key = taskRecordKey(call.path, call.iteration);
    this.env.details.start(
      key,
      this.displayName(call.node, call.iteration, call.iterationIndex !== undefined),
      call.parent?.key,
    );
    const driverTask = {
      node: call.node,
      parentDagId: call.parent?.exec.id ?? 0,
      ...(call.iterationIndex !== undefined ? { iterationIndex: call.iterationIndex } : {}),
    };
    let pipeline;
    try {
      pipeline = await dagDriverPipeline(this.env, driverTask);
    } catch (err) {
      this.env.details.finish(key, 'FAILED', err instanceof Error ? err.message : String(err));
      throw err;
    }
    const exec = await this.env.md.createExecution(pipeline, dagConfig(call.node, call));
    this.env.details.setExecution(key, exec.id);
    return { exec, key };
  }

  /** `RootDAG`: the execution named `run/<run id>`, found again when the run is resumed. */
  private async rootExecution(): Promise<ExecHandle> {
    const run = this.env.run;
    const cfg: ExecutionConfig = { type: DAG_EXECUTION, name: `run/${run.runId}`, displayName: '', taskName: '' };
    if (Object.keys(run.parameters).length > 0) cfg.inputs = run.parameters;
    try {
      return await this.env.md.createExecution(this.env.pipeline, cfg);
    } catch (err) {
      if (!(err instanceof MlmdError && err.code === 'ALREADY_EXISTS')) throw err;
      const existing = await this.env.md.executionByName(DAG_EXECUTION, cfg.name!);
      if (!existing) throw err;
      return existing;
    }
  }

  async exitDag(frame: Frame, result: DagExit): Promise<void> {
    // The root DAG has no total_dag_tasks, so UpdateDAGExecutionsState never settles it (2.17.0).
    if (frame.key === undefined) return;
    if (result.mlmdState !== 'RUNNING' && result.mlmdState !== frame.exec.state)
      await this.env.md.putState(frame.exec, result.mlmdState);
    this.env.details.finish(frame.key, result.state === 'succeeded' ? 'SUCCEEDED' : 'FAILED');
  }

  async skipped(call: SkippedCall, parent: Frame): Promise<void> {
    ensureNotStopped(this.env);
    const key = taskRecordKey(call.path, call.iteration);
    const name = this.displayName(call.node, call.iteration, false);
    if (call.reason !== 'condition false' || !call.inputs) {
      this.env.details.skipped(key, name, parent.key);
      return;
    }
    // A task whose condition is false still gets an execution, CANCELED ("not triggered"), from its
    // driver, which first calls GetPipeline (dag.go:62, container.go:66).
    const driverTask = { node: call.node, parentDagId: parent.exec.id };
    let pipeline;
    try {
      pipeline =
        call.node.kind === 'dag' ? await dagDriverPipeline(this.env, driverTask) : await pipelineForDriver(this.env);
    } catch (err) {
      const message =
        err instanceof DriverFailure
          ? err.message
          : `driver.Container(${driverInfo(this.env, driverTask)}) failed: ${(err as Error).message}`;
      this.env.details.start(key, name, parent.key);
      this.env.details.finish(key, 'FAILED', message);
      throw new DriverFailure(call.node.path.join('/'), message);
    }
    const cfg: ExecutionConfig =
      call.node.kind === 'dag'
        ? { ...dagConfig(call.node, { inputs: call.inputs, parent }), notTriggered: true }
        : {
            type: CONTAINER_EXECUTION,
            displayName: call.node.displayName,
            taskName: call.node.key,
            parentDagId: parent.exec.id,
            notTriggered: true,
            pod: { podName: '', podUid: '', namespace: '', image: '' },
            inputs: call.inputs.parameters,
            inputArtifactIds: Object.fromEntries(
              Object.entries(call.inputs.artifacts).map(([n, refs]) => [n, refs.map((r) => Number(r.id))]),
            ),
          };
    const exec = await this.env.md.createExecution(pipeline, cfg);
    this.env.details.skipped(key, name, parent.key, exec.id);
  }

  dagExecutionId(frame: Frame): string {
    return String(frame.exec.id);
  }

  async executable(call: ExecutableCall<Frame>): Promise<VisitResult> {
    ensureNotStopped(this.env);
    const key = taskRecordKey(call.path, call.iteration);
    this.env.details.start(key, call.node.displayName, call.parentDag.key);
    try {
      let result: VisitResult;
      if (call.node.kind === 'container') result = await runContainerTask(this.env, call, key);
      else if (call.node.kind === 'importer') result = await runImporterTask(this.env, call, key);
      else if (call.node.kind === 'platform-op') result = await runPlatformOpTask(this.env, call, key);
      else throw new NotEmulatedError(`task ${call.path.join('/')} has a ${call.node.kind} executor`);
      this.env.details.finish(key, DETAIL_STATE[result.state], result.state === 'failed' ? result.error : undefined);
      return result;
    } catch (err) {
      if (!(err instanceof RunStopped))
        this.env.details.finish(key, 'FAILED', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }
}
