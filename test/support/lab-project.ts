import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Lab } from '../../packages/lab/src/lab.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
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

/** A client of one lab location's object store, with the lab's fixed account. */
export function labStore(lab: Lab, location: string): ObjectStore {
  const loc = lab.locations[location]!;
  return new ObjectStore({
    location,
    endpoint: loc.objectStore,
    pipelineRoot: loc.pipelineRoot,
    credentials: loc.credentials,
    region: loc.region,
  });
}

/** Deletes the objects of a lab location's bucket whose key contains `part` (bytes lost); returns how many. */
export async function deleteObjects(lab: Lab, location: string, part: string): Promise<number> {
  const store = labStore(lab, location);
  const bucket = lab.locations[location]!.bucket;
  let deleted = 0;
  try {
    for await (const o of store.list(bucket, ''))
      if (o.key.includes(part)) {
        await store.delete({ bucket, key: o.key });
        deleted++;
      }
  } finally {
    store.close();
  }
  return deleted;
}
