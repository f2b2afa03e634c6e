// The MLMD state of executions as KFP 2.17.0 leaves them, which the driver reads back in two places:
// `taskFinalStatus.state` (resolve.go) and the choice between `dsl.OneOf` branches (GetProducerTask
// accepts only COMPLETE or CACHED). A DAG execution starts RUNNING and changes only through
// `UpdateDAGExecutionsState` (`backend/src/v2/metadata/client.go`), which only the container
// launcher calls, after it ran a container (`backend/src/v2/component/launcher_v2.go`); cache hits,
// importers and platform ops never update it. So a DAG whose tasks were all cache hits stays RUNNING.

export type ExecState = 'RUNNING' | 'COMPLETE' | 'CACHED' | 'FAILED' | 'CANCELED';

/** One MLMD execution; `state` changes in place for DAGs. */
export interface ExecNode {
  state: ExecState;
}

export interface DagExecNode extends ExecNode {
  /** `total_dag_tasks`: tasks of the DAG component (of the pruned spec for the root). */
  totalTasks: number;
  /** `iteration_count`, on a ParallelFor's loop DAG only. */
  iterationCount?: number;
  /** Executions whose `parent_dag_id` is this DAG, in creation order. */
  children: ExecNode[];
  parent?: DagExecNode;
}

export function newDagExec(totalTasks: number, parent?: DagExecNode, iterationCount?: number): DagExecNode {
  const node: DagExecNode = { state: 'RUNNING', totalTasks, children: [] };
  if (iterationCount !== undefined) node.iterationCount = iterationCount;
  if (parent) {
    node.parent = parent;
    parent.children.push(node);
  }
  return node;
}

export function addExec(parent: DagExecNode, state: ExecState): ExecNode {
  const node = { state };
  parent.children.push(node);
  return node;
}

/** UpdateDAGExecutionsState: recount the children, settle COMPLETE or FAILED, and recurse upward. */
export function updateDagExecState(dag: DagExecNode): void {
  const expected = dag.iterationCount ?? dag.totalTasks;
  if (expected === 0 && dag.iterationCount === undefined) return;
  let completed = 0;
  let failed = 0;
  for (const child of dag.children) {
    if (child.state === 'FAILED') failed++;
    else if (child.state === 'COMPLETE' || child.state === 'CACHED' || child.state === 'CANCELED') completed++;
  }
  if (completed === expected) dag.state = 'COMPLETE';
  else if (failed > 0) dag.state = 'FAILED';
  else return;
  if (dag.parent) updateDagExecState(dag.parent);
}
