import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary as users do (`bin/split-pipelines.js` → `dist/cli.js`). */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/split-pipelines.js'), ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The text of one line of `apply --json` progress (a JSON event with the terminal's line as `message`). */
export function progressMessage(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const e = JSON.parse(line) as { message?: unknown };
    return typeof e.message === 'string' ? e.message : line;
  } catch {
    return line;
  }
}

/**
 * `apply -f FILE --json` as a process whose progress a test watches: `onLine` sees the text of each stderr
 * line as it comes (progressMessage), with a way to kill the process (SIGKILL) at that very point.
 */
export function applyWatched(
  file: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string, kill: () => void) => void = () => undefined,
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/split-pipelines.js'), 'apply', '-f', file, '--json', '--lock-timeout', '30s'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) onLine(progressMessage(l), () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
