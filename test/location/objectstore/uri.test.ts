import { describe, expect, it } from 'vitest';
import {
  ArtifactUriError,
  parseArtifactUri,
  parsePipelineRoot,
  rebaseUri,
} from '../../../src/location/objectstore/index.js';

describe('parseArtifactUri', () => {
  it('splits a minio:// artifact URI into bucket and key', () => {
    expect(parseArtifactUri('minio://mlpipeline/v2/artifacts/p/run-1/train/uuid-1/model')).toEqual({
      scheme: 'minio',
      bucket: 'mlpipeline',
      key: 'v2/artifacts/p/run-1/train/uuid-1/model',
    });
  });

  it('splits s3:// and gs:// URIs the same way', () => {
    expect(parseArtifactUri('s3://my-bucket/root/x')).toEqual({ scheme: 's3', bucket: 'my-bucket', key: 'root/x' });
    expect(parseArtifactUri('gs://gcs_bucket.example/a/b.txt')).toEqual({
      scheme: 'gs',
      bucket: 'gcs_bucket.example',
      key: 'a/b.txt',
    });
  });

  it('rejects a scheme the launcher does not mount', () => {
    expect(() => parseArtifactUri('oci://registry/x')).toThrow(/unsupported scheme 'oci:\/\/'/);
    expect(() => parseArtifactUri('file:///etc/passwd')).toThrow(ArtifactUriError);
  });

  it.each([
    ['a .. segment', 'minio://mlpipeline/v2/../../secrets', /'\.\.' path segment/],
    ['a . segment', 'minio://mlpipeline/v2/./x', /'\.' path segment/],
    ['a percent-encoded .. segment', 'minio://mlpipeline/v2/%2e%2e/x', /'\.\.' path segment/],
    ['an absolute key', 'minio://mlpipeline//etc/passwd', /absolute/],
    ['a backslash', 'minio://mlpipeline/v2\\..\\x', /backslash/],
    ['a NUL byte', 'minio://mlpipeline/v2/a\u0000b', /NUL/],
    ['an empty segment', 'minio://mlpipeline/v2//x', /empty path segment/],
    ['an empty key', 'minio://mlpipeline', /key is empty/],
    ['a query string', 'minio://mlpipeline/x?endpoint=evil', /no query/],
  ])('rejects %s with a clear error', (_what, uri, message) => {
    expect(() => parseArtifactUri(uri)).toThrow(message);
  });

  it('names the offending URI in the error', () => {
    const err = (() => {
      try {
        parseArtifactUri('minio://mlpipeline/../x');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ArtifactUriError);
    expect((err as ArtifactUriError).uri).toBe('minio://mlpipeline/../x');
    expect((err as Error).message).toContain("invalid artifact URI 'minio://mlpipeline/../x'");
  });

  it('rejects an invalid bucket name', () => {
    expect(() => parseArtifactUri('s3://UPPER/x')).toThrow(/not a valid bucket name/);
  });
});

describe('parsePipelineRoot', () => {
  it('keeps the prefix without slashes and the query of a root', () => {
    expect(parsePipelineRoot('s3://bucket/some/root/?region=us-east-1&endpoint=minio:9000')).toEqual({
      scheme: 's3',
      bucket: 'bucket',
      prefix: 'some/root',
      query: '?region=us-east-1&endpoint=minio:9000',
    });
  });

  it('accepts a root that is a whole bucket', () => {
    expect(parsePipelineRoot('gs://bucket')).toEqual({ scheme: 'gs', bucket: 'bucket', prefix: '', query: '' });
  });

  it('rejects traversal in a root', () => {
    expect(() => parsePipelineRoot('minio://mlpipeline/../other')).toThrow(/path traversal/);
  });
});

describe('rebaseUri', () => {
  const uri = 'minio://mlpipeline/v2/artifacts/churn/run-1/train/u-1/model';

  it('maps a URI under the source root to the same relative path under the target root', () => {
    expect(rebaseUri(uri, 'minio://mlpipeline/v2/artifacts', 'minio://serve-bucket/kfp/root')).toBe(
      'minio://serve-bucket/kfp/root/churn/run-1/train/u-1/model',
    );
  });

  it('changes scheme between minio://, s3:// and gs:// roots', () => {
    expect(rebaseUri(uri, 'minio://mlpipeline/v2/artifacts/', 's3://dst')).toBe('s3://dst/churn/run-1/train/u-1/model');
    expect(rebaseUri('s3://dst/churn/run-1/train/u-1/model', 's3://dst', 'gs://gcs-bucket/r')).toBe(
      'gs://gcs-bucket/r/churn/run-1/train/u-1/model',
    );
  });

  it('ignores the query strings of the roots', () => {
    expect(rebaseUri(uri, 'minio://mlpipeline/v2/artifacts?region=x', 's3://bkt/p?endpoint=y')).toBe(
      's3://bkt/p/churn/run-1/train/u-1/model',
    );
  });

  it('refuses a URI that is not under the source root', () => {
    expect(() => rebaseUri(uri, 'minio://mlpipeline/v2/artifactsX', 's3://bkt')).toThrow(/not under the pipeline root/);
    expect(() => rebaseUri(uri, 'minio://other/v2/artifacts', 's3://bkt')).toThrow(/not under the pipeline root/);
    expect(() => rebaseUri(uri, 's3://mlpipeline/v2/artifacts', 's3://bkt')).toThrow(/not under the pipeline root/);
  });
});
