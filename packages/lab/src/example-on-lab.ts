// An example split pipeline pointed at a running lab: the same file, with `spec.locations` replaced
// by the lab's (what a user pastes after `lab up`). Used by `demo`.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import type { Lab } from './lab.js';

export async function writeExampleForLab(lab: Lab, exampleFile: string, outDir: string): Promise<string> {
  const doc = parseDocument(await readFile(exampleFile, 'utf8'));
  const locations = (parse(lab.locationsYaml()) as { locations: unknown[] }).locations;
  doc.setIn(['spec', 'locations'], doc.createNode(locations));
  const pkg = doc.getIn(['spec', 'pipeline', 'package']);
  if (typeof pkg === 'string')
    await cp(join(dirname(exampleFile), dirname(pkg)), join(outDir, dirname(pkg)), { recursive: true });
  const file = join(outDir, 'split-pipeline.yaml');
  await writeFile(file, doc.toString());
  return file;
}
