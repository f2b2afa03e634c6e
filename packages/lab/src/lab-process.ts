// A lab serving from a detached process: started by `lab up --detach` (the same command, without
// --detach, in a new session with its output in `DIR/lab.log`), found again through `DIR/lab.json`,
// and stopped by `lab down` with SIGTERM (the process shuts its servers down cleanly).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLabFile, type LabFile } from './lab-config.js';
import { labProblem, processAlive } from './readiness.js';

export const labLogPath = (dir: string): string => join(dir, 'lab.log');

/** The lab serving `dir`: its file names a live process and its first location answers. */
export async function runningLab(dir: string): Promise<LabFile | undefined> {
  const file = await readLabFile(dir);
  if (!file?.pid || !processAlive(file.pid)) return undefined;
  const first = Object.values(file.locations)[0];
  if (!first) return undefined;
  try {
    const res = await fetch(`${first.kfp}/apis/v2beta1/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok ? file : undefined;
  } catch {
    return undefined;
  }
}

function logTail(dir: string): string {
  try {
    const text = readFileSync(labLogPath(dir), 'utf8').trim();
    return text.split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `node <entry> lab up <args>` detached and resolves with the lab's file once every location
 * answers; rejects (with the tail of its log) when it exits or does not get ready in time.
 */
export async function startDetached(
  dir: string,
  entry: string,
  args: string[],
  timeoutMs = 60_000,
  termGraceMs = 5000,
): Promise<LabFile> {
  mkdirSync(dir, { recursive: true });
  const log = openSync(labLogPath(dir), 'a');
  const child = spawn(process.execPath, [...process.execArgv, entry, 'lab', 'up', ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.once('error', () => (exited = -1));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  const failure = (why: string) => {
    const tail = logTail(dir);
    return new Error(`${why}${tail ? `; its log (${labLogPath(dir)}) ends with:\n${tail}` : ''}`);
  };
  for (;;) {
    if (exited !== undefined) throw failure(`the lab process exited (code ${exited}) before it was ready`);
    const file = await readLabFile(dir);
    if (file && file.pid === child.pid && (await labProblem(file)) === undefined) return file;
    if (Date.now() > deadline) {
      if (child.pid) await stopGroup(child.pid, termGraceMs, () => exited !== undefined);
      throw failure(`the lab was not ready after ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(100);
  }
}

/**
 * Stops a lab that never got ready: its whole process group (it is the leader, being detached), so
 * the Job processes it started go too; SIGKILL when SIGTERM is not obeyed in time, as a lab stuck
 * before its signal handlers exist would otherwise be left running with no lab.json naming it.
 */
async function stopGroup(pid: number, graceMs: number, gone: () => boolean): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (!gone() && processAlive(pid) && Date.now() < deadline) await sleep(50);
  if (!gone() && processAlive(pid)) signal('SIGKILL');
}

export type StopOutcome = { stopped: true; pid: number } | { stopped: false; reason: string };

/** Sends SIGTERM to the lab serving `dir` and waits until its process is gone. */
export async function stopDetached(dir: string, timeoutMs = 30_000): Promise<StopOutcome> {
  const file = await readLabFile(dir);
  if (!file) return { stopped: false, reason: `no lab has run in ${dir} (no lab.json)` };
  if (!file.pid || !processAlive(file.pid)) return { stopped: false, reason: `no lab is running in ${dir}` };
  // Only a process that serves this lab is signalled: a stale pid may belong to anything by now.
  if (!(await runningLab(dir))) {
    return {
      stopped: false,
      reason: `lab.json names process ${file.pid}, but no lab answers at its endpoints; it was left alone`,
    };
  }
  const pid = file.pid;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`the lab process ${pid} did not stop within ${Math.round(timeoutMs / 1000)} s after SIGTERM`);
    await sleep(50);
  }
  return { stopped: true, pid };
}
