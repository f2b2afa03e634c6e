// A deterministic in-memory visitor for driver tests: it "runs" each executable by fabricating outputs
// from the component's outputDefinitions (NUMBER_INTEGER → 1, STRING → 'x', …), with per-task
// overrides, failures and unavailability chosen by the test. It records everything it was asked.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { PipelineGraph } from '../../../src/pipeline/graph.js';
import type { JsonValue } from '../../../src/pipeline/ir.js';
import { parsePipelineText } from '../../../src/pipeline/load.js';
import {
  taskRecordKey,
  type ArtifactRef,
  type DagCall,
  type DagExit,
  type DriverVisitor,
  type ExecutableCall,
  type SkippedCall,
  type TaskOutputs,
  type VisitResult,
} from '../../../src/pipeline/driver/index.js';
import { compiledFixtures } from '../../support/fixtures.js';

export interface FakeFrame {
  id: string;
  key: string;
}

export interface FakeOptions {
  /** Output parameter values by task key (`path@iteration` or just the path) then output name. */
  outputs?: Record<string, Record<string, JsonValue>>;
  /** Tasks (by key or path) that fail. */
  fail?: (key: string, call: ExecutableCall<FakeFrame>) => boolean;
  /** Tasks that report 'unavailable'. */
  unavailable?: (key: string, call: ExecutableCall<FakeFrame>) => boolean;
  /** Tasks that report 'cached' instead of 'succeeded'. */
  cached?: (key: string, call: ExecutableCall<FakeFrame>) => boolean;
  /** Delay before answering, to exercise concurrency. */
  delayMs?: (key: string) => number;
}

export function defaultParameterValue(type: string | undefined): JsonValue {
  switch (type) {
    case 'NUMBER_INTEGER':
      return 1;
    case 'NUMBER_DOUBLE':
      return 1.5;
    case 'BOOLEAN':
      return true;
    case 'LIST':
      return ['x', 'y'];
    case 'STRUCT':
      return { k: 'v' };
    default:
      return 'x';
  }
}

export class FakeVisitor implements DriverVisitor<FakeFrame> {
  executed: string[] = [];
  calls = new Map<string, ExecutableCall<FakeFrame>>();
  entered: DagCall<FakeFrame>[] = [];
  exited: { key: string; result: DagExit }[] = [];
  skips: { key: string; call: SkippedCall }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private nextArtifact = 1;
  private nextDag = 100;

  constructor(private readonly options: FakeOptions = {}) {}

  async enterDag(call: DagCall<FakeFrame>): Promise<FakeFrame> {
    this.entered.push(call);
    return { id: String(this.nextDag++), key: taskRecordKey(call.path, call.iteration) };
  }

  async exitDag(frame: FakeFrame, result: DagExit): Promise<void> {
    this.exited.push({ key: frame.key, result });
  }

  async skipped(call: SkippedCall): Promise<void> {
    this.skips.push({ key: taskRecordKey(call.path, call.iteration), call });
  }

  dagExecutionId(frame: FakeFrame): string {
    return frame.id;
  }

  async executable(call: ExecutableCall<FakeFrame>): Promise<VisitResult> {
    const key = taskRecordKey(call.path, call.iteration);
    this.executed.push(key);
    this.calls.set(key, call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const delay = this.options.delayMs?.(key) ?? 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      else await Promise.resolve();
      if (this.options.unavailable?.(key, call)) return { state: 'unavailable', reason: `fake: ${key} unavailable` };
      if (this.options.fail?.(key, call)) return { state: 'failed', error: `fake: ${key} failed` };
      const outputs = this.outputsOf(call, key);
      return { state: this.options.cached?.(key, call) ? 'cached' : 'succeeded', outputs };
    } finally {
      this.inFlight--;
    }
  }

  private outputsOf(call: ExecutableCall<FakeFrame>, key: string): TaskOutputs {
    const overrides = this.options.outputs?.[key] ?? this.options.outputs?.[call.path.join('/')] ?? {};
    const defs = call.node.component.outputDefinitions;
    const parameters: Record<string, JsonValue> = {};
    for (const [name, spec] of Object.entries(defs?.parameters ?? {})) {
      parameters[name] = name in overrides ? overrides[name]! : defaultParameterValue(spec.parameterType);
    }
    if (call.node.executor?.container?.image === 'argostub/createpvc') parameters.name = 'pvc-created';
    const artifacts: Record<string, ArtifactRef[]> = {};
    for (const [name, spec] of Object.entries(defs?.artifacts ?? {})) {
      const id = String(this.nextArtifact++);
      const uri = call.importer ? call.importer.artifactUri : `mem://${key}/${name}`;
      const ref: ArtifactRef = { id, uri, schemaTitle: spec.artifactType?.schemaTitle ?? 'system.Artifact' };
      if (spec.artifactType?.schemaVersion) ref.schemaVersion = spec.artifactType.schemaVersion;
      artifacts[name] = [ref];
    }
    return { parameters, artifacts };
  }
}

export function loadFixture(rel: string): PipelineGraph {
  const found = compiledFixtures().find(([r]) => r === rel);
  if (!found) throw new Error(`no fixture ${rel}`);
  const res = parsePipelineText(readFileSync(found[1], 'utf8'), rel);
  expect(res.diagnostics).toEqual([]);
  return res.graph!;
}

/** Values for required root parameters without a default, made up from their types. */
export function requiredParameters(graph: PipelineGraph): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, spec] of Object.entries(graph.pkg.spec.root.inputDefinitions?.parameters ?? {})) {
    if (spec.defaultValue === undefined && spec.isOptional !== true)
      out[name] = defaultParameterValue(spec.parameterType);
  }
  return out;
}
