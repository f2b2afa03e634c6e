// The one base class of errors a user can act on, and how the CLI reports it: recognised by type
// across the hierarchy, with the contract's exit codes, the same sentence in text and JSON, and
// unknown errors kept apart as internal ones.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../action/src/configs.js';
import { CoreUnavailableError } from '../../action/src/core-api.js';
import { EventError } from '../../action/src/event.js';
import { InputError } from '../../action/src/inputs.js';
import { OperationError } from '../../src/apply/execute.js';
import { LockHeldError, LockLostError } from '../../src/apply/lock.js';
import { CliError } from '../../src/cli/exit.js';
import { recordingOutput } from '../../src/cli/output.js';
import { main, reportFailure } from '../../src/cli/run.js';
import { errorReport, errorText } from '../../src/errors/error-report.js';
import { EXIT, UserError, withAdvice } from '../../src/errors/user-error.js';
import { TokenUnavailableError } from '../../src/location/kfp/auth.js';
import { KfpError } from '../../src/location/kfp/errors.js';
import { KubeError } from '../../src/location/kube/errors.js';
import { MlmdError } from '../../src/location/mlmd/errors.js';
import { IntegrityError, ObjectStoreError } from '../../src/location/objectstore/errors.js';
import { ArtifactUriError } from '../../src/location/objectstore/uri.js';
import { LocationSettingError } from '../../src/observe/driver-settings.js';
import { PipelineRootMismatchError } from '../../src/observe/pipeline-root.js';
import { PackageRefusedError } from '../../src/pipeline/kfp-package-check.js';
import type { PlannedOperation } from '../../src/plan/types.js';
import { HandoffError } from '../../src/sync/export.js';

const kfp = () =>
  new KfpError({
    location: 'b',
    operation: 'createRun',
    kind: 'http',
    status: 503,
    detail: 'unavailable',
    hint: 'retry later',
    attempts: 3,
  });
const handoffOp: PlannedOperation = {
  id: 'handoff:2:a',
  kind: 'handoff',
  stage: 2,
  location: 'b',
  from: 'a',
  reason: 'stage 2 needs them',
};

/** One of each error a user can hit, with where it should say it happened. */
const HIERARCHY: { error: UserError; name: string; location?: string; exitCode?: number }[] = [
  { error: kfp(), name: 'KfpError', location: 'b' },
  {
    error: new MlmdError({
      location: 'a',
      address: '127.0.0.1:1',
      operation: 'PutExecution',
      code: 14,
      details: 'down',
      attempts: 2,
    }),
    name: 'MlmdError',
    location: 'a',
  },
  {
    error: new ObjectStoreError({
      location: 'c',
      operation: 'get',
      bucket: 'mlpipeline',
      key: 'k',
      message: 'HTTP 404 NoSuchKey',
    }),
    name: 'ObjectStoreError',
    location: 'c',
  },
  {
    error: new KubeError({ location: 'a', operation: 'renew-lock', message: 'Forbidden' }),
    name: 'KubeError',
    location: 'a',
  },
  { error: new IntegrityError('ChecksumMismatch', 'the sha256 of k is not the recorded one'), name: 'IntegrityError' },
  { error: new ArtifactUriError('ftp://x/y', 'unsupported scheme'), name: 'ArtifactUriError' },
  { error: new TokenUnavailableError('the environment variable T is not set or empty'), name: 'TokenUnavailableError' },
  {
    error: new LockHeldError('a', 'cron-7f', new Date(0)),
    name: 'LockHeldError',
    location: 'a',
    exitCode: EXIT.locked,
  },
  {
    error: new LockLostError('a', 'thief', 'thief holds it now'),
    name: 'LockLostError',
    location: 'a',
    exitCode: EXIT.locked,
  },
  { error: new OperationError(handoffOp, 'copy failed'), name: 'OperationError', location: 'b' },
  { error: new HandoffError('cannot hand off x from a', { location: 'a' }), name: 'HandoffError', location: 'a' },
  {
    error: new PipelineRootMismatchError('b', 'minio://one', 'minio://two', 'run-1'),
    name: 'PipelineRootMismatchError',
    location: 'b',
  },
  {
    error: new LocationSettingError('location b: kfp.namespace is set but this KFP is single-user', 'b'),
    name: 'LocationSettingError',
    location: 'b',
  },
  {
    error: new PackageRefusedError('p.yaml', [{ location: 'a', kfpVersion: '2.14.0', keys: [] }]),
    name: 'PackageRefusedError',
    location: 'a',
  },
  { error: new CliError('--location NAME is required'), name: 'CliError' },
  { error: new InputError('input "config" names no file'), name: 'InputError' },
  { error: new EventError('cannot read the event payload'), name: 'EventError' },
  { error: new ConfigError('config "x.yaml" does not exist'), name: 'ConfigError' },
  { error: new CoreUnavailableError('this build cannot apply'), name: 'CoreUnavailableError' },
];

