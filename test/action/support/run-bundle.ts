// Runs the committed bundle (action/dist/index.js) as the runner does: a node process in the
// workspace, with INPUT_* variables, the event payload in a file, and the file commands
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../support/fixtures.js';

export const bundlePath = join(repoRoot, 'action/dist/index.js');

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  /** The raw GITHUB_OUTPUT file. */
  outputFile: string;
  outputs: Record<string, string>;
}

export interface BundleOptions {
  cwd: string;
  inputs: Record<string, string>;
  eventName: string;
  event: object;
  apiUrl?: string;
  env?: Record<string, string>;
}

export function pullRequestEvent(o: { number: number; baseSha: string; headSha: string; fork?: boolean }): object {
  return {
    action: 'synchronize',
    number: o.number,
    pull_request: {
      number: o.number,
      html_url: `https://github.example/o/r/pull/${o.number}`,
      base: { sha: o.baseSha, ref: 'main', repo: { full_name: 'o/r' } },
      head: { sha: o.headSha, ref: 'feature', repo: { full_name: o.fork ? 'someone/r' : 'o/r' } },
    },
    repository: { full_name: 'o/r' },
  };
}

export function runBundle(o: BundleOptions): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'split-pipelines-runner-'));
  const eventPath = join(dir, 'event.json');
  const summaryPath = join(dir, 'summary.md');
  const outputPath = join(dir, 'output');
  writeFileSync(eventPath, JSON.stringify(o.event));
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  // Only what a runner sets: nothing of the developer's environment leaks into the run.
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKSPACE: o.cwd,
    ...(o.apiUrl ? { GITHUB_API_URL: o.apiUrl } : {}),
    ...o.env,
  };
  for (const [name, value] of Object.entries(o.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundlePath], { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const outputFile = readFileSync(outputPath, 'utf8');
      resolve({
        code,
        stdout,
        stderr,
        summary: readFileSync(summaryPath, 'utf8'),
        outputFile,
        outputs: parseOutputFile(outputFile),
      });
    });
  });
}

/** Parses `name<<delimiter\nvalue\ndelimiter` blocks as @actions/core writes them. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}
