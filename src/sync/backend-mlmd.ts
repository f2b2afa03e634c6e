// The location backend port (src/location/backend/port.ts) over ML Metadata and the API server's task
// table (KFP 2.14–2.17). It lives in sync, not beside the port, because it delegates to the existing
// functions (src/observe/cache-lookup.ts, driver-settings.ts, src/sync/fresh-rows.ts, import-metadata.ts)
// and only translates MLMD's messages into the port's records: ids become decimal strings, custom
// properties plain JSON, executions tasks.
import type { Artifact, Execution, MlmdClient } from '../location/mlmd/index.js';
import { collectPages, plainValue } from '../location/mlmd/index.js';
import { lookupCacheMany, OBJECTS_PROPERTY, type CacheLookup, type LocationReaders } from '../observe/cache-lookup.js';
import { describePodNamespace, readDriverSettings } from '../observe/driver-settings.js';
import { fingerprint, type CacheKeyInput } from '../pipeline/fingerprint/index.js';
import type { JsonObject } from '../pipeline/ir.js';
import type { BundleImport, BundleImporter, BundleImportResult } from './backend-import.js';
import { executionIdentities } from './fresh-rows.js';
import { globalIdOf } from './global-id.js';
import { importMetadata } from './import-metadata.js';
import {
  parseAnyGlobalId,
  type ArtifactRecord,
  type BackendDescription,
  type CacheAnswer,
  type CacheScope,
  type LocationBackend,
  type RunRecord,
  type TaskOutcome,
  type TaskRecord,
} from '../location/backend/port.js';

export interface MlmdBackendSource extends LocationReaders {
  kfpVersion: string;
  pipelineRoot: string;
  /** The file's `mlmd.endpoint`, for `describe`. */
  mlmdEndpoint?: string;
}

const IDS_PER_READ = 100;

export function artifactRecord(location: string, a: Artifact): ArtifactRecord {
  const metadata: JsonObject = {};
  for (const [k, v] of Object.entries(a.customProperties ?? {})) {
    const pv = plainValue(v);
    if (pv !== undefined) metadata[k] = pv;
  }
  return {
    id: String(a.id),
    globalId: globalIdOf(location, 'artifact', a),
    type: a.type ?? 'system.Artifact',
    uri: a.uri ?? '',
    metadata,
  };
}

function outcomeOf(e: Execution): TaskOutcome {
  switch (e.lastKnownState) {
    case 'CACHED':
      return 'cached';
    case 'COMPLETE':
      return 'executed';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'canceled';
    default:
      return 'running';
  }
}

export class MlmdBackend implements LocationBackend, BundleImporter {
  readonly kind = 'mlmd' as const;
  readonly location: string;

  constructor(private readonly src: MlmdBackendSource) {
    this.location = src.name;
  }

  private get mlmd(): MlmdClient {
    return this.src.mlmd;
  }

  describe(): BackendDescription {
    const at = this.src.mlmdEndpoint ? ` at ${this.src.mlmdEndpoint}` : '';
    return { kind: 'mlmd', detail: `ML Metadata${at} with the task table` };
  }

  async cacheScope(): Promise<CacheScope> {
    const s = await readDriverSettings(this.src);
    const scope: CacheScope = { publishLogs: s.publishLogs, publishLogsFrom: s.publishLogsFrom };
    if (s.podNamespace !== undefined) scope.namespace = s.podNamespace;
    else scope.unknownNamespace = describePodNamespace(this.location, s);
    return scope;
  }

  fingerprint(input: CacheKeyInput): string {
    return fingerprint(input, this.src.kfpVersion);
  }

  async lookupCache(
    pipelineName: string,
    fingerprints: readonly string[],
    scope: CacheScope,
  ): Promise<Map<string, CacheAnswer>> {
    const out = new Map<string, CacheAnswer>();
    if (scope.namespace === undefined) {
      for (const fp of fingerprints)
        out.set(fp, {
          hit: false,
          fingerprint: fp,
          reason: `no cache row for fingerprint ${fp.slice(0, 12)}: ${scope.unknownNamespace ?? ''}`,
        });
      return out;
    }
    const found = await lookupCacheMany(
      { ...this.src, podNamespace: scope.namespace },
      pipelineName,
      fingerprints,
      false,
    );
    for (const [fp, l] of found) out.set(fp, this.answer(l));
    return out;
  }

