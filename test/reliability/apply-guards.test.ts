// What stops an apply on its own: a lock lost while it works (it stops before its next write), and
// a run that does not finish within the run timeout (it stops waiting, says which run and what to do).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/apply/apply.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import { OperationError } from '../../src/apply/execute.js';
import { LockLostError } from '../../src/apply/lock.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { KubeClient } from '../../src/location/kube/index.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const labs: Lab[] = [];
afterAll(async () => {
  for (const lab of labs) await lab.close();
});

async function thesisLab(prefix: string): Promise<{ lab: Lab; file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
  labs.push(lab);
  return { lab, file: exampleOnLabs([lab], dir), dir };
}

const WRITES = new Set(['upload-pipeline', 'handoff', 'run-stage']);

describe('a lock lost during apply', () => {
  it('stops the apply before its next write, names the location and the new holder, and leaves the thief its lease', async () => {
    const { lab, file } = await thesisLab('sp-lock-lost-');
    // Stage 1 runs long enough for the lease at a to be taken while apply waits for it.
    lab.setSteps('a', { 'load-data': { durationMs: 1500 } });
    const project = await projectOf(file);
    const kube = new KubeClient({
      location: 'a',
      connection: { kubeconfig: lab.kubeconfig, context: lab.locations['a']!.kubeContext },
      namespace: 'kubeflow',
    });
    const leaseName = `split-pipelines-${project.spec.metadata.name}`;
    const events: ApplyEvent[] = [];
    let stolenAfter: number | undefined;
    let steal: Promise<void> | undefined;
    const onEvent = (e: ApplyEvent) => {
      events.push(e);
      if (!steal && e.type === 'run-state' && e.op.id === 'run-stage:1') {
        // Another reconciler takes the lease over (as an expired lease is taken: a write naming itself).
        steal = (async () => {
          const lease = await kube.readLease(leaseName);
          await kube.replaceLease({ ...lease!, spec: { ...lease!.spec, holderIdentity: 'thief-on-another-host' } });
          stolenAfter = events.length;
        })();
      }
    };
    const error = await applyProject(project, { env: labEnv([lab]), pollMs: 100, onEvent }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await steal;
    expect(stolenAfter, 'the lease was taken while apply ran').toBeDefined();
    expect(error).toBeInstanceOf(LockLostError);
    expect((error as LockLostError).message).toMatch(
      /lock at a is no longer this apply's \(thief-on-another-host holds it now\)/,
    );
    expect((error as LockLostError).message).toMatch(/stopped before its next write/);
    // Nothing was written after the lease changed hands: no write operation started after it.
    const startedAfter = events.slice(stolenAfter).filter((e) => e.type === 'operation-start' && WRITES.has(e.op.kind));
    expect(startedAfter.map((e) => (e as { op: { id: string } }).op.id)).toEqual([]);
    const kfpB = new KfpClient({ location: 'b', endpoint: lab.locations['b']!.kfp });
    expect((await kfpB.listRuns({ pageSize: 10 })).items).toEqual([]);
    // Releasing at the end never clobbered the new holder's lease.
    expect((await kube.readLease(leaseName))?.spec?.holderIdentity).toBe('thief-on-another-host');
  }, 120_000);
});

describe('the run timeout', () => {
  it('stops waiting for a run that does not finish, naming the location, the run, its state and what to do', async () => {
    const { lab, file } = await thesisLab('sp-run-timeout-');
    lab.setSteps('a', { 'load-data': { durationMs: 120_000 } });
    const project = await projectOf(file);
    let runId: string | undefined;
    const error = await applyProject(project, {
      env: labEnv([lab]),
      pollMs: 100,
      runTimeoutMs: 1000,
      onEvent: (e) => {
        if (e.type === 'run-state') runId = e.runId;
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationError);
    const message = (error as Error).message;
    expect(runId).toBeDefined();
    expect(message).toContain(`run ${runId} at a is still RUNNING after 1s (the run timeout)`);
    expect(message).toMatch(/Apply again to keep waiting for it/);
    expect(message).toMatch(/--run-timeout sets how long to wait \(default 24h\)/);
    // The run was left as it is, for the next apply to find.
    const kfp = new KfpClient({ location: 'a', endpoint: lab.locations['a']!.kfp });
    expect((await kfp.getRun(runId!)).state).toBe('RUNNING');
  }, 120_000);

  it('is set with apply --run-timeout, and a wrong value is refused before anything is done', async () => {
    const { lab, file } = await thesisLab('sp-run-timeout-cli-');
    lab.setSteps('a', { 'load-data': { durationMs: 120_000 } });
    const env = labEnv([lab]);
    const wrong = await runCli(['apply', '-f', file, '--run-timeout', 'soon'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--run-timeout: "soon" is not a duration/);
    const kfp = new KfpClient({ location: 'a', endpoint: lab.locations['a']!.kfp });
    expect((await kfp.listRuns({ pageSize: 10 })).items).toEqual([]);
    const timedOut = await runCli(['apply', '-f', file, '--run-timeout', '2s'], { env, timeoutMs: 90_000 });
    expect(timedOut.code).toBe(1);
    const [run] = (await kfp.listRuns({ pageSize: 10 })).items;
    expect(timedOut.stderr).toContain(`run ${run!.run_id} at a is still RUNNING after 2s (the run timeout)`);
  }, 120_000);
});
