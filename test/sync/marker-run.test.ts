// The marker run: its image is the location's to choose, and a handoff only goes on once it
// succeeded (a failed one is an error that says where, which run, and what to do).
import { describe, expect, it } from 'vitest';
import type { KfpClient, KfpRun } from '../../src/location/kfp/index.js';
import { stringValue } from '../../src/location/mlmd/index.js';
import type { BundleExecution } from '../../src/sync/bundle.js';
import { importedExecutionProperties } from '../../src/sync/import-metadata.js';
import { awaitMarkerRun, DEFAULT_MARKER_IMAGE, ensureMarkerRun } from '../../src/sync/marker-run.js';

function fakeKfp(states: KfpRun['state'][], error?: string) {
  const created: Record<string, unknown>[] = [];
  let polls = 0;
  const kfp = {
    async listRuns() {
      return { items: [] };
    },
    async getOrCreateExperiment() {
      return { experiment_id: 'e1' };
    },
    async createRun(r: Record<string, unknown>): Promise<KfpRun> {
      created.push(r);
      return { run_id: 'run-1', display_name: 'sp-abc-handoff-2-from-a', state: states[0]! };
    },
    async getRun(): Promise<KfpRun> {
      polls++;
      const state = states[Math.min(polls, states.length - 1)]!;
      return {
        run_id: 'run-1',
        display_name: 'sp-abc-handoff-2-from-a',
        state,
        ...(error && state === 'FAILED' ? { error: { message: error } } : {}),
      };
    },
  };
  return { kfp: kfp as unknown as KfpClient, created };
}

const imageOf = (r: Record<string, unknown>) =>
  (r['pipelineSpec'] as { deploymentSpec: { executors: Record<string, { container: { image: string } }> } })
    .deploymentSpec.executors['exec-handoff']!.container.image;

describe('the marker run', () => {
  it('uses the configured image, else busybox', async () => {
    const a = fakeKfp(['PENDING']);
    await ensureMarkerRun({
      kfp: a.kfp,
      displayName: 'm',
      experiment: 'x',
      description: 'd',
      image: 'registry.local/busybox:1',
    });
    expect(imageOf(a.created[0]!)).toBe('registry.local/busybox:1');
    const b = fakeKfp(['PENDING']);
    await ensureMarkerRun({ kfp: b.kfp, displayName: 'm', experiment: 'x', description: 'd' });
    expect(imageOf(b.created[0]!)).toBe(DEFAULT_MARKER_IMAGE);
  });

  it('is waited for until it succeeds', async () => {
    const { kfp } = fakeKfp(['PENDING', 'RUNNING', 'SUCCEEDED']);
    const run = await awaitMarkerRun(kfp, { run_id: 'run-1', state: 'PENDING' }, { location: 'b', pollMs: 1 });
    expect(run.state).toBe('SUCCEEDED');
  });

  it('that failed is an error naming the location, the run and what to do', async () => {
    const { kfp } = fakeKfp(['RUNNING', 'FAILED'], 'Current run context has more than 1 parent context');
    const err = await awaitMarkerRun(kfp, { run_id: 'run-1', state: 'RUNNING' }, { location: 'b', pollMs: 1 }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /marker run sp-abc-handoff-2-from-a \(run-1\) at b ended FAILED: Current run context has more than 1 parent/,
    );
    expect((err as Error).message).toMatch(/kfp\.markerImage/);
    expect((err as Error).message).toMatch(/delete that run .* and apply again/);
  });

  it('that never finishes is an error after the deadline', async () => {
    const { kfp } = fakeKfp(['PENDING']);
    await expect(
      awaitMarkerRun(kfp, { run_id: 'run-1', state: 'PENDING' }, { location: 'b', pollMs: 1, timeoutMs: 20 }),
    ).rejects.toThrow(/at b is still PENDING after 0 s/);
  });
});

describe('imported execution properties', () => {
  it('drop what names things at the source and keep what KFP reads, with the target fingerprint', () => {
    const be: BundleExecution = {
      globalId: 'g',
      kind: 'container',
      path: ['train'],
      iteration: [],
      inputs: [],
      outputs: [],
      parameters: { n: 1 },
      properties: {
        task_name: 'train',
        display_name: 'train',
        image: 'python:3.11',
        inputs: {},
        parent_dag_id: 12,
        pod_name: 'p',
        pod_uid: 'u',
        namespace: 'kubeflow',
        cached_execution_id: '3',
        cache_fingerprint: 'source-fp',
        iteration_index: 0,
      },
    };
    expect(Object.keys(importedExecutionProperties(be, 'target-fp')).sort()).toEqual([
      'cache_fingerprint',
      'display_name',
      'image',
      'inputs',
      'outputs',
      'task_name',
    ]);
    expect(importedExecutionProperties(be, 'target-fp')['cache_fingerprint']).toEqual(stringValue('target-fp'));
    // The plain JSON of the bundle back in ML Metadata's kinds: structs unwrapped, the outputs from the parameters.
    expect(importedExecutionProperties(be, undefined)['inputs']).toEqual({ structValue: { fields: {} } });
    expect(importedExecutionProperties(be, undefined)['outputs']).toEqual({
      structValue: { fields: { n: { numberValue: 1 } } },
    });
    expect(importedExecutionProperties(be, undefined)['cache_fingerprint']).toBeUndefined();
  });
});
