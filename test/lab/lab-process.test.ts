// A detached lab that never gets ready must not outlive `lab up`: its whole process group goes,
// even when it ignores SIGTERM (a lab stuck before its handlers exist, or a Job it started).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startDetached } from '../../packages/lab/src/lab-process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDetached', () => {
  it('kills the process group of a lab that is not ready in time, SIGTERM ignored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-stuck-'));
    const pids = join(dir, 'pids.json');
    const entry = join(dir, 'stuck.mjs');
    // Stands in for a lab that hangs: ignores SIGTERM, starts a child in its group, never writes lab.json.
    writeFileSync(
      entry,
      `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
process.on('SIGTERM', () => {});
const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(pids)}, JSON.stringify({ lab: process.pid, job: child.pid }));
setInterval(() => {}, 1000);
`,
    );
    // 4 s: ample for the stand-in to start and write its pids even on a loaded machine.
    const started = startDetached(dir, entry, [], 4000, 300);
    await expect(started).rejects.toThrow(/not ready after/);
    expect(existsSync(pids)).toBe(true);
    const { lab, job } = JSON.parse(readFileSync(pids, 'utf8')) as { lab: number; job: number };
    // SIGKILL was sent before startDetached returned; wait for the kernel to finish the job process.
    for (let i = 0; i < 100 && (alive(lab) || alive(job)); i++) await sleep(20);
    expect(alive(lab)).toBe(false);
    expect(alive(job)).toBe(false);
  }, 20_000);
});
