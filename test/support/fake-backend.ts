/**
 * An in-memory LocationBackend (src/location/backend/port.ts) for fast tests of the rules above the port:
 * tasks with states and fingerprints under runs, artifacts with global ids, output links, and the cache
 * answer as the next KFP's API server gives it (newest SUCCEEDED task with the fingerprint in the namespace).
 * `execute` plays a KFP run with caching on. `failAfter` makes the n-th write throw, as a kill would.
 */
import { walkBackend } from '../../src/observe/backend-walk.js';
import { importBundleWith, type BundleImport, type BundleImportResult } from '../../src/sync/backend-import.js';
import {
  globalIdFor,
  parseAnyGlobalId,
  type ArtifactRecord,
  type BackendDescription,
  type CacheAnswer,
  type CacheScope,
  type OpenTask,
  type ProducedArtifact,
  type ImportRequest,
  type ImportResult,
  type LocationBackend,
  type RecordWriter,
  type RunRecord,
  type TaskOutcome,
} from '../../src/location/backend/port.js';
import { nextFingerprint, type CacheKeyInput } from '../../src/pipeline/fingerprint/index.js';
import type { ImporterCall } from '../../src/pipeline/driver/types.js';
import type { PipelineGraph } from '../../src/pipeline/graph.js';
import type { JsonValue } from '../../src/pipeline/ir.js';

export interface FakeTask {
  id: string;
  globalId: string;
  runId: string;
  rootTask: string;
  kind: 'container' | 'importer';
  state: 'RUNNING' | 'SUCCEEDED' | 'CACHED' | 'FAILED' | 'SKIPPED';
  fingerprint?: string;
  namespace: string;
  seq: number;
  parameters: Record<string, JsonValue>;
  outputs: { output: string; artifactId: string }[];
  inputs: { input: string; artifactId: string }[];
  recordedObjects?: string;
}

export class FakeBackend implements LocationBackend, RecordWriter {
  readonly kind = 'native' as const;
  readonly tasks = new Map<string, FakeTask>();
  readonly artifactsById = new Map<string, ArtifactRecord>();
  readonly calls: Record<string, number> = {};
  /** Throw on the n-th write from now (1 = the next one); undefined: never. */
  failAfter: number | undefined;
  private seq = 0;

  constructor(
    readonly location: string,
    readonly namespace = '',
    readonly pipelineRoot = `s3://${location}/root`,
  ) {}

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  private write(): void {
    if (this.failAfter === undefined) return;
    this.failAfter--;
    if (this.failAfter <= 0) {
      this.failAfter = undefined;
      throw new Error(`killed (fake ${this.location})`);
    }
  }

  private nextId(prefix: string): string {
    return `${prefix}-${this.location}-${++this.seq}`;
  }

  describe(): BackendDescription {
    return { kind: 'native', detail: 'fake' };
  }

  async cacheScope(): Promise<CacheScope> {
    this.count('cacheScope');
    return { namespace: this.namespace, publishLogs: true, publishLogsFrom: 'default' };
  }

  fingerprint(input: CacheKeyInput, pipelineName: string): string {
    return nextFingerprint({ ...input, pipelineName });
  }

  /** The newest SUCCEEDED task with the fingerprint (next:backend/src/apiserver/storage/task_store.go:895-932). */
  answerFor(fp: string, namespace: string): FakeTask | undefined {
    let best: FakeTask | undefined;
    for (const t of this.tasks.values())
      if (t.fingerprint === fp && t.state === 'SUCCEEDED' && t.namespace === namespace && (!best || t.seq > best.seq))
        best = t;
    return best;
  }

  async lookupCache(_p: string, fingerprints: readonly string[], scope: CacheScope): Promise<Map<string, CacheAnswer>> {
    this.count('lookupCache');
    const out = new Map<string, CacheAnswer>();
    for (const fp of fingerprints) {
      const t = this.answerFor(fp, scope.namespace ?? '');
      if (!t) {
        out.set(fp, { hit: false, fingerprint: fp, reason: `no cached task for fingerprint ${fp.slice(0, 12)}` });
        continue;
      }
      out.set(fp, {
        hit: true,
        fingerprint: fp,
        task: { id: t.id, globalId: t.globalId },
        parameters: t.parameters,
        artifacts: t.outputs.flatMap((o) => {
          const a = this.artifactsById.get(o.artifactId);
          return a ? [{ output: o.output, artifact: a }] : [];
        }),
        ...(t.recordedObjects ? { recordedObjects: t.recordedObjects } : {}),
      });
    }
    return out;
  }

