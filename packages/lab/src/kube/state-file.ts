// The lab's Kubernetes stores keep their objects in one JSON file each, so a lab restart finds them.
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The saved state, or undefined when nothing was saved yet (any other read error is the lab's own fault). */
export function readStateFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
}

/** Written beside and renamed over, so a lab killed mid-write leaves the previous state, never half of one. */
export function writeStateFile(file: string, state: unknown, indent?: number): void {
  const tmp = `${file}.tmp-${randomUUID()}`;
  writeFileSync(tmp, JSON.stringify(state, null, indent));
  renameSync(tmp, file);
}
