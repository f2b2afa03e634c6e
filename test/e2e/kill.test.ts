import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLab } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';
import { checkInvariants } from '../support/invariants.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';
import { applyJson } from '../support/json-output.js';

/** Starts `apply` and kills it with SIGKILL once it printed `lines` progress lines, after `delayMs`. */
function applyKilledAfter(
  file: string,
  env: NodeJS.ProcessEnv,
  lines: number,
  delayMs: number,
): Promise<{ killed: boolean; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/split-pipelines.js'), 'apply', '-f', file, '--lock-timeout', '30s'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let armed = false;
    let killed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!armed && stderr.split('\n').filter((l) => /^(→|✓| {2}run )/.test(l)).length >= lines) {
        armed = true;
        setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, delayMs);
      }
    });
    child.on('close', (code) => resolve({ killed: killed && code === null, stderr, code }));
  });
}

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const STEPS = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];

/**
 * One round on a fresh lab: kill each apply after a random number of progress lines plus a random
 * delay; every re-run resumes further along, so the kills spread over all phases until an apply
 * finishes by itself. Then one more apply must converge, with the invariants holding throughout.
 */
async function killRound(seed: number): Promise<{ kills: number; phases: Set<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-kill-'));
  // Slow steps and bigger outputs widen every phase, so the kills land inside them.
  const slow = { durationMs: 500, outputBytes: 1024 * 1024 };
  const lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['a', 'b', 'c'],
    ports: 'ephemeral',
    steps: Object.fromEntries(['a', 'b', 'c'].map((l) => [l, Object.fromEntries(STEPS.map((s) => [s, slow]))])),
  });
  try {
    const file = exampleOnLabs([lab], dir);
    // A killed apply keeps its lease until the TTL passes; keep that short here.
    const env = labEnv([lab], { SPLIT_PIPELINES_LOCK_TTL: '2' });
    const random = lcg(seed);
    const phases = new Set<string>();
    let kills = 0;
    for (let i = 0; i < 30; i++) {
      const r = await applyKilledAfter(file, env, 1 + Math.floor(random() * 2), Math.floor(random() * 120));
      await checkInvariants(lab);
      if (!r.killed) break;
      kills++;
      const current = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('→ '))
        .pop();
      if (current) phases.add(current.split(' ')[1]!);
    }
    const final = await runCli(['apply', '-f', file, '--json'], { env, timeoutMs: 120_000 });
    expect(final.code, final.stderr).toBe(0);
    const doc = applyJson(final.stdout);
    expect(doc.inSync).toBe(true);
    expect(doc.stages[2]).toMatchObject({
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    const inv = await checkInvariants(lab);
    // b imported load-data and split-data once; c imported the four steps once.
    expect(inv.importedExecutions).toMatchObject({ a: 0, b: 2, c: 4 });
    return { kills, phases };
  } finally {
    await lab.close();
  }
}

describe('an apply killed at any point', () => {
  it('converges when re-run, with nothing duplicated and no cache row without its execution and bytes', async () => {
    let kills = 0;
    const phases = new Set<string>();
    for (const seed of [20261128, 7, 424242]) {
      const r = await killRound(seed);
      kills += r.kills;
      for (const p of r.phases) phases.add(p);
    }
    // A kill that never happened tests nothing: require many, inside every kind of operation.
    expect(kills).toBeGreaterThanOrEqual(15);
    expect([...phases]).toEqual(expect.arrayContaining(['handoff', 'run-stage']));
  }, 400_000);

  it('lets one of two concurrent applies work while the other waits, then exits 3 when the lock stays held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-lock-'));
    const other = await startLab({
      dir: join(dir, 'lab'),
      locations: ['a', 'b', 'c'],
      ports: 'ephemeral',
      steps: { a: { 'load-data': { durationMs: 3000 } } },
    });
    try {
      const f = exampleOnLabs([other], dir);
      const e = labEnv([other]);
      const [x, y] = await Promise.all([
        runCli(['apply', '-f', f, '--lock-timeout', '1s'], { env: e, timeoutMs: 120_000 }),
        runCli(['apply', '-f', f, '--lock-timeout', '1s'], { env: e, timeoutMs: 120_000 }),
      ]);
      expect([x.code, y.code].sort()).toEqual([0, 3]);
      const loser = x.code === 3 ? x : y;
      expect(loser.stderr).toMatch(/holds the lock at a/);
      const inv = await checkInvariants(other);
      expect(inv.importedExecutions).toMatchObject({ b: 2, c: 4 });
    } finally {
      await other.close();
    }
  }, 180_000);
});
