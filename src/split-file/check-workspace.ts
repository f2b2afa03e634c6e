// Tasks that use the pipeline workspace (KFP >= 2.15) are never a cache hit in another run: the
// driver adds the run's workspace PVC, `<run name>-kfp-workspace`, to the PVC names in the cache key
// (2.17.0:backend/src/v2/driver/container.go:165-171, GetWorkspacePVCName in driver/k8s.go:125-127,
// where the run name is the Argo workflow name). The workspace's contents are the run's too.
//
// The driver decides from the resolved executor input (needsWorkspaceMount, driver/driver.go:521-552):
// - a string input parameter containing `{{$.workspace_path}}` (dsl.WORKSPACE_PATH_PLACEHOLDER) or
//   `/kfp-workspace` (component.WorkspaceMountPath); a constant `{{$.workspace_path}}` is resolved to
//   `/kfp-workspace` (driver/resolve.go:430-432), and a DAG passes the resolved string down;
// - the first artifact of an input flagged `_kfp_workspace`, which the driver sets when the artifact's
//   producer is an importer that downloads to the workspace (`downloadToWorkspace: true`,
//   setWorkspaceFlag in driver/resolve.go:37-46, applied at :798 and, through DAG outputs, at :1020).
//   An artifact passed into a sub-DAG (componentInputArtifact) is read back from MLMD, where the flag
//   is never stored (metadata/converter.go:122-126), so it does not carry it.
// This finds what can be known from the package; a value computed at run time is found by the walk.
import type { TaskNode } from '../pipeline/graph.js';
import type { IrTaskArtifactInput, JsonValue } from '../pipeline/ir.js';
import { innerFrame, rootFrame, staticParameterValue, type Frame, type StaticValue } from './static-values.js';

/** `dsl.WORKSPACE_PATH_PLACEHOLDER`. */
const WORKSPACE_PLACEHOLDER = '{{$.workspace_path}}';
/** `component.WorkspaceMountPath` (2.17.0:backend/src/v2/component/constants.go:32). */
const WORKSPACE_MOUNT_PATH = '/kfp-workspace';

export interface WorkspaceUse {
  /** Path of the container task from the root DAG. */
  task: string[];
  input: string;
  /** Why the input puts the task in the workspace, for the message. */
  why: string;
}

/** Every container task inside `root` (a root task) that the driver would give the workspace. */
export function workspaceUses(
  root: TaskNode,
  rootTasks: ReadonlyMap<string, TaskNode>,
  pipelineParameters: Readonly<Record<string, JsonValue>> = {},
): WorkspaceUse[] {
  const found: WorkspaceUse[] = [];
  const visit = (node: TaskNode, frame: Frame) => {
    if (node.kind === 'dag') {
      const inner = innerFrame(node, frame);
      for (const child of node.children) visit(child, inner);
      return;
    }
    if (node.kind !== 'container') return; // only the container driver adds the workspace PVC
    for (const [name, spec] of Object.entries(node.task.inputs?.parameters ?? {})) {
      const why = stringWhy(staticParameterValue(spec, frame, pipelineParameters));
      if (why) found.push({ task: node.path, input: name, why });
    }
    for (const [name, spec] of Object.entries(node.task.inputs?.artifacts ?? {})) {
      const importer = artifactImporter(spec, frame);
      if (importer)
        found.push({
          task: node.path,
          input: name,
          why: `an artifact that importer "${importer}" downloads to the workspace (downloadToWorkspace)`,
        });
    }
  };
  visit(root, rootFrame(rootTasks));
  return found;
}

/** Whether a value names the workspace, and how. */
function stringWhy(v: StaticValue | undefined): string | undefined {
  const text = v === undefined ? undefined : v.kind === 'loop-items' ? v.raw : v.value;
  if (typeof text !== 'string') return undefined;
  if (text.includes(WORKSPACE_PLACEHOLDER)) return 'the workspace path (dsl.WORKSPACE_PATH_PLACEHOLDER)';
  if (text.includes(WORKSPACE_MOUNT_PATH)) return `a path in the workspace (${WORKSPACE_MOUNT_PATH})`;
  return undefined;
}

const MAX_DEPTH = 64;

/** The path of the workspace importer an artifact input comes from, if any. */
function artifactImporter(spec: IrTaskArtifactInput, frame: Frame): string | undefined {
  if (!spec.taskOutputArtifact) return undefined;
  const producer = frame.siblings.get(spec.taskOutputArtifact.producerTask);
  return producer ? producedByWorkspaceImporter(producer, spec.taskOutputArtifact.outputArtifactKey, 0) : undefined;
}

function producedByWorkspaceImporter(producer: TaskNode, outputKey: string, depth: number): string | undefined {
  if (producer.kind === 'importer') {
    return producer.executor?.importer?.downloadToWorkspace === true ? producer.path.join('/') : undefined;
  }
  if (producer.kind !== 'dag' || depth > MAX_DEPTH) return undefined;
  for (const s of producer.component.dag?.outputs?.artifacts?.[outputKey]?.artifactSelectors ?? []) {
    const inner = producer.children.find((c) => c.key === s.producerSubtask);
    const found = inner ? producedByWorkspaceImporter(inner, s.outputArtifactKey, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}