  async runRecord(runId: string): Promise<RunRecord> {
    this.count('runRecord');
    const tasks = [...this.tasks.values()].filter((t) => t.runId === runId);
    const outcome: Record<FakeTask['state'], TaskOutcome> = {
      RUNNING: 'running',
      SUCCEEDED: 'executed',
      CACHED: 'cached',
      FAILED: 'failed',
      SKIPPED: 'skipped',
    };
    return {
      runId,
      found: tasks.length > 0,
      tasks: tasks.map((t) => ({
        id: t.id,
        globalId: t.globalId,
        kind: t.kind,
        rootTask: t.rootTask,
        outcome: outcome[t.state],
        ...(t.fingerprint ? { fingerprint: t.fingerprint } : {}),
      })),
      rootTasksSeen: [...new Set(tasks.map((t) => t.rootTask))],
    };
  }

  async artifacts(ids: readonly string[]): Promise<Map<string, ArtifactRecord>> {
    this.count('artifacts');
    return new Map(
      ids.flatMap((id) => (this.artifactsById.has(id) ? [[id, this.artifactsById.get(id)!] as const] : [])),
    );
  }

  async findArtifacts(globalIds: readonly string[]): Promise<Map<string, ArtifactRecord>> {
    this.count('findArtifacts');
    const out = new Map<string, ArtifactRecord>();
    for (const a of this.artifactsById.values()) if (globalIds.includes(a.globalId)) out.set(a.globalId, a);
    for (const g of globalIds) {
      const p = parseAnyGlobalId(g);
      const a = p?.origin === this.location ? this.artifactsById.get(p.localId) : undefined;
      if (a) out.set(g, a);
    }
    return out;
  }

  /** The fake's importer reuses an artifact of the same type and URI (the native rule, without name and metadata). */
  async importerArtifact(call: ImporterCall): Promise<ArtifactRecord | undefined> {
    if (call.reimport) return undefined;
    const type = call.typeSchema.schemaTitle ?? 'system.Artifact';
    return [...this.artifactsById.values()].find((a) => a.uri === call.artifactUri && a.type === type);
  }

  async createImporterArtifact(markerRunId: string, call: ImporterCall, taskId: string): Promise<ArtifactRecord> {
    const task = this.tasks.get(taskId);
    if (!task || task.runId !== markerRunId)
      throw new Error(`fake ${this.location}: importer artifact names task ${taskId}, not one of run ${markerRunId}`);
    const existing = await this.importerArtifact(call);
    if (existing) return existing;
    this.write();
    const id = this.nextId('art');
    const r: ArtifactRecord = {
      id,
      globalId: globalIdFor(this.location, 'artifact', id),
      type: call.typeSchema.schemaTitle ?? 'system.Artifact',
      uri: call.artifactUri,
      metadata: call.metadata ?? {},
    };
    this.artifactsById.set(id, r);
    task.outputs.push({ output: call.outputName, artifactId: id });
    return r;
  }

  importBundle(req: BundleImport): Promise<BundleImportResult> {
    return importBundleWith(this, req);
  }

  async openTasks(
    markerRunId: string,
    tasks: readonly OpenTask[],
  ): Promise<{ taskIds: Map<string, string>; created: number }> {
    this.count('openTasks');
    const taskIds = new Map<string, string>();
    let created = 0;
    const inRun = [...this.tasks.values()].filter((t) => t.runId === markerRunId);
    for (const t of tasks) {
      let task = inRun.find((x) => x.globalId === t.globalId);
      if (!task) {
        this.write();
        task = {
          id: this.nextId('task'),
          globalId: t.globalId,
          runId: markerRunId,
          rootTask: t.path[0]!,
          kind: t.kind,
          state: 'RUNNING',
          namespace: this.namespace,
          seq: ++this.seq,
          parameters: t.parameters,
          outputs: [],
          inputs: [],
          ...(t.recordedObjects ? { recordedObjects: t.recordedObjects } : {}),
        };
        this.tasks.set(task.id, task);
        inRun.push(task);
        created++;
      }
      taskIds.set(t.globalId, task.id);
    }
    return { taskIds, created };
  }

  /** As the next KFP: an artifact is created only as the output of a task of the run (artifact_server.go:804-846). */
  async createArtifacts(
    markerRunId: string,
    artifacts: readonly ProducedArtifact[],
  ): Promise<Map<string, ArtifactRecord>> {
    this.count('createArtifacts');
    const out = new Map<string, ArtifactRecord>();
    for (const a of artifacts) {
      const task = this.tasks.get(a.producer.taskId);
      if (!task || task.runId !== markerRunId)
        throw new Error(
          `fake ${this.location}: artifact ${a.globalId} names task ${a.producer.taskId}, not one of run ${markerRunId}`,
        );
      this.write();
      const id = this.nextId('art');
      const r: ArtifactRecord = { id, globalId: a.globalId, type: a.type, uri: a.uri, metadata: a.metadata };
      this.artifactsById.set(id, r);
      task.outputs.push({ output: a.producer.output, artifactId: id });
      out.set(a.globalId, r);
    }
    return out;
  }

