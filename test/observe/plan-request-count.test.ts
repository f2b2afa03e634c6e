// What planning costs in requests, counted on the wire in-process (the product's KFP fetches and
// MLMD gRPC attempts, test/support/wire-probe.ts): for a generated pipeline of N tasks in W chains
// (depth D = N / W), applied as two stages (a: all but the last layer, handed off to b), a plan's
// KFP and MLMD requests at each location stay within a bound that depends on the pipeline's shape
// only — the same with a history of old runs at both locations. The bound is what batched reads
// allow: per wave of tasks that become ready together, one cache-row query per 50 fingerprints
// (KFP) and one GetExecutionsByID, GetEventsByExecutionIDs and GetArtifactsByID per 100 ids (MLMD);
// per-task reads (1 KFP + 3 MLMD for every task) exceed it. Counts, not timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import type { Project } from '../../src/split-file/load-project.js';
import { benchLab, generatedProject, type BenchLab } from '../../bench/lib/bench-kit.js';
import { insertHistory } from '../../bench/lib/history.js';
import { startWireProbe } from '../support/wire-probe.js';

const TASKS = 30;
const LOCATIONS = ['a', 'b'] as const;

/**
 * Reads of an observation that do not depend on the number of tasks, per location (counted once
 * from src/observe/location.ts and driver-settings.ts): KFP healthz (twice: observe and driver
 * settings), the pipeline and its versions, one page of this revision's runs; MLMD: the run
 * context and the newest run contexts and container executions (with their events) for the driver
 * settings, the verified stage run's context, its root check.
 */
const FIXED = { kfp: 6, mlmd: 8 };

/** The bound for one location: fixed reads, then per wave 1 KFP + 3 MLMD list reads (chunks of 50 / 100). */
function bound(tasks: number, width: number): { kfp: number; mlmd: number } {
  const depth = Math.ceil(tasks / width);
  // Verifying a stage run pages its executions 100 at a time (every task + the root DAG).
  const verifyPages = Math.ceil((tasks + 1) / 100);
  return {
    kfp: FIXED.kfp + depth * Math.ceil(width / 50),
    mlmd: FIXED.mlmd + verifyPages + 3 * depth * Math.ceil(width / 100),
  };
}

type Counts = Record<(typeof LOCATIONS)[number], { kfp: number; mlmd: number }>;

describe('planning cost in requests', () => {
  let b: BenchLab;
  let project: Project;
  let width: number;

  async function countPlan(): Promise<Counts> {
    const owner = new Map<string, string>();
    for (const [name, l] of Object.entries(b.lab.locations)) {
      owner.set(new URL(l.kfp).host, name);
      owner.set(l.mlmd, name);
    }
    const probe = startWireProbe();
    try {
      const plan = await planProject(project, { env: b.env });
      expect(plan.inSync).toBe(true);
      const counts: Counts = { a: { kfp: 0, mlmd: 0 }, b: { kfp: 0, mlmd: 0 } };
      for (const [endpoint, c] of probe.byEndpoint()) {
        const at = owner.get(endpoint) as (typeof LOCATIONS)[number] | undefined;
        if (!at) continue;
        counts[at].kfp += c.kfp;
        counts[at].mlmd += c.mlmd;
      }
      return counts;
    } finally {
      probe.stop();
    }
  }

  beforeAll(async () => {
    b = await benchLab('count', { locations: [...LOCATIONS] });
    const generated = await generatedProject(b, 'count', TASKS, 'a', 'b');
    project = generated.project;
    width = generated.pipeline.width;
    const applied = await applyProject(project, { env: b.env, pollMs: 100 });
    expect(applied.inSync).toBe(true);
  });

  afterAll(async () => {
    await b?.close();
  });

  let withoutHistory: Counts;

  it(`plans a ${TASKS}-task pipeline within the batched bound at each location`, async () => {
    expect(width).toBeGreaterThan(1); // several chains: waves of more than one task
    withoutHistory = await countPlan();
    const limit = bound(TASKS, width);
    for (const l of LOCATIONS) {
      expect(withoutHistory[l].kfp, `KFP requests at ${l}`).toBeLessThanOrEqual(limit.kfp);
      expect(withoutHistory[l].mlmd, `MLMD requests at ${l}`).toBeLessThanOrEqual(limit.mlmd);
      // Per-task reads (one cache-row query and three MLMD reads per task available there) would not fit.
      expect(withoutHistory[l].kfp + withoutHistory[l].mlmd).toBeLessThan(4 * (TASKS - width));
    }
  });

  it('makes exactly as many requests with a history of old runs at both locations', async () => {
    await Promise.all(LOCATIONS.map((l) => insertHistory(l, b.lab.locations[l]!.mlmd, 300)));
    expect(await countPlan()).toEqual(withoutHistory);
  });
});
