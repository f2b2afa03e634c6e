// The product's S3 client for one location: thin, typed, retrying, no policy.
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { DeleteObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import {
  createS3Client,
  directSettings,
  transferSettings,
  type ObjectStoreConfig,
  type ResolvedTransferSettings,
} from './config.js';
import { DirectRequests, metadataOf } from './direct.js';
import { isNotFound, ObjectStoreError, toObjectStoreError, type ObjectStoreOperation } from './errors.js';
import { DigestingStream, isSha256Hex, SHA256_METADATA } from './integrity.js';
import { putObjectWithDigest, type PutBody, type PutOptions, type PutResult } from './put.js';
import { parseArtifactUri } from './uri.js';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ObjectInfo extends ObjectRef {
  size: number;
  etag: string | undefined;
  lastModified: Date | undefined;
  contentType: string | undefined;
  /** User metadata, names lower-case without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  /** Our recorded SHA-256 (`x-amz-meta-sha256`), when present and well-formed. */
  sha256: string | undefined;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string | undefined;
  lastModified: Date | undefined;
}

export interface ObjectDownload {
  info: ObjectInfo;
  /** The object's bytes. With `verify`, the stream errors at its end if they do not match. */
  body: Readable;
}

export interface GetOptions {
  /** Check the bytes against the recorded sha256 (and the size) as they stream. */
  verify?: boolean;
  /** With `verify`: the SHA-256 the bytes must have when known elsewhere (a handoff's record),
   * checked instead of the object's metadata. */
  sha256?: string;
}

export interface ListOptions {
  /** ListObjectsV2 page size (MaxKeys); the default comes from the configuration. */
  pageSize?: number;
}

export class ObjectStore {
  readonly location: string;
  /** The endpoint URL as configured (undefined: the SDK's default for the region, AWS S3). */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly s3: S3Client;
  private readonly settings: ResolvedTransferSettings;
  /** HEAD, GET and PUT of objects, the per-object requests of a copy (see direct.ts). */
  private readonly direct: DirectRequests;

  constructor(config: ObjectStoreConfig) {
    this.location = config.location;
    this.endpoint = config.endpoint;
    this.region = config.region ?? 'us-east-1';
    this.s3 = createS3Client(config);
    this.settings = transferSettings(config);
    this.direct = new DirectRequests(this.s3, directSettings(config));
  }

  /** Objects above this size stream through a multipart upload (with its pool of part buffers). */
  get multipartThresholdBytes(): number {
    return this.settings.multipartThresholdBytes;
  }

  /** The bucket and key an artifact URI names on this location's endpoint (any supported scheme). */
  resolve(uri: string): ObjectRef {
    const { bucket, key } = parseArtifactUri(uri);
    return { bucket, key };
  }

  private fail(err: unknown, operation: ObjectStoreOperation, ref: { bucket: string; key: string }): ObjectStoreError {
    return toObjectStoreError(err, { location: this.location, operation, bucket: ref.bucket, key: ref.key });
  }

  /** Size, ETag and metadata of an object, or undefined when it does not exist (HEAD answers a
   * missing bucket with the same bodiless 404, so that also reads as absent). */
  async head(ref: ObjectRef): Promise<ObjectInfo | undefined> {
    try {
      const res = await this.direct.send({ method: 'HEAD', bucket: ref.bucket, key: ref.key, accept: [404] });
      res.body.resume();
      if (res.status === 404) return undefined;
      return infoOf(ref, res.headers);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.fail(err, 'head', ref);
    }
  }

  /** Every object under `prefix`, page by page (ListObjectsV2 with continuation tokens). */
  async *list(bucket: string, prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectSummary> {
    const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? this.settings.listPageSize));
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.s3, pageSize },
        { Bucket: bucket, Prefix: prefix },
      )) {
        for (const entry of page.Contents ?? []) {
          if (entry.Key === undefined) continue;
          yield { key: entry.Key, size: entry.Size ?? 0, etag: entry.ETag, lastModified: entry.LastModified };
        }
      }
    } catch (err) {
      throw this.fail(err, 'list', { bucket, key: prefix });
    }
  }

  async listAll(bucket: string, prefix: string, options: ListOptions = {}): Promise<ObjectSummary[]> {
    const all: ObjectSummary[] = [];
    for await (const entry of this.list(bucket, prefix, options)) all.push(entry);
    return all;
  }

  /** Opens an object for reading. Errors (including NoSuchKey) are ObjectStoreErrors. */
  async get(ref: ObjectRef, options: GetOptions = {}): Promise<ObjectDownload> {
    let res;
    try {
      res = await this.direct.send({ method: 'GET', bucket: ref.bucket, key: ref.key });
    } catch (err) {
      throw this.fail(err, 'get', ref);
    }
    const info = infoOf(ref, res.headers);
    if (!options.verify) return { info, body: res.body };
    const sha256 = options.sha256 ?? info.sha256;
    const digesting = new DigestingStream(sha256 ? { sha256, length: info.size } : { length: info.size }, (e) =>
      this.fail(e, 'get', ref),
    );
    const body = pipeline(res.body, digesting, () => undefined) as Readable;
    return { info, body };
  }

  /** Writes an object with its SHA-256 as metadata; see put.ts for how each size is sent. */
  async put(ref: ObjectRef, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    try {
      return await putObjectWithDigest(this.s3, this.direct, this.settings, ref.bucket, ref.key, body, options);
    } catch (err) {
      throw this.fail(err, 'put', ref);
    }
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    } catch (err) {
      throw this.fail(err, 'delete', ref);
    }
  }

  /** Closes the client's pooled connections. */
  close(): void {
    this.s3.destroy();
    this.direct.close();
  }
}

function infoOf(ref: ObjectRef, headers: IncomingHttpHeaders): ObjectInfo {
  const metadata = metadataOf(headers);
  const sha = metadata[SHA256_METADATA];
  const modified = headers['last-modified'];
  return {
    bucket: ref.bucket,
    key: ref.key,
    size: Number(headers['content-length'] ?? 0),
    etag: headers.etag,
    lastModified: modified ? new Date(modified) : undefined,
    contentType: headers['content-type'],
    metadata,
    sha256: isSha256Hex(sha) ? sha : undefined,
  };
}
