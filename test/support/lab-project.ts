import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Lab } from '../../packages/lab/src/lab.js';
import { loadProject, type Project } from '../../src/split-file/load-project.js';
import { repoRoot } from './fixtures.js';

/**
 * An example split pipeline, copied into `dir` with its `locations:` replaced by those of one or
 * more labs (the same file a user would write after `lab up`). Returns the file's path.
 */
export function exampleOnLabs(labs: Lab[], dir: string, example = 'thesis'): string {
  const src = join(repoRoot, 'examples', example, 'split-pipeline.yaml');
  cpSync(join(repoRoot, 'examples', example, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
  const text = readFileSync(src, 'utf8');
  const head = text.slice(0, text.indexOf('  locations:\n'));
  const stages = text.slice(text.indexOf('  stages:\n'));
  const entries = labs.flatMap((lab) => (parse(lab.locationsYaml()) as { locations: unknown[] }).locations);
  const { stringify } = { stringify: (v: unknown) => JSON.stringify(v) };
  const locations = `  locations: ${stringify(entries)}\n`;
  const file = join(dir, 'split-pipeline.yaml');
  writeFileSync(file, `${head}${locations}${stages}`);
  return file;
}

export async function projectOf(file: string): Promise<Project> {
  const { project, diagnostics } = await loadProject(file);
  if (!project) throw new Error(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`).join('\n'));
  return project;
}

/** The environment a user exports after `lab up`: S3 keys (and KFP tokens) by the names the file uses. */
export function labEnv(labs: Lab[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const creds = Object.values(labs[0]!.locations)[0]!.credentials;
  return {
    ...process.env,
    LAB_S3_ACCESS_KEY_ID: creds.accessKeyId,
    LAB_S3_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ...extra,
  };
}
