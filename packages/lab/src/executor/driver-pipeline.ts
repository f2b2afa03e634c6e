// What every KFP driver (and the importer launcher) does first: `GetPipeline` on the run's two
// contexts, which fails once the run context has more than one parent or a parent other than the
// pipeline's context (2.17.0:backend/src/v2/metadata/client.go:437-446). The root driver's call is
// in run.ts; the DAG driver (2.17.0:backend/src/v2/driver/dag.go:62), the container driver
// (driver/container.go:66, which platform ops go through too) and the importer launcher
// (component/importer_launcher.go:125) call it here, each when it starts, so a parent link added
// while a run is under way fails the next driver, as in KFP.
import type { TaskNode } from '../../../../src/pipeline/graph.js';
import type { RunEnv } from './context.js';
import type { PipelineHandle } from './kfp-metadata.js';

/** A DAG driver that failed: the DAG task fails, and with it the run (Argo marks the driver pod failed). */
export class DriverFailure extends Error {
  override readonly name = 'DriverFailure';
  constructor(
    readonly task: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DriverTask {
  node: TaskNode;
  /** The parent DAG's execution id (`--dag_execution_id`). */
  parentDagId: number;
  iterationIndex?: number;
}

/** `Options.info()` (2.17.0:backend/src/v2/driver/driver.go:123-150), the part the lab knows. */
export function driverInfo(env: RunEnv, t: DriverTask): string {
  let msg = `pipelineName=${env.graph.name}, runID=${env.run.runId}`;
  if (t.node.displayName) msg += `, taskDisplayName=${JSON.stringify(t.node.displayName)}`;
  msg += `, taskName=${JSON.stringify(t.node.key)}`;
  const component = t.node.task.componentRef?.name;
  if (component) msg += `, component=${JSON.stringify(component)}`;
  if (t.parentDagId) msg += `, dagExecutionID=${t.parentDagId}`;
  if (t.iterationIndex !== undefined) msg += `, iterationIndex=${t.iterationIndex}`;
  return msg;
}

/**
 * A non-root driver's `GetPipeline(ctx, pipelineName, runID, "", "", "", "")`: the root driver found
 * or created both contexts, so only their parent link is read again (kfp-metadata.ts checkParents).
 */
export function pipelineForDriver(env: RunEnv): Promise<PipelineHandle> {
  return env.md.checkParents(env.pipeline);
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The container driver's check: its error as `driver.Container(...) failed: ...` (container.go:47-52). */
export async function containerDriverPipeline(
  env: RunEnv,
  t: DriverTask,
): Promise<{ ok: true; pipeline: PipelineHandle } | { ok: false; error: string }> {
  try {
    return { ok: true, pipeline: await pipelineForDriver(env) };
  } catch (err) {
    return { ok: false, error: `driver.Container(${driverInfo(env, t)}) failed: ${describe(err)}` };
  }
}

/** The DAG driver's check: a failure ends the run (`driver.DAG(...) failed: ...`, dag.go:43-48). */
export async function dagDriverPipeline(env: RunEnv, t: DriverTask): Promise<PipelineHandle> {
  try {
    return await pipelineForDriver(env);
  } catch (err) {
    throw new DriverFailure(t.node.path.join('/'), `driver.DAG(${driverInfo(env, t)}) failed: ${describe(err)}`);
  }
}