  private answer(l: CacheLookup): CacheAnswer {
    if (!l.hit) return l;
    const recorded = l.execution.customProperties?.[OBJECTS_PROPERTY]?.stringValue;
    return {
      hit: true,
      fingerprint: l.fingerprint,
      task: { id: String(l.executionId), globalId: globalIdOf(this.location, 'execution', l.execution) },
      parameters: l.outputs.parameters,
      artifacts: l.artifacts.map(({ output, artifact }) => ({
        output,
        artifact: artifactRecord(this.location, artifact),
      })),
      ...(recorded !== undefined ? { recordedObjects: recorded } : {}),
    };
  }

  async runRecord(runId: string): Promise<RunRecord> {
    const ctx = await this.mlmd.getContextByTypeAndName('system.PipelineRun', runId);
    if (ctx?.id === undefined) return { runId, found: false, tasks: [], rootTasksSeen: [] };
    const executions = await collectPages((token) =>
      this.mlmd.getExecutionsByContext(ctx.id!, { maxResultSize: 100, ...(token ? { nextPageToken: token } : {}) }),
    );
    const identity = executionIdentities(executions, runId);
    const tasks: TaskRecord[] = [];
    for (const e of executions) {
      const kind =
        e.type === 'system.ContainerExecution'
          ? 'container'
          : e.type === 'system.ImporterExecution'
            ? 'importer'
            : undefined;
      if (!kind) continue;
      const t: TaskRecord = {
        id: String(e.id),
        globalId: globalIdOf(this.location, 'execution', e),
        kind,
        outcome: outcomeOf(e),
      };
      const root = identity.get(e.id!)?.split(/[/@]/)[0];
      if (root) t.rootTask = root;
      const fp = e.customProperties?.['cache_fingerprint']?.stringValue;
      if (fp) t.fingerprint = fp;
      tasks.push(t);
    }
    const seen = new Set<string>();
    for (const e of executions) {
      const name = e.customProperties?.['task_name']?.stringValue;
      if (name) seen.add(name);
    }
    return { runId, found: true, tasks, rootTasksSeen: [...seen] };
  }

  async artifacts(ids: readonly string[]): Promise<Map<string, ArtifactRecord>> {
    const numeric = [...new Set(ids)].filter((i) => /^\d+$/.test(i)).map(Number);
    const out = new Map<string, ArtifactRecord>();
    for (let i = 0; i < numeric.length; i += IDS_PER_READ)
      for (const a of await this.mlmd.getArtifactsByID(numeric.slice(i, i + IDS_PER_READ)))
        out.set(String(a.id), artifactRecord(this.location, a));
    return out;
  }

  async findArtifacts(globalIds: readonly string[]): Promise<Map<string, ArtifactRecord>> {
    const out = new Map<string, ArtifactRecord>();
    const home: string[] = [];
    const external: string[] = [];
    for (const g of new Set(globalIds)) {
      const p = parseAnyGlobalId(g);
      if (p?.origin === this.location && p.kind === 'artifact' && /^\d+$/.test(p.localId)) home.push(p.localId);
      else external.push(g);
    }
    for (const r of (await this.artifacts(home)).values()) out.set(r.globalId, r);
    for (let i = 0; i < external.length; i += IDS_PER_READ)
      for (const a of await this.mlmd.getArtifactsByExternalIds(external.slice(i, i + IDS_PER_READ)))
        out.set(a.externalId!, artifactRecord(this.location, a));
    return out;
  }

  async importBundle(req: BundleImport): Promise<BundleImportResult> {
    const r = await importMetadata({
      bundle: req.bundle,
      target: this.src,
      graph: req.graph,
      parameters: req.parameters,
      markerRunId: req.markerRunId,
      ...(req.digests ? { digests: req.digests } : {}),
    });
    return {
      artifactsCreated: r.artifactsCreated,
      tasksCreated: r.executionsCreated,
      cacheEntriesCreated: r.cacheRowsCreated,
      tasks: r.executions.map((e) => ({
        globalId: e.globalId,
        key: e.key,
        taskId: String(e.executionId),
        fingerprint: e.fingerprint,
      })),
    };
  }
}

export function mlmdBackend(src: MlmdBackendSource): MlmdBackend {
  return new MlmdBackend(src);
}
