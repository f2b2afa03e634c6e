// A location that stays broken: every request to one of its services fails. The apply must stop
// within its retry budget (not hang), exit 1 with a message that names the location and the
// operation that failed, and a later apply, once the location is healthy, must converge as if
// nothing had happened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/apply/apply.js';
import { startLab, type Lab, type LocationFaults } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { checkInvariants } from '../support/invariants.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

/** Well above the retry budgets (KFP: 4 retries ≤ 7.5 s each call; MLMD and S3: 5 attempts); a hang is killed here. */
const BOUND_MS = 60_000;

describe('an apply against a location that stays broken', () => {
  let lab: Lab;
  let file: string;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-broken-'));
    lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    file = exampleOnLabs([lab], dir);
    env = labEnv([lab]);
    // Stages 1 and 2 are done, so the failures below hit the handoff to c and stage 3.
    const r = await applyProject(await projectOf(file), { env, pollMs: 100, through: '2' });
    expect(r.applied.every((a) => a.status === 'done')).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; at: string; faults: LocationFaults; message: RegExp }[] = [
    // Where each fails first: S3 at c during the copy of the bytes; KFP at c when it is observed;
    // ML Metadata at b when its stage run is verified.
    {
      name: 'S3 answers 500 to everything',
      at: 'c',
      faults: { objectStore: { status500EveryN: 1 } },
      message: /object store 'c': (head|put|copy|get|list) \S+: .*(InternalError|HTTP 500).* after \d+ attempts/,
    },
    {
      name: 'KFP answers 503 to everything',
      at: 'c',
      faults: { kfp: { status503EveryN: 1, retryAfterSeconds: 1 } },
      message: /KFP at location "c": \w+ failed \(HTTP 503\) after \d+ attempts/,
    },
    {
      name: 'ML Metadata answers UNAVAILABLE to everything',
      at: 'b',
      faults: { mlmd: { unavailableEveryN: 1 } },
      message: /ML Metadata at location 'b' \([^)]+\): \w+ failed after \d+ attempts with UNAVAILABLE/,
    },
  ];
  for (const c of cases) {
    it(
      `stops with an error naming the location and the operation when ${c.name}`,
      async () => {
        lab.setFaults(c.at, c.faults);
        try {
          const r = await runCli(['apply', '-f', file], { env, timeoutMs: BOUND_MS });
          expect(r.code, `exit code (null: still running after ${BOUND_MS} ms)\n${r.stderr}`).toBe(1);
          expect(r.stderr).toMatch(c.message);
          expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
        } finally {
          lab.setFaults(c.at, {});
        }
      },
      BOUND_MS + 10_000,
    );
  }

  it(
    'converges on the next apply once the locations are healthy, with nothing duplicated',
    async () => {
      const r = await runCli(['apply', '-f', file, '--json'], { env, timeoutMs: BOUND_MS });
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { inSync: boolean; stages: { cached: string[]; executed: string[] }[] };
      expect(doc.inSync).toBe(true);
      expect(doc.stages[2]).toMatchObject({
        cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
        executed: ['serve-model'],
      });
      const inv = await checkInvariants(lab);
      expect(inv.importedExecutions).toMatchObject({ a: 0, b: 2, c: 4 });
    },
    BOUND_MS + 10_000,
  );
});
