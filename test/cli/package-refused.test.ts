// A package with a field that one location's KFP release does not know: that API server refuses the
// upload and every run (protojson, 2.17.0:backend/src/apiserver/template/v2_template.go:198), so the
// plan stops before any stage runs, naming the location, the field, where it is and what to do. The
// lab's API server refuses the same package, as KFP's does.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

let lab: Lab;
let dir: string;
let file: string;
const DEFINITION = '        source_url:\n          parameterType: STRING\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-package-refused-'));
  lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['train', 'serve'],
    ports: 'ephemeral',
    kfpVersion: { serve: '2.15.0' },
  });
  file = exampleOnLabs([lab], dir, 'train-serve');
  const pkgFile = join(dir, 'pipelines/churn.yaml');
  const pkg = readFileSync(pkgFile, 'utf8');
  expect(pkg).toContain(DEFINITION);
  // `literals` (a parameter's allowed values) is written by newer SDKs and known to KFP from 2.16.0 on.
  writeFileSync(pkgFile, pkg.replace(DEFINITION, `${DEFINITION}          literals: [s3, gs]\n`));
});
afterAll(async () => {
  await lab.close();
});

describe('a package one location cannot read', () => {
  it('makes plan exit 1 naming that location, the field at FILE:LINE:COL, and what to do', async () => {
    const res = await runCli(['plan', '-f', file], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('location serve (KFP 2.15.0) refuses the pipeline package');
    expect(res.stderr).toMatch(
      /churn\.yaml:37:\d+: field "literals" of InputParameterDefinition in the pipeline spec is known from KFP 2\.16\.0 on/,
    );
    expect(res.stderr).toContain('upgrade KFP at serve to 2.16.0 or later');
    expect(res.stderr).not.toContain('location train');
  });

  it('is an error of validate already where the file pins that version, at the field in the package', async () => {
    const pinned = join(dir, 'pinned.yaml');
    const text = readFileSync(file, 'utf8');
    const endpoint = `"kfp":{"endpoint":"${lab.locations['serve']!.kfp}"`;
    expect(text).toContain(endpoint);
    writeFileSync(pinned, text.replace(endpoint, `${endpoint},"version":"2.15.0"`));
    const res = await runCli(['validate', '-f', pinned]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(
      /churn\.yaml:37:\d+: location serve pins kfp\.version 2\.15\.0, which refuses the package: field "literals" of InputParameterDefinition is known from KFP 2\.16\.0 on/,
    );
    expect((await runCli(['validate', '-f', file])).code).toBe(0);
  });

  it('makes apply stop before any stage runs anywhere', async () => {
    const res = await runCli(['apply', '-f', file], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('location serve (KFP 2.15.0) refuses the pipeline package');
    for (const name of ['train', 'serve']) {
      const runs = (await (await fetch(`${lab.locations[name]!.kfp}/apis/v2beta1/runs`)).json()) as {
        runs?: unknown[];
      };
      expect(runs.runs ?? [], name).toEqual([]);
    }
  });

  it('is refused by the lab at serve as KFP 2.15 refuses it, and taken at train (2.17)', async () => {
    const text = readFileSync(join(dir, 'pipelines/churn.yaml'), 'utf8');
    const upload = async (location: string) => {
      const form = new FormData();
      form.append('uploadfile', new Blob([text]), 'churn.yaml');
      return fetch(`${lab.locations[location]!.kfp}/apis/v2beta1/pipelines/upload?name=churn-${location}`, {
        method: 'POST',
        body: form,
      });
    };
    const refused = await upload('serve');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('unknown template format');
    expect((await upload('train')).status).toBe(200);
  });
});
