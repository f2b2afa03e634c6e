// Makes s3rver's filesystem store behave like S3 where the product depends on it:
// - an object appears under its key only once all its bytes are stored (S3 PUT and
//   CompleteMultipartUpload are atomic); s3rver 3.7.1 writes straight into the final file, so an
//   interrupted upload leaves a truncated object, and it answers before the file is flushed;
// - metadata files are replaced atomically, so a concurrent GET never reads half a JSON file;
// - a multipart object's ETag is `md5(concat(part md5s))-N`, as AWS S3 and MinIO compute it
//   (s3rver 3.7.1 returns the plain MD5 of the whole object for a multipart upload);
// - a part appears in its upload only once all its bytes are stored (s3rver writes it in place,
//   then its `.md5`), so ListParts (multipart-routes.ts) never lists half a part;
// - CompleteMultipartUpload checks the upload and its parts as S3 does (multipart-routes.ts).
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  allowedSystemMetadata,
  s3rverError,
  type S3rverApp,
  type S3rverObject,
  type S3rverPart,
} from './s3rver-binding.js';
import { readParts, readUpload, S3_MIN_PART_SIZE, uploadsDir, type ObjectStoreLimits } from './multipart-routes.js';

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

const NO_SUCH_UPLOAD =
  'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';

/** S3's checks of a CompleteMultipartUpload's part list against the stored parts. */
async function checkCompletion(app: S3rverApp, bucket: string, uploadId: string, parts: S3rverPart[], minPart: number) {
  if ((await readUpload(app, bucket, uploadId)) === undefined) {
    throw s3rverError('NoSuchUpload', NO_SUCH_UPLOAD, { UploadId: uploadId });
  }
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.number <= parts[i - 1]!.number) {
      throw s3rverError(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      );
    }
  }
  const stored = new Map((await readParts(app, bucket, uploadId)).map((p) => [p.number, p]));
  for (const [i, part] of parts.entries()) {
    const p = stored.get(part.number);
    if (p === undefined || p.etag !== part.etag.replace(/"/g, '')) {
      throw s3rverError(
        'InvalidPart',
        'One or more of the specified parts could not be found. The part may not have been uploaded, ' +
          "or the specified entity tag may not match the part's entity tag.",
        { UploadId: uploadId, PartNumber: String(part.number), ETag: part.etag },
      );
    }
    if (i < parts.length - 1 && p.size < minPart) {
      throw s3rverError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        ProposedSize: String(p.size),
        MinSizeAllowed: String(minPart),
        PartNumber: String(part.number),
      });
    }
  }
}

export function installStoreFixes(app: S3rverApp, limits: ObjectStoreLimits = {}): void {
  const store = app.store;
  const allowed = allowedSystemMetadata();

  // S3 lists a key's uploads in the order they were initiated (ListMultipartUploads). A file's mtime has the
  // kernel's coarse clock, so two uploads begun within a few milliseconds would tie and list in a random
  // order: the initiation is recorded instead, its time and its place among this store's initiations.
  let initiations = 0;
  const originalInitiate = store.initiateUpload.bind(store);
  store.initiateUpload = async (bucket, key, uploadId, metadata) => {
    await originalInitiate(bucket, key, uploadId, metadata);
    await writeFile(join(uploadsDir(app, bucket), uploadId, 'initiated'), `${Date.now()} ${++initiations}`);
  };

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

  store.putPart = async (bucket, uploadId, partNumber, content) => {
    // Written to a temporary file (s3rver writes in place and answers before the bytes are
    // flushed), renamed into place, and only then its `.md5`: a part interrupted mid-body is never
    // listed, and never replaces a whole one.
    if ((await readUpload(app, bucket, uploadId)) === undefined) {
      content.resume();
      throw s3rverError('NoSuchUpload', NO_SUCH_UPLOAD, { UploadId: uploadId });
    }
    const dir = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const tmp = join(dir, `${partNumber}.partial-${randomUUID()}`);
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(content, measure, createWriteStream(tmp));
      await unlink(join(dir, `${partNumber}.md5`)).catch(() => undefined);
      await rename(tmp, join(dir, String(partNumber)));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const digest = md5.digest('hex');
    await writeFileAtomic(join(dir, `${partNumber}.md5`), digest);
    return { size, md5: digest };
  };

  const minPart = limits.minPartSizeBytes ?? S3_MIN_PART_SIZE;
  const originalMultipart = store.putObjectMultipart.bind(store);
  store.putObjectMultipart = async (bucket: string, uploadId: string, parts: S3rverPart[]) => {
    await checkCompletion(app, bucket, uploadId, parts, minPart);
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
