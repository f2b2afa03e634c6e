/**
 * Issue 11's kill -9 suite over handoffs into and out of a location running the next KFP (native task and
 * artifact API, no ML Metadata): `apply` is SIGKILLed at random points, most of them inside the handoff that
 * crosses the backends, and re-run until it finishes. After every kill no task or artifact is imported twice
 * and no cache entry lacks its records and bytes (test/support/invariants.ts reads the native API for that);
 * the last apply converges with each step imported once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { GLOBAL_ID_KEY, OBJECTS_KEY } from '../../src/location/backend/native.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { NativeClient } from '../../src/location/native/client.js';
import { awaitMarkerRun, ensureMarkerRun } from '../../src/sync/marker-run.js';
import { applyWatched, runCli } from '../support/cli.js';
import { checkInvariants } from '../support/invariants.js';
import { applyJson } from '../support/json-output.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const STEPS = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];
const CACHED = ['load-data', 'split-data', 'train-model', 'evaluate-model'];

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

interface Round {
  kills: number;
  /** The operation each kill interrupted (`handoff b → c`, `run-stage c`, …; `between` after one finished). */
  interrupted: string[];
  /** Kills after which the crossing handoff's target held part of an import (records written, not all committed). */
  partialImports: number;
}

/**
 * One lab with `native` on the next KFP; `crossing` is the handoff between backends that most kills aim at:
 * killed a random time after it starts (or after a random number of progress lines), re-run until an apply
 * finishes by itself, invariants after every kill, then one more apply converges.
 */