  async writeTasks(
    req: ImportRequest,
    artifactIds: ReadonlyMap<string, string>,
    taskIds: ReadonlyMap<string, string>,
  ): Promise<ImportResult> {
    this.count('writeTasks');
    const result: ImportResult = {
      artifactIds: new Map(artifactIds),
      taskIds: new Map(taskIds),
      artifactsCreated: 0,
      tasksCreated: 0,
      cacheEntriesCreated: 0,
    };
    for (const t of req.tasks) {
      const task = this.tasks.get(taskIds.get(t.globalId)!)!;
      for (const o of t.outputs) {
        const artifactId = artifactIds.get(o.artifact)!;
        if (!task.outputs.some((x) => x.output === o.name && x.artifactId === artifactId)) {
          this.write();
          task.outputs.push({ output: o.name, artifactId });
        }
      }
      for (const i of t.inputs)
        for (const g of i.artifacts) {
          const artifactId = artifactIds.get(g)!;
          if (!task.inputs.some((x) => x.input === i.name && x.artifactId === artifactId))
            task.inputs.push({ input: i.name, artifactId });
        }
    }
    for (const t of req.tasks) {
      const task = this.tasks.get(taskIds.get(t.globalId)!)!;
      if (task.state === 'SUCCEEDED') continue;
      this.write();
      if (t.fingerprint) task.fingerprint = t.fingerprint;
      task.state = 'SUCCEEDED';
      if (t.fingerprint) result.cacheEntriesCreated++;
    }
    return result;
  }

  /**
   * Plays a KFP run of `steps` here with caching on: a task with a cache answer becomes CACHED with the answer's
   * outputs; any other one runs, producing one artifact per declared output and a SUCCEEDED task.
   */
  async execute(
    graph: PipelineGraph,
    parameters: Record<string, JsonValue>,
    steps: string[],
    runId: string,
  ): Promise<void> {
    const scope = await this.cacheScope();
    const walk = await walkBackend(this, {
      graph,
      parameters,
      rootTasks: steps,
      scope,
      override: async (call, fp) => {
        if (!fp || !call.cacheKeyInput) return { state: 'unavailable', reason: 'not cacheable in the fake' };
        const answer = this.answerFor(fp, scope.namespace ?? '');
        const base = {
          globalId: '',
          runId,
          rootTask: call.path[0]!,
          kind: 'container' as const,
          fingerprint: fp,
          namespace: this.namespace,
          inputs: [],
        };
        if (answer) {
          const id = this.nextId('task');
          this.tasks.set(id, {
            ...base,
            id,
            globalId: globalIdFor(this.location, 'execution', id),
            state: 'CACHED',
            seq: ++this.seq,
            parameters: answer.parameters,
            outputs: answer.outputs,
          });
          return { state: 'cached', outputs: this.outputsOf(answer) };
        }
        const id = this.nextId('task');
        const outputs = Object.keys(call.cacheKeyInput.outputArtifacts).map((output) => {
          const aid = this.nextId('art');
          const title = call.cacheKeyInput!.outputArtifacts[output]?.artifactType?.schemaTitle ?? 'system.Artifact';
          this.artifactsById.set(aid, {
            id: aid,
            globalId: globalIdFor(this.location, 'artifact', aid),
            type: title,
            uri: `${this.pipelineRoot}/${graph.name}/${runId}/${call.path.join('/')}/${output}`,
            metadata: {},
          });
          return { output, artifactId: aid };
        });
        const params: Record<string, JsonValue> = {};
        for (const [name, type] of Object.entries(call.cacheKeyInput.outputParameters))
          params[name] =
            type === 'NUMBER_DOUBLE' ? 0.9 : type === 'NUMBER_INTEGER' ? 1 : type === 'BOOLEAN' ? true : 'x';
        const task: FakeTask = {
          ...base,
          id,
          globalId: globalIdFor(this.location, 'execution', id),
          state: 'SUCCEEDED',
          seq: ++this.seq,
          parameters: params,
          outputs,
        };
        this.tasks.set(id, task);
        return { state: 'succeeded', outputs: this.outputsOf(task) };
      },
    });
    if (walk.drive.state !== 'succeeded')
      throw new Error(`fake run ${runId} at ${this.location}: ${walk.drive.error ?? walk.drive.state}`);
  }

  private outputsOf(t: FakeTask) {
    const artifacts: Record<string, { id: string; uri: string; schemaTitle: string }[]> = {};
    for (const o of t.outputs) {
      const a = this.artifactsById.get(o.artifactId)!;
      (artifacts[o.output] ??= []).push({ id: a.id, uri: a.uri, schemaTitle: a.type });
    }
    return { parameters: t.parameters, artifacts };
  }
}
