import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CLUSTER_TOKEN_PATH, inClusterToken, tokenFromEnv, tokenFromFile } from '../../../src/location/kfp/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kfp-token-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('KFP token providers', () => {
  it('reads a token from an environment variable and names the variable as its source', async () => {
    const p = tokenFromEnv('KFP_X_TOKEN', { KFP_X_TOKEN: ' abc \n' });
    expect(await p.getToken()).toBe('abc');
    expect(p.source).toBe('$KFP_X_TOKEN');
  });

  it('re-reads a token file on every call, as a rotated service-account token requires', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    const p = tokenFromFile(file);
    expect(await p.getToken()).toBe('first');
    writeFileSync(file, 'second\n');
    expect(await p.getToken()).toBe('second');
  });

  it('says which file could not be read without failing obscurely', async () => {
    const p = tokenFromFile(join(dir, 'absent'));
    await expect(p.getToken()).rejects.toThrow(/cannot read the token from file .*absent \(ENOENT\)/);
  });

  it('uses KF_PIPELINES_SA_TOKEN_PATH for the in-cluster token when set', async () => {
    const file = join(dir, 'sa-token');
    writeFileSync(file, 'sa');
    const p = inClusterToken({ KF_PIPELINES_SA_TOKEN_PATH: file });
    expect(await p.getToken()).toBe('sa');
    expect(p.source).toContain('KF_PIPELINES_SA_TOKEN_PATH');
  });

  it('defaults the in-cluster token to the path the KFP SDK uses', () => {
    expect(inClusterToken({}).source).toContain(IN_CLUSTER_TOKEN_PATH);
    expect(IN_CLUSTER_TOKEN_PATH).toBe('/var/run/secrets/kubeflow/pipelines/token');
  });
});
