// What every benchmark shares: a lab in a temporary directory (removed afterwards), a project file
// for a generated pipeline, a clock, and the output convention — human lines, then one JSON line
// of figures as the last line of stdout (bench/run.mjs collects it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type StartLabOptions } from '../../packages/lab/src/index.js';
import { LAB_S3_ACCESS_KEY_ENV, LAB_S3_SECRET_KEY_ENV } from '../../packages/lab/src/index.js';
import { loadProject, type Project } from '../../src/split-file/load-project.js';
import { generatePipeline, twoStageSpec, type GeneratedPipeline } from './pipeline-gen.js';

export interface BenchLab {
  lab: Lab;
  dir: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function benchLab(name: string, options: Omit<StartLabOptions, 'dir' | 'ports'>): Promise<BenchLab> {
  const dir = mkdtempSync(join(process.env['SPLIT_PIPELINES_BENCH_DIR'] ?? tmpdir(), `sp-bench-${name}-`));
  const lab = await startLab({ ...options, dir: join(dir, 'lab'), ports: 'ephemeral' });
  const creds = Object.values(lab.locations)[0]!.credentials;
  const env = {
    ...process.env,
    [LAB_S3_ACCESS_KEY_ENV]: creds.accessKeyId,
    [LAB_S3_SECRET_KEY_ENV]: creds.secretAccessKey,
  };
  return {
    lab,
    dir,
    env,
    close: async () => {
      await lab.close();
      if (!process.env['SPLIT_PIPELINES_BENCH_KEEP']) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a generated pipeline and its two-stage split-pipeline.yaml under `dir/<name>/`, and loads it. */
export async function generatedProject(
  b: BenchLab,
  name: string,
  tasks: number,
  first: string,
  second: string,
): Promise<{ project: Project; pipeline: GeneratedPipeline; file: string }> {
  const pipeline = generatePipeline(`bench-${name}`, tasks);
  const projectDir = join(b.dir, name);
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(join(projectDir, 'pipeline.yaml'), pipeline.yaml);
  const file = join(projectDir, 'split-pipeline.yaml');
  writeFileSync(
    file,
    twoStageSpec({ name, packagePath: 'pipeline.yaml', pipeline, locationsYaml: b.lab.locationsYaml(), first, second }),
  );
  const { project, diagnostics } = await loadProject(file);
  if (!project)
    throw new Error(
      `generated project ${name} is invalid:\n${diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n')}`,
    );
  return { project, pipeline, file };
}

export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The last line of a benchmark's output: its figures, machine-readable. */
export function figures(name: string, values: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: name, ...values })}\n`);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export const MiB = 1024 * 1024;

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `main`, exits non-zero with the message on failure (no stack unless asked for). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(
        `benchmark failed: ${(e as Error).message}\n${process.env['SPLIT_PIPELINES_DEBUG'] ? `${(e as Error).stack}\n` : ''}`,
      );
      process.exit(1);
    },
  );
}