describe('UserError', () => {
  it("keeps the contract's exit codes", () => {
    expect(EXIT).toEqual({ ok: 0, error: 1, changes: 2, locked: 3 });
  });

  it('says what to do in one way, after what went wrong', () => {
    expect(withAdvice('the bucket is missing.', 'create it')).toBe('the bucket is missing. What to do: create it.');
    expect(withAdvice('the bucket is missing', 'create it, then apply again.')).toBe(
      'the bucket is missing. What to do: create it, then apply again.',
    );
    expect(withAdvice('the bucket is missing', undefined)).toBe('the bucket is missing');
    const e = new UserError('lease read failed', {
      code: 'x',
      location: 'a',
      operation: 'read-lease',
      advice: 'check RBAC',
    });
    expect([e.message, e.problem, e.advice, e.exitCode]).toEqual([
      'lease read failed. What to do: check RBAC.',
      'lease read failed',
      'check RBAC',
      EXIT.error,
    ]);
  });

  it.each(HIERARCHY.map((h) => [h.name, h] as const))(
    '%s is a UserError with its code, place and exit code',
    (_, h) => {
      expect(h.error).toBeInstanceOf(UserError);
      expect(h.error).toBeInstanceOf(Error);
      expect(h.error.name).toBe(h.name);
      expect(h.error.errorCode).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(h.error.location).toBe(h.location);
      expect(h.error.exitCode).toBe(h.exitCode ?? EXIT.error);
      if (h.error.advice) expect(h.error.message).toContain(`What to do: ${h.error.advice}`);
      if (h.location) expect(h.error.message).toContain(h.location);
    },
  );

  it('gives every kind of error its own code', () => {
    const byCode = new Map<string, string>();
    for (const h of HIERARCHY) {
      const other = byCode.get(h.error.errorCode);
      if (other && other !== h.name) throw new Error(`${h.name} and ${other} share the code ${h.error.errorCode}`);
      byCode.set(h.error.errorCode, h.name);
    }
    expect(byCode.size).toBe(HIERARCHY.length);
  });

  it('keeps the location, the operation and the advice of the failure an operation wraps', () => {
    const e = new OperationError(handoffOp, kfp().message, kfp());
    expect(e.location).toBe('b');
    expect(e.operation).toBe('handoff');
    expect(e.cause).toBeInstanceOf(KfpError);
    expect(e.message).toBe(
      'handoff at b (from a) for stage 2: KFP at location "b": createRun failed (HTTP 503) after 3 attempts: unavailable. ' +
        'What to do: retry later; then apply again: it resumes from here, nothing is lost.',
    );
    expect(new OperationError(handoffOp, 'no run to await').advice).toBe(
      'apply again: it resumes from here, nothing is lost',
    );
  });
});

