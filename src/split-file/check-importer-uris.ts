// Importer URIs travel unchanged: split-pipelines copies artifacts under the pipeline root, not the
// data an importer points at (src/sync/export.ts leaves importer artifacts' objects where they are).
// A URI that names its store by scheme only then means another store at another location:
// - `minio://bucket/key` is read through each location's own MinIO (the launcher resolves the scheme
//   with the location's kfp-launcher settings), so at another location it is another store;
// - a URI in the source location's pipeline-root bucket is that location's store, which another
//   location with another object store endpoint does not reach.
// A consumer executing at another location would read another object, or nothing. (A consumer of an
// importer that downloads to the workspace, handed off, is refused by check-workspace.ts.) This is
// not a KFP bug, hence a warning.
import type { TaskNode } from '../pipeline/graph.js';
import type { IrImporter, JsonValue } from '../pipeline/ir.js';
import type { StageInput } from '../plan/layout.js';
import { innerFrame, rootFrame, staticParameterValue, type Frame } from './static-values.js';
import type { LocationSpec } from './types.js';

export interface ImporterUriFinding {
  /** Index of the stage and step (in the file) the message points at. */
  stage: number;
  step: number;
  message: string;
}

interface ImporterFound {
  path: string;
  uri: string;
}

const MAX_DEPTH = 64;

export function importerUriFindings(
  rootTasks: ReadonlyMap<string, TaskNode>,
  stages: readonly StageInput[],
  locations: readonly LocationSpec[],
  pipelineParameters: Readonly<Record<string, JsonValue>>,
): ImporterUriFinding[] {
  const out: ImporterUriFinding[] = [];
  const placed = new Map<string, { stage: number; step: number; location: string }>();
  stages.forEach((s, i) =>
    s.steps.forEach((step, j) => placed.has(step) || placed.set(step, { stage: i, step: j, location: s.location })),
  );
  const locationOf = new Map(locations.map((l) => [l.name, l]));
  const frame = rootFrame(rootTasks);

  // A step executing at one location that takes an importer's artifact from a step placed at another.
  for (const [consumer, at] of placed) {
    const node = rootTasks.get(consumer);
    if (!node) continue;
    for (const [input, spec] of Object.entries(node.task.inputs?.artifacts ?? {})) {
      const src = spec.taskOutputArtifact;
      const from = src ? placed.get(src.producerTask) : undefined;
      const producer = src ? rootTasks.get(src.producerTask) : undefined;
      if (!src || !from || !producer || from.location === at.location) continue;
      const importer = importerBehind(producer, src.outputArtifactKey, frame, pipelineParameters, 0);
      if (!importer) continue;
      const why = storeProblem(importer.uri, locationOf.get(from.location), locationOf.get(at.location));
      if (!why) continue;
      out.push({
        stage: at.stage,
        step: at.step,
        message:
          `step "${consumer}" (stage ${at.stage + 1}, location ${at.location}) reads input "${input}" ` +
          `from importer "${importer.path}" (stage ${from.stage + 1}, location ${from.location}), ` +
          `whose URI "${importer.uri}" ${why}; split-pipelines does not copy the data importers point at: ` +
          `copy it to a store both locations read under the same URI, or place "${consumer}" at ${from.location}`,
      });
    }
  }
  return out;
}

/** Why `uri`, valid at `source`, names another store at `target`; undefined when it does not. */
export function storeProblem(
  uri: string,
  source: LocationSpec | undefined,
  target: LocationSpec | undefined,
): string | undefined {
  if (!source || !target) return undefined;
  const m = /^([a-z0-9]+):\/\/([^/?#]+)/.exec(uri);
  if (!m) return undefined;
  const [, scheme, bucket] = m;
  if (scheme === 'minio') {
    return (
      `names the store by scheme only: minio:// is each location's own MinIO, ` +
      `so at ${target.name} it is ${target.name}'s store, not ${source.name}'s`
    );
  }
  const root = /^([a-z0-9]+):\/\/([^/?#]+)/.exec(source.objectStore.pipelineRoot);
  if (!root || root[1] !== scheme || root[2] !== bucket) return undefined;
  if (sameEndpoint(source.objectStore.endpoint, target.objectStore.endpoint)) return undefined;
  return (
    `is in the pipeline-root bucket of ${source.name} (${scheme}://${bucket}), which ${target.name} reaches ` +
    `through another object store (${target.objectStore.endpoint}), so it names another store there`
  );
}

function sameEndpoint(a: string, b: string): boolean {
  const norm = (e: string) => e.trim().replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** The importer whose artifact `producer`'s output `outputKey` is, following DAG outputs down. */
function importerBehind(
  producer: TaskNode,
  outputKey: string,
  frame: Frame,
  params: Readonly<Record<string, JsonValue>>,
  depth: number,
): ImporterFound | undefined {
  if (producer.kind === 'importer') return importerFound(producer, frame, params);
  if (producer.kind !== 'dag' || depth > MAX_DEPTH) return undefined;
  const inner = innerFrame(producer, frame);
  for (const s of producer.component.dag?.outputs?.artifacts?.[outputKey]?.artifactSelectors ?? []) {
    const sub = producer.children.find((c) => c.key === s.producerSubtask);
    const found = sub ? importerBehind(sub, s.outputArtifactKey, inner, params, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The importer's URI when the package and the file tell it: a constant, or a parameter traced to one. */
function importerFound(
  node: TaskNode,
  frame: Frame,
  params: Readonly<Record<string, JsonValue>>,
): ImporterFound | undefined {
  const importer: IrImporter | undefined = node.executor?.importer;
  if (!importer) return undefined;
  let uri: JsonValue | undefined;
  if (importer.artifactUri?.constant !== undefined) uri = importer.artifactUri.constant;
  else if (importer.artifactUri?.runtimeParameter !== undefined) {
    const spec = node.task.inputs?.parameters?.[importer.artifactUri.runtimeParameter];
    const v = spec ? staticParameterValue(spec, frame, params) : undefined;
    uri = v?.kind === 'value' ? v.value : undefined;
  }
  return typeof uri === 'string' ? { path: node.path.join('/'), uri } : undefined;
}
