// The two driver settings KFP's API does not report (audit B1, B2), read from what KFP recorded:
// fakes of the two clients, so every branch is reached exactly.
import { describe, expect, it } from 'vitest';
import type { KfpClient, KfpFilter } from '../../src/location/kfp/index.js';
import type { Context, Event, Execution, MlmdClient } from '../../src/location/mlmd/index.js';
import { stringValue } from '../../src/location/mlmd/index.js';
import { newestCacheRow } from '../../src/observe/cache-lookup.js';
import {
  cacheRowNamespace,
  LocationSettingError,
  readDriverSettings,
  type DriverSettingsSource,
} from '../../src/observe/driver-settings.js';

interface World {
  multiUser?: boolean | 'unreachable';
  runContexts?: Context[];
  executions?: Execution[];
  events?: Event[];
}

function location(world: World, file: { namespace?: string; publishLogs?: boolean } = {}): DriverSettingsSource {
  const kfp = {
    async healthz() {
      if (world.multiUser === 'unreachable') throw new Error('connect ECONNREFUSED');
      return { version: '2.17.0', multiUser: world.multiUser ?? false };
    },
  } as unknown as KfpClient;
  const mlmd = {
    async getContextsByType(type: string) {
      expect(type).toBe('system.PipelineRun');
      return { items: world.runContexts ?? [] };
    },
    async getExecutionsByType(type: string) {
      expect(type).toBe('system.ContainerExecution');
      return { items: world.executions ?? [] };
    },
    async getEventsByExecutionIDs(ids: number[]) {
      return (world.events ?? []).filter((e) => ids.includes(e.executionId!));
    },
  } as unknown as MlmdClient;
  return { name: 'b', kfp, mlmd, ...file };
}

const runContext = (namespace: string): Context => ({
  name: `run-${namespace}`,
  type: 'system.PipelineRun',
  customProperties: { namespace: stringValue(namespace) },
});
const execution = (
  id: number,
  fields: Partial<Execution> = {},
  podName = `p-abc12-system-container-impl-${id}`,
): Execution => ({
  id,
  type: 'system.ContainerExecution',
  lastKnownState: 'COMPLETE',
  customProperties: { pod_name: stringValue(podName) },
  ...fields,
});
const output = (executionId: number, key: string): Event => ({
  executionId,
  artifactId: executionId * 10,
  type: 'OUTPUT',
  path: { steps: [{ key }] },
});

