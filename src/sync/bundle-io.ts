// A bundle on disk, for locations that cannot reach each other: `bundle.json` and, unless
// metadata-only, `objects/<path under the pipeline root>`. Files are written to a temporary name
// and renamed, and every object's SHA-256 is recorded, so a bundle is either whole or detectably not.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { ObjectStore } from '../location/objectstore/index.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type HandoffBundle } from './bundle.js';
import { bundleFromV1, type V1Bundle } from './bundle-v1.js';
import { outsideRoot } from './copy-bytes.js';
import { HandoffError } from './export.js';

export async function writeBundle(
  dir: string,
  bundle: HandoffBundle,
  source: ObjectStore | undefined,
  onBytes?: (n: number) => void,
): Promise<{ bytes: number; objects: number }> {
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  let objects = 0;
  const carried = new Set(bundle.executions.flatMap((e) => e.outputs.map((o) => o.artifact)));
  if (source) {
    for (const a of bundle.artifacts) {
      if (!carried.has(a.globalId)) continue;
      if (a.relativePath === undefined) throw outsideRoot(bundle, a);
      for (const o of a.objects) {
        const base = source.resolve(a.uri);
        const ref = o.path === '' ? base : { bucket: base.bucket, key: `${base.key.replace(/\/+$/, '')}/${o.path}` };
        const file = safeJoin(dir, 'objects', a.relativePath, o.path);
        await mkdir(dirname(file), { recursive: true });
        const download = await source.get(ref, o.sha256 ? { verify: true, sha256: o.sha256 } : { verify: true });
        const hash = createHash('sha256');
        let size = 0;
        const tmp = `${file}.partial`;
        await pipeline(
          download.body,
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              hash.update(chunk);
              size += chunk.length;
              onBytes?.(chunk.length);
              cb(null, chunk);
            },
          }),
          createWriteStream(tmp),
        );
        await rename(tmp, file);
        o.sha256 = hash.digest('hex');
        o.size = size;
        bytes += size;
        objects++;
      }
    }
  }
  const doc: HandoffBundle = { ...bundle, bytesIncluded: source !== undefined };
  await writeFile(join(dir, 'bundle.json.partial'), `${JSON.stringify(doc, null, 2)}\n`);
  await rename(join(dir, 'bundle.json.partial'), join(dir, 'bundle.json'));
  return { bytes, objects };
}

export async function readBundle(dir: string): Promise<HandoffBundle> {
  let text: string;
  try {
    text = await readFile(join(dir, 'bundle.json'), 'utf8');
  } catch {
    throw new HandoffError(`${dir} is not a handoff bundle: ${join(dir, 'bundle.json')} cannot be read`);
  }
  let parsed: HandoffBundle | V1Bundle;
  try {
    parsed = JSON.parse(text) as HandoffBundle | V1Bundle;
  } catch (e) {
    throw new HandoffError(`${join(dir, 'bundle.json')} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed.format !== BUNDLE_FORMAT || (parsed.version !== BUNDLE_VERSION && parsed.version !== 1)) {
    throw new HandoffError(
      `${join(dir, 'bundle.json')} is not a split-pipelines handoff bundle of version ${BUNDLE_VERSION} (or 1)`,
    );
  }
  const doc = parsed.version === 1 ? bundleFromV1(parsed) : parsed;
  for (const a of doc.artifacts) {
    if (a.relativePath !== undefined) {
      safeJoin(dir, 'objects', a.relativePath);
      for (const o of a.objects) safeJoin(dir, 'objects', a.relativePath, o.path);
      if (a.relativePath.split('/').some((x) => x === '..' || x === '.'))
        throw new HandoffError(`bundle artifact ${a.globalId}: path ${a.relativePath} has "." or ".." segments`);
    }
    checkUri(a.globalId, a.uri);
  }
  return doc;
}

/** Paths come from a file that may have been tampered with: never let them leave the bundle. */
function safeJoin(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const p = resolve(base, ...parts);
  if (p !== base && !p.startsWith(base + sep))
    throw new HandoffError(`bundle path ${parts.join('/')} leaves the bundle directory`);
  return p;
}

/** Artifact URIs end up in the target's ML Metadata and object keys: no traversal, however encoded. */
function checkUri(globalId: string, uri: string): void {
  let decoded = uri;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    /* keep it raw */
  }
  const path = decoded.replace(/^[a-z0-9+.-]+:\/\/[^/]*/i, '');
  if (path.split('/').some((x) => x === '..' || x === '.') || /[\\\0]/.test(decoded)) {
    throw new HandoffError(
      `bundle artifact ${globalId}: URI ${JSON.stringify(uri)} has "." or ".." segments or backslashes; refusing the bundle`,
    );
  }
}
