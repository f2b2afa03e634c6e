// Makes s3rver's filesystem store behave like S3 where the product depends on it:
// - an object appears under its key only once all its bytes are stored (S3 PUT and
//   CompleteMultipartUpload are atomic); s3rver 3.7.1 writes straight into the final file, so an
//   interrupted upload leaves a truncated object, and it answers before the file is flushed;
// - metadata files are replaced atomically, so a concurrent GET never reads half a JSON file;
// - a multipart object's ETag is `md5(concat(part md5s))-N`, as AWS S3 and MinIO compute it
//   (s3rver 3.7.1 returns the plain MD5 of the whole object for a multipart upload).
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { allowedSystemMetadata, type S3rverApp, type S3rverObject, type S3rverPart } from './s3rver-binding.js';

/** Writes `data` to `path` so that readers see either the old or the new content. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${randomUUID()}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export function installStoreFixes(app: S3rverApp): void {
  const store = app.store;
  const allowed = allowedSystemMetadata();

  store.putMetadata = async (bucket, key, metadata, md5) => {
    const stored: Record<string, string> = {};
    for (const [name, value] of Object.entries(metadata)) {
      if (allowed.includes(name) || name.startsWith('x-amz-meta-')) stored[name] = value;
    }
    if (md5) await writeFileAtomic(store.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeFileAtomic(store.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(stored, null, 2));
  };

  store.putObject = async (object: S3rverObject) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    // The temporary name does not end in `._S3rver_object`, so listings never show it.
    const tmp = `${objectPath}.partial-${randomUUID()}`;
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      // pipeline() rejects when the client disconnects mid-body, so nothing is renamed into place.
      await pipeline(source, measure, createWriteStream(tmp));
      await rename(tmp, objectPath);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };

  const originalMultipart = store.putObjectMultipart.bind(store);
  store.putObjectMultipart = async (bucket: string, uploadId: string, parts: S3rverPart[]) => {
    const uploadDir = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const key = (await readFile(join(uploadDir, 'key'))).toString();
    const ordered = [...parts].sort((a, b) => a.number - b.number);
    const partDigests = await Promise.all(
      ordered.map(async (part) => (await readFile(join(uploadDir, `${part.number}.md5`))).toString()),
    );
    const result = await originalMultipart(bucket, uploadId, parts);
    const combined = createHash('md5');
    for (const hex of partDigests) combined.update(Buffer.from(hex, 'hex'));
    const etag = `${combined.digest('hex')}-${ordered.length}`;
    await writeFileAtomic(store.getResourcePath(bucket, key, 'object.md5'), etag);
    return { size: result.size, md5: etag };
  };
}

/** Removes an in-progress multipart upload's parts (used by the AbortMultipartUpload route). */
export async function removeUpload(app: S3rverApp, bucket: string, key: string, uploadId: string): Promise<boolean> {
  if (!/^[0-9a-f]{32}$/.test(uploadId)) return false;
  const uploadDir = join(app.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  let storedKey: string;
  try {
    storedKey = (await readFile(join(uploadDir, 'key'))).toString();
  } catch {
    return false;
  }
  if (storedKey !== key) return false;
  await rm(uploadDir, { recursive: true, force: true });
  return true;
}
