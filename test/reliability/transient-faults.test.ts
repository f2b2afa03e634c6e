// An apply of the thesis example against locations that misbehave the way real ones do for a
// while: KFP behind a load balancer answering 503/429 with Retry-After or dropping connections,
// ML Metadata answering UNAVAILABLE, S3 answering 500/SlowDown, resetting connections or cutting
// a download short, and everything slow. Every location of the lab has the fault for the whole
// apply (unless a case says otherwise); the apply must retry through it and converge, with the
// invariants intact and nothing submitted twice. Where a client cannot safely retry alone, the
// apply may stop with a clear message, and applying again must resume. A probe on the wire shows
// the fault was really met (a fault that never fired would prove nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyProject, type ApplyResult } from '../../src/apply/apply.js';
import { startLab, type Lab, type LocationFaults, type StepBehaviours } from '../../packages/lab/src/index.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { checkInvariants } from '../support/invariants.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';
import { startWireProbe, type WireCounts, type WireProbe } from '../support/wire-probe.js';

const LOCATIONS = ['a', 'b', 'c'];

async function faultyLab(
  faults: LocationFaults,
  steps?: StepBehaviours,
): Promise<{ lab: Lab; dir: string; file: string; env: NodeJS.ProcessEnv }> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-faults-'));
  const lab = await startLab({
    dir: join(dir, 'lab'),
    locations: LOCATIONS,
    ports: 'ephemeral',
    faults: Object.fromEntries(LOCATIONS.map((l) => [l, faults])),
    ...(steps ? { steps: Object.fromEntries(LOCATIONS.map((l) => [l, steps])) } : {}),
  });
  return { lab, dir, file: exampleOnLabs([lab], dir), env: labEnv([lab]) };
}

function expectConverged(result: ApplyResult): void {
  expect(result.inSync).toBe(true);
  expect(result.plan.operations).toEqual([]);
  expect(result.plan.stages[2]).toMatchObject({
    state: 'done',
    cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
    executed: ['serve-model'],
  });
}

/** Clears the faults (so the checks below read a healthy lab) and checks what must always hold. */
async function expectInvariants(lab: Lab): Promise<void> {
  for (const l of LOCATIONS) lab.setFaults(l, {});
  const inv = await checkInvariants(lab);
  expect(inv.importedExecutions).toMatchObject({ a: 0, b: 2, c: 4 });
}

interface Case {
  name: string;
  faults: LocationFaults;
  steps?: StepBehaviours;
  /** Apply this far without faults first, then inject them only at `only` (default: everywhere from the start). */
  healthyThrough?: { stage: string; only: string[] };
  /**
   * Faults the clients cannot safely absorb alone (a create whose connection dropped may have been
   * acted on; a download that keeps breaking): an apply may fail, with this message, and the next
   * apply resumes. Otherwise the first apply must converge.
   */
  mayFail?: RegExp;
  /** What the probe must have seen: the fault was met. */
  met: (c: WireCounts) => void;
}

const CASES: Case[] = [
  {
    name: 'KFP answers 503 and 429 with Retry-After',
    faults: { kfp: { status503EveryN: 20, status429EveryN: 29, retryAfterSeconds: 1 } },
    met: (c) => {
      expect(c.kfpStatuses[503]).toBeGreaterThan(0);
      expect(c.kfpStatuses[429]).toBeGreaterThan(0);
    },
  },
  {
    name: 'KFP drops connections',
    faults: { kfp: { dropConnectionEveryN: 7 } },
    // A dropped create may have been acted on, so the client does not repeat it blindly
    // (src/location/kfp/retry.ts); the next apply finds the run by its name instead.
    mayFail: /KFP at location "[abc]": \w+ .*failed: cannot talk to/,
    met: (c) => expect(c.kfpNoAnswer).toBeGreaterThan(0),
  },
  {
    name: 'KFP answers slowly',
    faults: { kfp: { delayMs: 20 } },
    met: (c) => expect(c.requests.kfp).toBeGreaterThan(0),
  },
  {
    name: 'ML Metadata answers UNAVAILABLE',
    faults: { mlmd: { unavailableEveryN: 4 } },
    met: (c) => expect(c.mlmdUnavailable).toBeGreaterThan(0),
  },
  {
    name: 'ML Metadata answers slowly',
    faults: { mlmd: { delayMs: 5 } },
    met: (c) => expect(c.requests.mlmd).toBeGreaterThan(0),
  },
  {
    name: 'S3 answers 500 InternalError and 503 SlowDown',
    faults: { objectStore: { status500EveryN: 7, slowDownEveryN: 13 } },
    met: (c) => expect(c.s3Retries).toBeGreaterThan(0),
  },
  {
    name: 'S3 drops connections',
    faults: { objectStore: { dropConnectionEveryN: 4 } },
    met: (c) => expect(c.s3Retries).toBeGreaterThan(0),
  },
  {
    name: 'S3 cuts downloads short',
    faults: { objectStore: { cutBodyEveryN: 2 } },
    // Bodies of several chunks, or there is nothing to cut after the first one.
    steps: { '*': { outputBytes: 256 * 1024 } },
    // The lab's launcher fails a task whose input download breaks, as KFP's does; so only the
    // handoff's source cuts its downloads: a, whose handoff to b carries the two splits that b's
    // training reads as bytes (b's handoff to c carries only the model, one download: too few to cut).
    healthyThrough: { stage: '1', only: ['a'] },
    mayFail: /object store 'a': copy .*: the download kept breaking off/,
    met: (c) => expect(c.s3BrokenBodies).toBeGreaterThan(0),
  },
  {
    name: 'S3 answers slowly',
    faults: { objectStore: { delayMs: 10 } },
    met: (c) => expect(c.requests.s3).toBeGreaterThan(0),
  },
];

describe('an apply under transient faults', () => {
  let probe: WireProbe;
  let lab: Lab | undefined;
  let dir: string | undefined;
  beforeEach(() => {
    probe = startWireProbe();
  });
  afterEach(async () => {
    probe.stop();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    lab = undefined;
    dir = undefined;
  });

  for (const c of CASES) {
    it(`converges when ${c.name}`, async () => {
      const setup = await faultyLab(c.healthyThrough ? {} : c.faults, c.steps);
      lab = setup.lab;
      dir = setup.dir;
      const project = await projectOf(setup.file);
      if (c.healthyThrough) {
        await applyProject(project, { env: setup.env, pollMs: 100, through: c.healthyThrough.stage });
        for (const l of c.healthyThrough.only) lab.setFaults(l, c.faults);
        probe.reset();
      }
      let result: ApplyResult | undefined;
      const failures: string[] = [];
      for (let i = 0; i < (c.mayFail ? 6 : 1) && !result; i++) {
        result = await applyProject(project, { env: setup.env, pollMs: 100 }).catch((e: unknown) => {
          failures.push((e as Error).message);
          return undefined;
        });
      }
      c.met(probe.counts());
      for (const message of failures) expect(message).toMatch(c.mayFail ?? /^$/);
      expect(result, failures.join('\n')).toBeDefined();
      expectConverged(result!);
      await expectInvariants(lab);
      // Nothing was submitted twice: one run per name at every location.
      for (const l of LOCATIONS) {
        const kfp = new KfpClient({ location: l, endpoint: lab.locations[l]!.kfp });
        const names = (await kfp.listRuns({ pageSize: 100 })).items.map((r) => r.display_name);
        expect(new Set(names).size, `runs at ${l}: ${names.join(', ')}`).toBe(names.length);
      }
    }, 60_000);
  }
});
