// kill -9 of an apply while a handoff is copying large artifacts (multipart uploads, and for
// objects without a recorded digest a local spool file), at random moments, again and again, then
// an apply to the end. Complements test/e2e/kill.test.ts (random points across all phases, small
// objects) where a partial object is most likely: after every kill, each handed-off object present
// at the target is whole — the source's size and sha256 — and every invariant holds; the last apply
// converges with nothing imported twice.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { ObjectStore, sameEtag, SOURCE_ETAG_METADATA } from '../../src/location/objectstore/index.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/fixtures.js';
import { checkInvariants } from '../support/invariants.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const MiB = 1024 * 1024;

/** Deterministic pseudo-random numbers, so a failing sequence can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Starts `apply`, and kills it with SIGKILL `delayMs` after it starts a handoff. */
function applyKilledInHandoff(
  file: string,
  env: NodeJS.ProcessEnv,
  delayMs: number,
): Promise<{ killedInHandoff: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/split-pipelines.js'), 'apply', '-f', file, '--lock-timeout', '30s'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!armed && /^→ handoff /m.test(stderr)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('close', (code) => {
      // Killed inside the handoff: the handoff started and never finished.
      const inHandoff = code === null && /^→ handoff /m.test(stderr) && !/^✓ handoff /m.test(stderr);
      resolve({ killedInHandoff: inHandoff, stderr });
    });
  });
}

describe('an apply killed while a handoff copies large objects', () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-kill-bytes-'));
    // Only what serve's executed step reads travels as bytes: the model. Far above the 8 MiB
    // multipart threshold, so the copy is a multipart upload, and long enough (over a second here)
    // that every kill's delay (at most 650 ms after the handoff starts) lands inside it.
    const big = { 'train-model': { outputBytes: 128 * MiB } };
    lab = await startLab({
      dir: join(dir, 'lab'),
      locations: ['train', 'serve'],
      ports: 'ephemeral',
      steps: { train: big },
    });
    file = exampleOnLabs([lab], dir, 'train-serve');
    // A killed apply keeps its lease until the TTL passes; keep that short here.
    env = labEnv([lab], { SPLIT_PIPELINES_LOCK_TTL: '1' });
    const first = await applyProject(await projectOf(file), { env, pollMs: 100, through: '1' });
    expect(first.applied.every((a) => a.status === 'done')).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function digestOf(store: ObjectStore, bucket: string, key: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of (await store.get({ bucket, key })).body as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  }

  /** Every object under the target's root that the source also has is the source's object, whole. */
  async function expectWholeObjectsAtTarget(compareBytes = false): Promise<number> {
    const [src, dst] = (['train', 'serve'] as const).map((n) => {
      const l = lab.locations[n]!;
      return new ObjectStore({
        location: n,
        endpoint: l.objectStore,
        credentials: l.credentials,
        pipelineRoot: l.pipelineRoot,
      });
    });
    let present = 0;
    try {
      for await (const o of dst!.list(lab.locations['serve']!.bucket, 'v2/artifacts/')) {
        const at = await src!.head({ bucket: lab.locations['train']!.bucket, key: o.key });
        if (!at) continue; // serve's own outputs
        const copy = await dst!.head({ bucket: lab.locations['serve']!.bucket, key: o.key });
        // A whole copy of that very source object: its size, and the source ETag our metadata
        // names, which S3 attaches only when the upload completes.
        expect(copy?.size, o.key).toBe(at.size);
        expect(sameEtag(copy?.metadata[SOURCE_ETAG_METADATA], at.etag), o.key).toBe(true);
        if (compareBytes)
          expect(await digestOf(dst!, lab.locations['serve']!.bucket, o.key), o.key).toBe(
            await digestOf(src!, lab.locations['train']!.bucket, o.key),
          );
        present++;
      }
    } finally {
      src!.close();
      dst!.close();
    }
    return present;
  }

  it('leaves only whole objects after every kill, and converges afterwards', async () => {
    const random = lcg(31337);
    let kills = 0;
    // A kill that lands after the copy ended lets that apply finish the handoff, and later applies
    // have none to kill: enough tries, with the copy longer than the longest delay, to land five.
    for (let i = 0; i < 14 && kills < 5; i++) {
      const r = await applyKilledInHandoff(file, env, 50 + Math.floor(random() * 600));
      if (r.killedInHandoff) kills++;
      await checkInvariants(lab);
      await expectWholeObjectsAtTarget();
    }
    // A kill that never landed inside the copy tests nothing.
    expect(kills).toBeGreaterThanOrEqual(5);
    const final = await runCli(['apply', '-f', file, '--json'], { env, timeoutMs: 120_000 });
    expect(final.code, final.stderr).toBe(0);
    const doc = JSON.parse(final.stdout) as { inSync: boolean; stages: { cached: string[]; executed: string[] }[] };
    expect(doc.inSync).toBe(true);
    expect(doc.stages[1]).toMatchObject({
      cached: ['load-data', 'split-data', 'train-model', 'evaluate-model'],
      executed: ['serve-model'],
    });
    const inv = await checkInvariants(lab);
    expect(inv.importedExecutions).toMatchObject({ train: 0, serve: 4 });
    // Bytes travel only where a step reads them: serve-model reads the model, so its objects are
    // the ones at the target (the cached steps' outputs and logs travel as records only).
    expect(await expectWholeObjectsAtTarget(true)).toBeGreaterThanOrEqual(1);
  }, 150_000);
});
