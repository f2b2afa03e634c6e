// KFP records a run's root on its run context as `<root>/<pipelineName>/<runId>`, a `?query` of the
// root moved to the end (`2.17.0:backend/src/v2/metadata/client.go:391-405`); the check compares the
// configured root with what that string was generated from.
import { describe, expect, it } from 'vitest';
import { PipelineRootMismatchError, rootOfRunContext, sameRoot } from '../../src/observe/pipeline-root.js';

describe('the root a run context was generated from', () => {
  it('strips the pipeline name and run id', () => {
    expect(rootOfRunContext('minio://mlpipeline/v2/artifacts/thesis/9f1c-22', '9f1c-22')).toBe(
      'minio://mlpipeline/v2/artifacts',
    );
    expect(rootOfRunContext('s3://bucket/thesis/r1/', 'r1')).toBe('s3://bucket');
  });

  it('keeps the query KFP moved to the end', () => {
    expect(rootOfRunContext('s3://b/root/p/r1?region=eu-west-1', 'r1')).toBe('s3://b/root?region=eu-west-1');
  });

  it('refuses what was not generated for that run', () => {
    expect(rootOfRunContext('minio://mlpipeline/v2/artifacts/thesis/other-run', 'r1')).toBeUndefined();
    expect(rootOfRunContext('minio://r1', 'r1')).toBeUndefined();
  });

  it('compares roots up to trailing slashes, scheme and bucket included', () => {
    expect(sameRoot('minio://b/root/', 'minio://b/root')).toBe(true);
    expect(sameRoot('minio://b/root', 's3://b/root')).toBe(false);
    expect(sameRoot('minio://b/root', 'minio://c/root')).toBe(false);
  });

  it('says which location, both roots and what to do', () => {
    const e = new PipelineRootMismatchError(
      'serve',
      's3://mlpipeline/v2/artifacts',
      'minio://mlpipeline/v2/artifacts',
      'run-7',
    );
    expect(e.message).toContain('location serve');
    expect(e.message).toContain('s3://mlpipeline/v2/artifacts');
    expect(e.message).toContain('minio://mlpipeline/v2/artifacts');
    expect(e.message).toContain('run-7');
    expect(e.message).toContain('spec.locations[serve].objectStore.pipelineRoot');
  });
});
