import { expect } from 'vitest';
import type { Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { MlmdClient, collectPages } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import { NO_BYTES_TYPES, recordedOutputs } from '../../src/observe/cache-lookup.js';

/**
 * What must hold at every lab location after any sequence of (killed) applies: no MLMD entity
 * imported twice, no cache row naming a missing execution or an execution whose output bytes are
 * missing, and no partial object in the store.
 */
export async function checkInvariants(
  lab: Lab,
): Promise<{ importedExecutions: Record<string, number>; cacheRows: Record<string, number> }> {
  const importedExecutions: Record<string, number> = {};
  const cacheRows: Record<string, number> = {};
  for (const [name, loc] of Object.entries(lab.locations)) {
    const mlmd = new MlmdClient({ location: name, address: loc.mlmd });
    const kfp = new KfpClient({ location: name, endpoint: loc.kfp });
    const store = new ObjectStore({
      location: name,
      endpoint: loc.objectStore,
      pipelineRoot: loc.pipelineRoot,
      credentials: loc.credentials,
      region: loc.region,
    });
    try {
      const executions = await collectPages((t) =>
        mlmd.getExecutions({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
      );
      const imported = executions.filter((e) => e.externalId);
      expect(new Set(imported.map((e) => e.externalId)).size).toBe(imported.length);
      importedExecutions[name] = imported.length;
      const artifacts = await collectPages((t) =>
        mlmd.getArtifacts({ maxResultSize: 100, ...(t ? { nextPageToken: t } : {}) }),
      );
      const importedArtifacts = artifacts.filter((a) => a.externalId);
      expect(new Set(importedArtifacts.map((a) => a.externalId)).size).toBe(importedArtifacts.length);
      const byId = new Map(executions.map((e) => [String(e.id), e]));
      const rows = [];
      let token: string | undefined;
      do {
        const page = await kfp.listTasks({ pageSize: 100, ...(token ? { pageToken: token } : {}) });
        rows.push(...page.items);
        token = page.nextPageToken;
      } while (token);
      const cacheOnly = rows.filter((r) => r.fingerprint);
      cacheRows[name] = cacheOnly.length;
      for (const row of cacheOnly) {
        const exec = byId.get(row.mlmdExecutionID ?? '');
        expect(exec, `cache row ${row.id} at ${name} names execution ${row.mlmdExecutionID}`).toBeDefined();
        const outs = (await mlmd.getEventsByExecutionIDs([exec!.id!])).filter((e) => e.type === 'OUTPUT');
        const arts = outs.length ? await mlmd.getArtifactsByID(outs.map((e) => e.artifactId!)) : [];
        const record = recordedOutputs(exec);
        for (const a of arts) {
          // Metrics have no objects: the SDK only sets their metadata (cache-lookup.ts NO_BYTES_TYPES).
          if (!a.uri?.startsWith(loc.pipelineRoot) || NO_BYTES_TYPES.has(a.type ?? '')) continue;
          // Handed off as records only (src/plan/travel.ts): no step here reads their bytes, and the
          // store must then hold none of them.
          if (Object.values(record).some((r) => r.some((x) => x.uri === a.uri && x.travels === 'records'))) {
            expect(await store.head(store.resolve(a.uri)), `records-only ${a.uri} at ${name}`).toBeUndefined();
            continue;
          }
          const head = await store.head(store.resolve(a.uri));
          expect(head, `bytes of ${a.uri} at ${name} (cache row ${row.id})`).toBeDefined();
        }
      }
      for await (const o of store.list(loc.bucket, '')) expect(o.key).not.toMatch(/partial|\.tmp$/);
    } finally {
      mlmd.close();
      store.close();
    }
  }
  return { importedExecutions, cacheRows };
}
