// What the walk knows about one DAG execution while it runs: the DAG's resolved inputs (what KFP
// stores on the DAG execution and children resolve `componentInputParameter` against) and the result
// of each sibling task so far (what KFP finds with GetExecutionsInDAG, scoped to one loop iteration).
import type { TaskNode } from '../graph.js';
import type { JsonValue } from '../ir.js';
import type { DagExecNode, ExecNode } from './dag-state.js';
import type { ArtifactRef, SkipReason, TaskOutputs, TaskRunState } from './types.js';

export interface TaskRecord {
  node: TaskNode;
  path: string[];
  iteration: number[];
  state: TaskRunState;
  outputs?: TaskOutputs;
  /** Output parameters that are lists collected from a ParallelFor (flattened by enclosing loops). */
  collected?: ReadonlySet<string>;
  /** Why a DAG output could not be resolved, reported to whichever consumer asks for it. */
  outputErrors?: Record<string, string>;
  error?: string;
  skipReason?: SkipReason;
  reason?: string;
  /** The MLMD execution KFP creates for the task; undefined when KFP creates none. */
  exec?: ExecNode;
  iterationCount?: number;
  /** Produced by an importer with `downloadToWorkspace` (resolve.go setWorkspaceFlag). */
  workspaceImporter?: boolean;
}

export interface Scope<D> {
  path: string[];
  iteration: number[];
  params: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRef[]>;
  records: Map<string, TaskRecord>;
  frame: D;
  exec: DagExecNode;
}