describe('the namespace cache rows are kept under (B2)', () => {
  it('is unknown at a single-user location where nothing ran yet, and no row is written with a guess', async () => {
    const loc = location({});
    expect(await readDriverSettings(loc)).toEqual({ publishLogs: true, publishLogsFrom: 'default', multiUser: false });
    await expect(cacheRowNamespace(loc)).rejects.toThrow(LocationSettingError);
    await expect(cacheRowNamespace(loc)).rejects.toThrow(
      /location b: cannot write cache rows .*no run has run at b yet/,
    );
  });

  it("is the pods' namespace a run recorded, the newest non-empty one, or the given run's", async () => {
    const loc = location({ runContexts: [runContext(''), runContext('ml-pods'), runContext('kubeflow')] });
    expect(await readDriverSettings(loc)).toMatchObject({ podNamespace: 'ml-pods', podNamespaceFrom: 'run' });
    expect(await cacheRowNamespace(loc, runContext('other'))).toBe('other');
    expect(await cacheRowNamespace(loc, runContext(''))).toBe('ml-pods');
  });

  it('refuses kfp.namespace at a single-user location, whatever it says', async () => {
    const loc = location({ runContexts: [runContext('kubeflow')] }, { namespace: 'kubeflow' });
    await expect(readDriverSettings(loc)).rejects.toThrow(
      /location b: kfp\.namespace is "kubeflow" but this KFP is single-user.*Remove kfp\.namespace/,
    );
  });

  it('is kfp.namespace at a multi-user location, which must set it', async () => {
    const named = location({ multiUser: true, runContexts: [runContext('someone-else')] }, { namespace: 'team-ml' });
    expect(await readDriverSettings(named)).toMatchObject({
      podNamespace: 'team-ml',
      podNamespaceFrom: 'kfp.namespace',
      multiUser: true,
    });
    expect(await cacheRowNamespace(named)).toBe('team-ml');
    await expect(readDriverSettings(location({ multiUser: true, runContexts: [runContext('x')] }))).rejects.toThrow(
      /multi-user .*kfp\.namespace is not set/,
    );
  });

  it('trusts kfp.namespace when healthz does not answer', async () => {
    const loc = location({ multiUser: 'unreachable', runContexts: [runContext('kubeflow')] }, { namespace: 'team-ml' });
    expect(await readDriverSettings(loc)).toMatchObject({ podNamespace: 'team-ml', podNamespaceFrom: 'kfp.namespace' });
    expect((await readDriverSettings(loc)).multiUser).toBeUndefined();
  });

  it("is always a predicate of the lookup, like the driver's", async () => {
    const filters: KfpFilter[] = [];
    const kfp = {
      listTasks: async (o: { filter?: KfpFilter }) => (filters.push(o.filter!), { items: [] }),
    } as unknown as KfpClient;
    await newestCacheRow(kfp, 'p', 'f1', 'kubeflow');
    await newestCacheRow(kfp, 'p', 'f1', '');
    for (const [i, ns] of ['kubeflow', ''].entries()) {
      expect(filters[i]!.predicates.find((x) => x.key === 'namespace')).toMatchObject({
        operation: 'EQUALS',
        string_value: ns,
      });
    }
  });
});

describe('publish_logs (B1)', () => {
  it("is read from the newest execution KFP's launcher finished there", async () => {
    const on = location({
      executions: [execution(9), execution(8)],
      events: [output(9, 'model'), output(9, 'executor-logs'), output(8, 'model')],
    });
    expect(await readDriverSettings(on)).toMatchObject({
      publishLogs: true,
      publishLogsFrom: 'run',
      publishLogsExecutionId: 9,
    });
    const off = location({
      executions: [execution(9), execution(8)],
      events: [output(9, 'model'), output(8, 'executor-logs')],
    });
    expect(await readDriverSettings(off)).toMatchObject({
      publishLogs: false,
      publishLogsFrom: 'run',
      publishLogsExecutionId: 9,
    });
  });

  it('skips imported and cached executions, and ones with no output unless a launcher pod ran them', async () => {
    const executions = [
      execution(20, { externalId: 'split-pipelines/v1/a/execution/3' }),
      execution(19, { lastKnownState: 'CACHED' }),
      execution(18, {}, 'p-abc12-system-container-driver-18'),
      execution(17, {}, 'p-abc12-system-container-impl-17'),
    ];
    const events = [output(20, 'executor-logs'), output(19, 'executor-logs')];
    expect(await readDriverSettings(location({ executions, events }))).toMatchObject({
      publishLogs: false,
      publishLogsExecutionId: 17,
    });
    // Without the launcher's execution nothing tells: KFP's default.
    expect(await readDriverSettings(location({ executions: executions.slice(0, 3), events }))).toMatchObject({
      publishLogs: true,
      publishLogsFrom: 'default',
    });
  });

  it('takes the file when nothing ran, and refuses a file that contradicts a run', async () => {
    expect(await readDriverSettings(location({}, { publishLogs: false }))).toMatchObject({
      publishLogs: false,
      publishLogsFrom: 'file',
    });
    const ran = { executions: [execution(5)], events: [output(5, 'executor-logs')] };
    expect(await readDriverSettings(location(ran, { publishLogs: true }))).toMatchObject({
      publishLogs: true,
      publishLogsFrom: 'file',
    });
    await expect(readDriverSettings(location(ran, { publishLogs: false }))).rejects.toThrow(
      /location b: kfp\.publishLogs is false, but execution 5, which KFP ran there, published its logs .*set kfp\.publishLogs to true/,
    );
  });
});
