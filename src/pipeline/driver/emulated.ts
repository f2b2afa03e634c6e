// Features checked before anything runs. Some are refused by KFP 2.17.0 itself when it compiles the
// run into an Argo workflow (`backend/src/v2/compiler/argocompiler/dag.go`), so no run of the pipeline
// exists to emulate; the rest are outside what this emulation reproduces.
import { walkTasks, type TaskNode } from '../graph.js';
import { NotEmulatedError } from './errors.js';

export function assertEmulated(roots: Iterable<TaskNode>): void {
  for (const node of walkTasks(roots)) {
    const at = `task ${node.path.join('/')}`;
    if (node.task.artifactIterator) {
      throw new NotEmulatedError(
        `${at} is a ParallelFor over artifacts (artifactIterator); KFP 2.17.0 cannot run it either ` +
          '("artifact iterator not implemented yet", backend/src/v2/compiler/argocompiler/dag.go)',
      );
    }
    if (node.kind === 'resolver') {
      throw new NotEmulatedError(
        `${at} uses a resolver executor; KFP 2.17.0 cannot run it either ("resolver executors not implemented")`,
      );
    }
    if (node.task.parameterIterator && node.kind !== 'dag') {
      throw new NotEmulatedError(`${at} iterates (parameterIterator) over a component that is not a DAG`);
    }
    if (node.kind === 'importer' && node.task.triggerPolicy?.condition) {
      throw new NotEmulatedError(
        `${at} is an importer with a condition; KFP 2.17.0 refuses to compile it ("triggerPolicy.condition on importer task is not supported")`,
      );
    }
    const strategy = node.task.triggerPolicy?.strategy;
    if (
      strategy !== undefined &&
      strategy !== 'ALL_UPSTREAM_TASKS_COMPLETED' &&
      strategy !== 'TRIGGER_STRATEGY_UNSPECIFIED' &&
      strategy !== 'ALL_UPSTREAM_TASKS_SUCCEEDED'
    ) {
      throw new NotEmulatedError(`${at} has the trigger strategy ${strategy}`);
    }
  }
}

export function isExitTask(node: TaskNode): boolean {
  return node.task.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED';
}