describe('errorReport and errorText', () => {
  it('reports a user error with its fields, none of them undefined', () => {
    const r = errorReport(new LockHeldError('a', 'cron-7f', new Date(0)));
    expect(r).toEqual({
      code: 'lock-held',
      message:
        'another reconciler (cron-7f) holds the lock at a until 1970-01-01T00:00:00.000Z. What to do: wait, or raise --lock-timeout.',
      location: 'a',
      operation: 'acquire-lock',
      advice: 'wait, or raise --lock-timeout',
      exitCode: 3,
      internal: false,
    });
    expect(Object.keys(errorReport(new CliError('bad flag')))).toEqual(['code', 'message', 'exitCode', 'internal']);
  });

  it('reports anything else as an internal error with its message', () => {
    expect(errorReport(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'internal error: x is undefined',
      exitCode: 1,
      internal: true,
    });
    expect(errorReport('a string').message).toBe('internal error: a string');
  });

  it('recognises by type, not by name: an Error named like a user error is still internal', () => {
    const impostor = new Error('looks foreseeable');
    impostor.name = 'KfpError';
    expect(errorReport(impostor).internal).toBe(true);
  });

  it('shows the stack only when debugging', () => {
    const e = kfp();
    expect(errorText(e)).toBe(e.message);
    expect(errorText(e, { debug: true })).toBe(`${e.message}\n${e.stack}`);
  });

  it('never carries what the cause holds (an SDK error may hold a request with credentials)', () => {
    const cause = Object.assign(new Error('Forbidden'), {
      request: { headers: { authorization: 'AWS4 secret-key-123' } },
    });
    const e = new ObjectStoreError({
      location: 'c',
      operation: 'put',
      bucket: 'b',
      key: 'k',
      message: 'HTTP 403',
      cause,
    });
    const shown = `${JSON.stringify(errorReport(e))}\n${errorText(e)}`;
    expect(shown).not.toContain('secret-key-123');
  });
});

describe('the CLI reports by type', () => {
  const debug = process.env['SPLIT_PIPELINES_DEBUG'];
  afterEach(() => {
    if (debug === undefined) delete process.env['SPLIT_PIPELINES_DEBUG'];
    else process.env['SPLIT_PIPELINES_DEBUG'] = debug;
  });

  it('prints a user error on stderr and exits with its code; in JSON mode stdout gets { error }', () => {
    delete process.env['SPLIT_PIPELINES_DEBUG'];
    const out = recordingOutput();
    const e = new LockLostError('a', 'thief', 'thief holds it now');
    expect(reportFailure('apply', e, true, out)).toBe(EXIT.locked);
    expect(out.err).toBe(`split-pipelines apply: ${e.message}\n`);
    expect(out.err).toContain(
      'What to do: wait for the other reconciler (thief) to finish, then run plan and apply again.',
    );
    expect(JSON.parse(out.out)).toEqual({ error: { ...errorReport(e) } });
    expect((JSON.parse(out.out) as { error: unknown }).error).toMatchObject({
      code: 'lock-lost',
      location: 'a',
      operation: 'hold-lock',
      exitCode: 3,
    });
  });

  it('keeps stdout empty without --json, and a stack only with SPLIT_PIPELINES_DEBUG', () => {
    delete process.env['SPLIT_PIPELINES_DEBUG'];
    const quiet = recordingOutput();
    expect(reportFailure('plan', new RangeError('boom'), false, quiet)).toBe(EXIT.error);
    expect([quiet.out, quiet.err]).toEqual(['', 'split-pipelines plan: internal error: boom\n']);
    process.env['SPLIT_PIPELINES_DEBUG'] = '1';
    const loud = recordingOutput();
    reportFailure('plan', new RangeError('boom'), false, loud);
    expect(loud.err).toMatch(/^split-pipelines plan: internal error: boom\nRangeError: boom\n\s+at /);
  });

  it('reports a failing command through main, in JSON mode too', async () => {
    const out = recordingOutput();
    expect(await main(['plan', '-f', 'a.yaml', '-f', 'b.yaml', '--json'], out)).toBe(EXIT.error);
    expect(out.err).toBe('split-pipelines plan: expects one file, got 2: a.yaml, b.yaml\n');
    expect(JSON.parse(out.out)).toEqual({
      error: { code: 'usage', message: 'expects one file, got 2: a.yaml, b.yaml', exitCode: 1, internal: false },
    });
  });
});
