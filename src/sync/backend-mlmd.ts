// The location backend port (src/location/backend/port.ts) over ML Metadata and the API server's task
// table (KFP 2.14–2.17). It lives in sync, not beside the port, because it delegates to the existing
// functions (src/observe/cache-lookup.ts, driver-settings.ts, src/sync/fresh-rows.ts, import-metadata.ts)
// and only translates MLMD's messages into the port's records: ids become decimal strings, custom
// properties plain JSON, executions tasks.
import type { Artifact, MlmdClient } from '../location/mlmd/index.js';
import { plainValue } from '../location/mlmd/index.js';
import { lookupCacheMany, OBJECTS_PROPERTY, type CacheLookup, type LocationReaders } from '../observe/cache-lookup.js';
import { describePodNamespace, readDriverSettings } from '../observe/driver-settings.js';
import { findMatchedArtifact, importerProperties } from '../observe/importer-match.js';
import type { ImporterCall } from '../pipeline/driver/types.js';
import { fingerprint, type CacheKeyInput } from '../pipeline/fingerprint/index.js';
import type { JsonObject } from '../pipeline/ir.js';
import type { BundleImport, BundleImporter, BundleImportResult } from './backend-import.js';
import { mlmdRunRecord } from '../observe/mlmd-run-record.js';
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

  /** FindMatchedArtifact among the pipeline context's artifacts (src/observe/importer-match.ts). */
  async importerArtifact(call: ImporterCall, pipelineName: string): Promise<ArtifactRecord | undefined> {
    if (call.reimport) return undefined;
    const built = importerProperties(call);
    if ('error' in built) return undefined;
    const ctx = await this.mlmd.getContextByTypeAndName('system.Pipeline', pipelineName);
    if (ctx?.id === undefined) return undefined;
    const found = await findMatchedArtifact(
      this.mlmd,
      {
        type: call.typeSchema.schemaTitle ?? 'system.Artifact',
        uri: call.artifactUri,
        customProperties: built.properties,
      },
      ctx.id,
    );
    return found ? artifactRecord(this.location, found) : undefined;
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
    return mlmdRunRecord(this.mlmd, this.location, runId);
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