async function killRound(
  native: string,
  crossing: { from: string; to: string; steps: number },
  seed: number,
): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-kill-native-'));
  const faults = { kfp: { delayMs: 15 } };
  const slow = { durationMs: 100, outputBytes: 256 * 1024 };
  const lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['a', 'b', 'c'],
    ports: 'ephemeral',
    kfpVersion: { [native]: 'next' },
    steps: Object.fromEntries(['a', 'b', 'c'].map((l) => [l, Object.fromEntries(STEPS.map((s) => [s, slow]))])),
    // Every request to the native API server waits a little: the import and export there span many requests,
    // so a kill a random time into the handoff lands between them.
    faults: { [native]: faults },
  });
  try {
    const file = exampleOnLabs([lab], dir);
    const project = await projectOf(file);
    const outputsOf = Object.fromEntries(
      [...project.graph.rootTasks].map(([k, t]) => [k, Object.keys(t.component.outputDefinitions?.artifacts ?? {})]),
    );
    // A killed apply keeps its lease until the TTL passes; keep that short here.
    const env = labEnv([lab], { SPLIT_PIPELINES_LOCK_TTL: '2' });
    const random = lcg(seed);
    const crossingLine = `→ handoff ${crossing.from} → ${crossing.to} `;
    const watch = lab.locations[crossing.to]!.mlmd ? undefined : () => importProgress(lab, crossing.to);
    const round: Round = { kills: 0, interrupted: [], partialImports: 0 };
    let crossingDone = false;
    for (let i = 0; i < 25; i++) {
      // The first apply is killed inside stage 1's run at a; later ones aim at the crossing handoff until it has
      // completed, then at whatever comes next.
      // Until three kills have landed inside the crossing handoff, every apply aims at it, early: what the test
      // asserts is then not left to chance (the handoff takes far longer than those delays, and a kill that
      // comes too late only completes it, leaving fewer to aim at).
      const inside = round.interrupted.filter((x) => x === `handoff ${crossing.from} → ${crossing.to}`).length;
      const needMore = inside < 3;
      const aimAtCrossing = i > 0 && !crossingDone && (needMore || random() < 0.8);
      const aimAt = i === 0 ? '→ run-stage a:' : aimAtCrossing ? crossingLine : undefined;
      // At a native target, most of those wait until this apply's import wrote a record there, then kill soon
      // after: the kill lands between the import's own writes (artifacts, tasks, links, the commit).
      const onImport = aimAtCrossing && watch !== undefined && random() < 0.7;
      const lines = 1 + Math.floor(random() * 3);
      // Aimed delays lean short: a kill late in the handoff completes it, one early leaves more of it to kill.
      // The first kill is aimed at stage 1's run at a, well inside it (its two steps take 100 ms each).
      const r0 = random();
      const delay = Math.floor(
        i === 0 ? r0 * 50 : onImport ? r0 * (needMore ? 20 : 60) : aimAt ? r0 * r0 * (needMore ? 60 : 250) : r0 * 150,
      );
      let seen = 0;
      let armed = false;
      let ended = false;
      const progress: string[] = [];
      const r = await applyWatched(file, env, (line, kill) => {
        if (!/^(→|✓| {2}run )/.test(line)) return;
        progress.push(line);
        if (line.startsWith(`✓ handoff ${crossing.from} → ${crossing.to}:`)) crossingDone = true;
        seen++;
        if (armed || (aimAt ? !line.startsWith(aimAt) : seen < lines)) return;
        armed = true;
        if (!onImport) {
          setTimeout(kill, delay);
          return;
        }
        void (async () => {
          const before = await watch();
          while (!ended && (await watch()) === before) await new Promise((res) => setTimeout(res, 5));
          if (!ended) setTimeout(kill, delay);
        })().catch(kill);
      });
      ended = true;
      // The invariants are read without the injected delay (they read every run's tasks).
      lab.setFaults(native, {});
      const inv = await checkInvariants(lab, { outputsOf });
      lab.setFaults(native, faults);
      if (r.signal !== 'SIGKILL') {
        expect(r.code, r.stderr).toBe(0);
        break;
      }
      round.kills++;
      const last = progress.filter((l) => /^(→|✓)/.test(l)).pop() ?? '';
      const op = /^→ (\S+) ([^\s:]+(?: → [^\s:]+)?)/.exec(last);
      round.interrupted.push(op ? `${op[1]} ${op[2]}` : 'between');
      const target = crossing.to;
      const imported = inv.importedExecutions[target] ?? 0;
      if ((inv.importedArtifacts[target] ?? 0) > 0 && imported < crossing.steps) round.partialImports++;
      else if ((inv.importedPending[target] ?? 0) > 0) round.partialImports++;
    }
    const final = await runCli(['apply', '-f', file, '--json'], { env, timeoutMs: 60_000 });
    expect(final.code, final.stderr).toBe(0);
    const doc = applyJson(final.stdout);
    expect(doc.inSync).toBe(true);
    expect(doc.stages[2]).toMatchObject({ cached: CACHED, executed: ['serve-model'] });
    const inv = await checkInvariants(lab, { outputsOf });
    // b imported load-data and split-data once; c imported the four steps once; nothing is left uncommitted.
    expect(inv.importedExecutions).toEqual({ a: 0, b: 2, c: 4 });
    expect(inv.importedPending[native]).toBe(0);
    return round;
  } finally {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How far imports at a native location got: imported artifacts, imported tasks, those committed, and the
 * links of imported tasks (read in parallel, so a change is seen within a request or two).
 */
async function importProgress(lab: Lab, location: string): Promise<number> {
  const endpoint = lab.locations[location]!.kfp;
  const native = new NativeClient({ location, endpoint });
  const kfp = new KfpClient({ location, endpoint });
  const [artifacts, runs] = await Promise.all([native.listArtifacts(''), kfp.listRuns({ pageSize: 100 })]);
  const markers = runs.items.filter((r) => r.display_name?.includes('-handoff-'));
  const [tasks, links] = await Promise.all([
    Promise.all(markers.map((r) => native.listTasks(r.run_id))).then((t) => t.flat()),
    Promise.all(markers.map((r) => native.listArtifactTasks({ runId: r.run_id }))).then((l) => l.flat()),
  ]);
  const imported = tasks.filter((t) => t.status_metadata?.custom_properties?.[GLOBAL_ID_KEY] !== undefined);
  const ids = new Set(imported.map((t) => t.task_id));
  return (
    artifacts.filter((a) => a.description).length +
    imported.length +
    imported.filter((t) => t.state === 'SUCCEEDED').length +
    links.filter((l) => ids.has(l.task_id)).length
  );
}

function count(round: Round, what: string): number {
  return round.interrupted.filter((x) => x === what).length;
}

describe('an apply killed during handoffs across ML Metadata and the next KFP', () => {
  it('into a native location (c on the next KFP): converges, nothing imported twice, no cache entry without its records and bytes', async () => {
    const round = await killRound('c', { from: 'b', to: 'c', steps: 4 }, 20261206);
    // A kill that never happened tests nothing: kills inside the handoff into c, some of them with c's import
    // half done (records there, not all committed), and inside c's own stage run.
    const seen = JSON.stringify(round);
    expect(round.kills, seen).toBeGreaterThanOrEqual(4);
    expect(count(round, 'handoff b → c'), seen).toBeGreaterThanOrEqual(2);
    expect(round.partialImports, seen).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('out of a native location (a on the next KFP): converges with the same invariants', async () => {
    const round = await killRound('a', { from: 'a', to: 'b', steps: 2 }, 20261206);
    const seen = JSON.stringify(round);
    expect(round.kills, seen).toBeGreaterThanOrEqual(4);
    expect(count(round, 'handoff a → b'), seen).toBeGreaterThanOrEqual(2);
    expect(count(round, 'run-stage a'), seen).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('sees what it guards against at a native location: a cache entry without its output or bytes, a task imported twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-inv-native-'));
    const lab = await startLab({
      dir: join(dir, 'lab'),
      locations: ['c'],
      kfpVersion: { c: 'next' },
      ports: 'ephemeral',
    });
    try {
      const loc = lab.locations['c']!;
      const kfp = new KfpClient({ location: 'c', endpoint: loc.kfp });
      const native = new NativeClient({ location: 'c', endpoint: loc.kfp });
      const run = await ensureMarkerRun({ kfp, displayName: 'probe', experiment: 'probe', description: 'probe' });
      await awaitMarkerRun(kfp, run, { location: 'c', pollMs: 50 });
      await checkInvariants(lab);
      const gid = 'split-pipelines/v1/b/execution/7';
      const uri = `${loc.pipelineRoot}/probe/model`;
      // Committed (SUCCEEDED, fingerprint) while its handoff record names an output it has no link for.
      const task = await native.createTask(run.run_id, {
        name: 'train-model',
        type: 'RUNTIME',
        state: 'SUCCEEDED',
        cache_fingerprint: 'f'.repeat(64),
        status_metadata: {
          custom_properties: {
            [GLOBAL_ID_KEY]: gid,
            [OBJECTS_KEY]: JSON.stringify({ model: [{ uri, objects: [{ path: '', size: 1 }] }] }),
          },
        },
      });
      await expect(checkInvariants(lab)).rejects.toThrow(/has its output model linked/);
      // Linked now, but its bytes were never copied.
      await native.createArtifacts([
        {
          artifact: {
            name: 'model',
            description: 'split-pipelines/v1/b/artifact/9',
            type: 'Model',
            uri,
            namespace: 'kubeflow',
          },
          run_id: run.run_id,
          task_id: task.task_id!,
          producer_key: 'model',
        },
      ]);
      await expect(checkInvariants(lab)).rejects.toThrow(/bytes of .*probe\/model/);
      // The same task imported again.
      await native.createTask(run.run_id, {
        name: 'train-model',
        type: 'RUNTIME',
        state: 'RUNNING',
        status_metadata: { custom_properties: { [GLOBAL_ID_KEY]: gid } },
      });
      await expect(checkInvariants(lab)).rejects.toThrow(/tasks imported twice/);
    } finally {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
