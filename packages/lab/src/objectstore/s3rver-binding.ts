// Typed access to s3rver 3.7.1, a CommonJS package without type declarations. Only the members the
// lab uses are described; the package is pinned, so these shapes are stable.
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

const require = createRequire(import.meta.url);

/** The slice of a Koa context that the lab's middleware reads and writes. */
export interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  /** Request headers, names lower-case. */
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  get(field: string): string;
}

export type KoaNext = () => Promise<void>;
export type KoaMiddleware = (ctx: KoaContext, next: KoaNext) => Promise<unknown>;

/** What s3rver's controllers hand to `store.putObject` (an `S3Object` model). */
export interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

export interface S3rverPart {
  number: number;
  etag: string;
}

/** s3rver's `FilesystemStore` (lib/stores/filesystem.js); the lab replaces some methods. */
export interface S3rverStore {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  /** Stored metadata plus `etag` (quoted), `last-modified` and `content-length`; rejects (ENOENT) when absent. */
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  /** Stores part `partNumber` of an upload (and its `.md5` beside it). */
  putPart(
    bucket: string,
    uploadId: string,
    partNumber: number,
    content: Readable,
  ): Promise<{ size: number; md5: string }>;
  putObjectMultipart(bucket: string, uploadId: string, parts: S3rverPart[]): Promise<{ size: number; md5: string }>;
  /** Creates an upload's directory with its `key` and `metadata` files. */
  initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, string>): Promise<void>;
}

export interface S3rverApp {
  store: S3rverStore;
  /** Koa's middleware stack; composed when `getMiddleware()` is called. */
  middleware: KoaMiddleware[];
  logger: { exceptions: { unhandle(): void }; close(): void };
  configureBuckets(): Promise<unknown>;
  /** Koa's `callback()`: a node:http request listener. */
  getMiddleware(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface S3rverOptions {
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
  /** Answer only path-style requests; the product always uses path-style addressing. */
  vhostBuckets: boolean;
}

type S3rverConstructor = new (options: S3rverOptions) => S3rverApp;

export function createS3rver(options: S3rverOptions): S3rverApp {
  const S3rver = require('s3rver') as S3rverConstructor;
  return new S3rver(options);
}

/** s3rver's list of stored system metadata (lib/models/object.js `S3Object.ALLOWED_METADATA`). */
export function allowedSystemMetadata(): readonly string[] {
  const model = require('s3rver/lib/models/object') as { ALLOWED_METADATA: string[] };
  return model.ALLOWED_METADATA;
}

/** An error s3rver's error handler answers as S3 does (its code's HTTP status and an XML body). */
export function s3rverError(code: string, message: string, detail: Record<string, string> = {}): Error {
  const S3Error = require('s3rver/lib/models/error') as new (
    code: string,
    message: string,
    detail: Record<string, string>,
  ) => Error;
  return new S3Error(code, message, detail);
}

interface S3rverAccounts {
  registry: Map<string, { accessKeys: Map<string, string> }>;
}

/** The secret s3rver's account registry (lib/models/account.js) holds for an access key. */
export function s3rverSecretOf(accessKeyId: string): string | undefined {
  const accounts = require('s3rver/lib/models/account') as S3rverAccounts;
  return accounts.registry.get(accessKeyId)?.accessKeys.get(accessKeyId);
}
