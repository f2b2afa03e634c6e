// What the lab's "user code" reads and writes, as a KFP SDK component would.
//
// Writes. The SDK's executor only creates an output's parent directory (2.17.0:sdk/python/kfp/dsl/
// executor.py:504-505); the file exists only if the user code writes it. Metrics artifacts are not
// written at all: `Metrics.log_metric`, `ClassificationMetrics.log_roc_data_point` / `log_confusion_matrix`
// and `SlicedClassificationMetrics` only set `metadata` (2.17.0:sdk/python/kfp/dsl/types/
// artifact_types.py:223-230, 243-387, 406-436), which the executor returns in executor_output.json
// (executor.py:321-332) and the launcher records as the artifact's custom properties
// (launcher_v2.go:804-808 mergeRuntimeArtifacts, then RecordArtifact). The launcher records an output
// whose file is missing all the same (launcher_v2.go:824-832; 2.14.0:544-551).
//
// Reads. The launcher downloads whatever objects an input has, possibly none (artifact-io.ts); only
// the component finds out, when it opens the file. The lab's component reads an input's bytes
// unless it is of a metrics type (read through its metadata) or configured as ignored; a missing
// file then fails it (exit status 1), as a Python component opening a missing path would. A
// lab-written object whose bytes no longer match its own header is the lab's format damaged
// (truncated, extended or altered): the lab's component cannot parse it and fails, as user code
// fails on a damaged file of its own format. Bytes without a lab header are data the component
// reads as they are (an importer's file, or anything put there): their digest feeds its outputs,
// which then differ, as a real component's would. Nothing here asks ML Metadata who wrote the bytes.
import { createHash } from 'node:crypto';
import type { ArtifactRef } from '../../../../src/pipeline/driver/index.js';
import type { JsonObject, JsonValue } from '../../../../src/pipeline/ir.js';
import type { DownloadedObject } from './artifact-io.js';
import type { StepBehaviour } from './behaviour.js';
import { METRICS_ARTIFACT_TYPES } from '../../../../src/pipeline/metrics-types.js';
import { canonical } from './output-values.js';
import type { ProvisionedOutput } from './outputs.js';

/** The user code failed: the launcher reports "failed to execute component: exit status 1". */
export class ComponentFailure extends Error {
  override readonly name = 'ComponentFailure';
}

/** Whether the step writes an output's bytes: never for the metrics types, nor when configured unwritten. */
export function writesOutput(behaviour: StepBehaviour, out: ProvisionedOutput): boolean {
  return !METRICS_ARTIFACT_TYPES.has(out.schemaTitle) && !(behaviour.unwritten ?? []).includes(out.name);
}

/** Whether the step opens an input artifact's file (a metrics input is read through its metadata). */
export function readsInput(behaviour: StepBehaviour, inputName: string, ref: ArtifactRef): boolean {
  return !METRICS_ARTIFACT_TYPES.has(ref.schemaTitle) && !(behaviour.ignoredInputs ?? []).includes(inputName);
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * What the component takes from one input artifact (the seed its outputs are derived from).
 * An input it does not open contributes its metadata, without `store_session_info` (which says how
 * the location's own store is reached, and differs between locations by design).
 */
export function inputContent(
  task: string,
  inputName: string,
  ref: ArtifactRef,
  objects: DownloadedObject[],
  reads: boolean,
): string {
  if (!reads) {
    const { store_session_info: _session, ...metadata } = ref.metadata ?? {};
    return `metadata:${digest(canonical(metadata))}`;
  }
  if (objects.length === 0) {
    throw new ComponentFailure(
      `exit status 1 (task ${task} opens input artifact "${inputName}", but the launcher downloaded nothing: no object at ${ref.uri})`,
    );
  }
  const seeds: string[] = [];
  for (const o of objects) {
    if (o.check.kind === 'corrupt') {
      const what = `the object ${o.key} is not the one the lab's launcher wrote: ${o.check.problem}`;
      throw new ComponentFailure(`exit status 1 (task ${task} cannot parse input artifact "${inputName}": ${what})`);
    }
    seeds.push(o.check.kind === 'lab' ? o.check.seed : o.check.sha256);
  }
  // One file (the usual case) keeps its own seed; a directory is the digest of its files in key order.
  if (objects.length === 1) return seeds[0]!;
  const keyed = objects.map((o, i) => `${o.key}\u0000${seeds[i]}`).sort();
  return digest(keyed.join('\n'));
}

/** A deterministic number in [0, 1) from a seed. */
function fraction(seed: string, salt: string): number {
  return Math.round((parseInt(digest(`${seed}\u0000${salt}`).slice(0, 8), 16) / 0x1_0000_0000) * 10_000) / 10_000;
}

function rocPoint(seed: string, i: number): JsonObject {
  return {
    confidenceThreshold: Math.round((1 - i * 0.5) * 100) / 100,
    recall: fraction(seed, `recall-${i}`),
    falsePositiveRate: fraction(seed, `fpr-${i}`),
  };
}

/**
 * The metadata a metrics output records: the configured one, else what a component logging one
 * value of each kind would set (a scalar `score`; an ROC curve; one slice).
 */
export function metricsMetadata(
  behaviour: StepBehaviour,
  out: ProvisionedOutput,
  seed: string,
): JsonObject | undefined {
  const configured = behaviour.metrics?.[out.name];
  if (configured) return configured;
  const curve: JsonValue = [rocPoint(seed, 0), rocPoint(seed, 1)];
  switch (out.schemaTitle) {
    case 'system.Metrics':
      return { score: fraction(seed, 'score') };
    case 'system.ClassificationMetrics':
      return { confidenceMetrics: curve };
    case 'system.SlicedClassificationMetrics':
      return { evaluationSlices: [{ slice: 'overall', sliceClassificationMetrics: { confidenceMetrics: curve } }] };
    default:
      return undefined;
  }
}
