// Artifact URIs and pipeline roots as KFP writes them. KFP builds an output URI with
// `GenerateOutputURI(root, paths)` = `strings.TrimRight(root, "/") + "/" + path.Join(paths...)`
// (backend/src/v2/metadata/client.go), giving
// `<pipeline_root>/<pipeline name>/<run id>/<task name>/<uuid>/<output name>`. The run's pipeline
// root may carry a query (`?region=…&endpoint=…`) that KFP keeps on the run root but drops from
// artifact URIs. Supported schemes are those the launcher mounts: minio://, s3://, gs://
// (sdk/python/kfp/dsl/types/artifact_types.py); each names a bucket on the location's S3 endpoint
// (gs:// through GCS's S3-interoperable XML API).
import { UserError } from '../../errors/user-error.js';

export type StorageScheme = 'minio' | 's3' | 'gs';

const SCHEMES: readonly StorageScheme[] = ['minio', 's3', 'gs'];

/** Where an artifact lives: a bucket and a key on the location's endpoint. */
export interface ArtifactLocation {
  scheme: StorageScheme;
  bucket: string;
  key: string;
}

/** A pipeline root: bucket plus key prefix (no leading or trailing slash), and its query if any. */
export interface PipelineRoot {
  scheme: StorageScheme;
  bucket: string;
  prefix: string;
  query: string;
}

export class ArtifactUriError extends UserError {
  readonly uri: string;
  constructor(uri: string, problem: string) {
    super(`invalid artifact URI '${uri}': ${problem}`, { code: 'artifact-uri', operation: 'parse-artifact-uri' });
    this.name = 'ArtifactUriError';
    this.uri = uri;
  }
}

// S3 bucket names are 3-63 characters; GCS also allows underscores and dotted names up to 222.
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

interface Split {
  scheme: StorageScheme;
  bucket: string;
  path: string;
  query: string;
}

function split(uri: string): Split {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?$/.exec(uri);
  if (!m) throw new ArtifactUriError(uri, 'expected <scheme>://<bucket>/<key>');
  const scheme = (m[1] ?? '').toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new ArtifactUriError(uri, `unsupported scheme '${scheme}://' (expected minio://, s3:// or gs://)`);
  }
  const bucket = m[2] ?? '';
  if (!BUCKET.test(bucket)) throw new ArtifactUriError(uri, `'${bucket}' is not a valid bucket name`);
  return { scheme: scheme as StorageScheme, bucket, path: m[3] ?? '', query: m[4] ?? '' };
}

/**
 * Rejects keys that could escape the pipeline root once the launcher maps them onto a local
 * path (/minio/<bucket>/<key>) or once another tool resolves them: `.`/`..` segments (also
 * percent-encoded), empty segments, absolute keys, backslashes and control characters.
 */
function checkKey(uri: string, key: string): void {
  if (key.startsWith('/')) throw new ArtifactUriError(uri, 'the key is absolute (starts with "/")');
  if (key.includes('\\')) throw new ArtifactUriError(uri, 'the key contains a backslash');
  // eslint-disable-next-line no-control-regex -- finding control characters is the point of this check
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new ArtifactUriError(uri, 'the key contains a NUL or control character');
  for (const segment of key.split('/')) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // not percent-encoded; judge the raw segment
    }
    if (segment === '') throw new ArtifactUriError(uri, 'the key has an empty path segment ("//")');
    if (decoded === '.' || decoded === '..') {
      throw new ArtifactUriError(uri, `the key has a '${decoded}' path segment (path traversal)`);
    }
  }
}

/** Parses an artifact URI such as `minio://mlpipeline/v2/artifacts/p/run/task/uuid/model`. */
export function parseArtifactUri(uri: string): ArtifactLocation {
  const { scheme, bucket, path, query } = split(uri);
  if (query) throw new ArtifactUriError(uri, 'artifact URIs carry no query string');
  const key = path.startsWith('/') ? path.slice(1) : path;
  if (key === '') throw new ArtifactUriError(uri, 'the key is empty');
  checkKey(uri, key);
  return { scheme, bucket, key };
}

/** Parses a pipeline root such as `minio://mlpipeline/v2/artifacts` or `s3://b/p?region=x`. */
export function parsePipelineRoot(root: string): PipelineRoot {
  const { scheme, bucket, path, query } = split(root);
  const prefix = path.replace(/^\//, '').replace(/\/+$/, '');
  if (prefix !== '') checkKey(root, prefix);
  return { scheme, bucket, prefix, query };
}

export function formatArtifactUri(location: ArtifactLocation): string {
  return `${location.scheme}://${location.bucket}/${location.key}`;
}

/** The key of `relativePath` under a pipeline root (KFP's GenerateOutputURI without the scheme). */
export function keyUnderRoot(root: PipelineRoot, relativePath: string): string {
  return root.prefix === '' ? relativePath : `${root.prefix}/${relativePath}`;
}

/**
 * Maps an artifact URI under `fromRoot` to the same relative path under `toRoot`
 * (`minio://a/v2/artifacts/p/r/t/u/model` from `minio://a/v2/artifacts` to `s3://b/root`
 * → `s3://b/root/p/r/t/u/model`). Query strings of the roots are ignored, as KFP drops them from
 * artifact URIs.
 */
export function rebaseUri(uri: string, fromRoot: string, toRoot: string): string {
  const artifact = parseArtifactUri(uri);
  const from = parsePipelineRoot(fromRoot);
  const to = parsePipelineRoot(toRoot);
  const sameBucket = artifact.scheme === from.scheme && artifact.bucket === from.bucket;
  const under = from.prefix === '' || artifact.key.startsWith(`${from.prefix}/`);
  if (!sameBucket || !under) {
    throw new ArtifactUriError(uri, `it is not under the pipeline root '${fromRoot}'`);
  }
  const relative = from.prefix === '' ? artifact.key : artifact.key.slice(from.prefix.length + 1);
  return formatArtifactUri({ scheme: to.scheme, bucket: to.bucket, key: keyUnderRoot(to, relative) });
}
